// 大字模式开关（适老化）：记住读者的选择；打印按钮；打印时显示链接的完整地址。无外部依赖。
(function () {
  var root = document.documentElement;
  var btn = document.getElementById("large-toggle");
  if (btn) {
    var sync = function () {
      btn.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
    };
    sync();
    btn.addEventListener("click", function () {
      root.classList.toggle("large");
      try { localStorage.setItem("jb-large", root.classList.contains("large") ? "1" : "0"); } catch (e) {}
      sync();
    });
  }
  var prints = document.querySelectorAll(".print-button");
  for (var i = 0; i < prints.length; i++) {
    prints[i].hidden = false;
    prints[i].addEventListener("click", function () { window.print(); });
  }
  // print.css shows data-url (the absolute address) after each link in the text.
  var links = document.querySelectorAll(".doc-body a[href], .attachments a[href]");
  for (var j = 0; j < links.length; j++) {
    var a = links[j];
    var h = a.getAttribute("href");
    if (h && h.charAt(0) !== "#" && h.indexOf("mailto:") !== 0) a.setAttribute("data-url", a.href);
  }
})();

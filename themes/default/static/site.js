// 大字模式开关（适老化）：记住读者的选择。无外部依赖。
(function () {
  var root = document.documentElement;
  var btn = document.getElementById("large-toggle");
  if (!btn) return;
  function sync() { btn.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false"); }
  sync();
  btn.addEventListener("click", function () {
    root.classList.toggle("large");
    try { localStorage.setItem("jb-large", root.classList.contains("large") ? "1" : "0"); } catch (e) {}
    sync();
  });
})();

// 站内全文搜索客户端（无依赖、无外部资源）。切分规则与 src/render/search/tokenize.rs 一致：
// 汉字串切成相邻两字（二元组）及单字；拉丁字母与数字按整词、小写。查询词：多字取二元组，单字取单字。
// 索引按需加载：search/docs.json（类型与单位表）、search/idx/<分片>.bin（词条，二进制）、search/text/<块>.bin（标题与正文，gzip 压缩的 JSON）。
// 多字词只在原文中连续出现时才算命中：词条只说明各二元组都出现过，结果显示前再用文本块核对（逐页核对，未核完时计数前加“约”）。
(function () {
  "use strict";
  var app = document.getElementById("search-app");
  if (!app) return;
  var INDEX = app.getAttribute("data-index");
  var BASE = app.getAttribute("data-base");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var kindSel = document.getElementById("search-kind");
  var unitSel = document.getElementById("search-unit");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PAGE = 10;
  var TITLE = 1, UNIT = 2, TAGS = 4, BODY = 8;
  var KINDS = ["report", "article", "page", "unit"];
  var WORD = /[\p{Alphabetic}\p{N}]/u;

  // Index files by path: promises of what `parse` made of their bytes.
  var cache = {};
  function load(path, parse) {
    if (!cache[path]) {
      cache[path] = fetch(INDEX + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.arrayBuffer();
      }).then(function (buf) { return parse(new Uint8Array(buf)); });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }
  var utf8 = new TextDecoder();
  function json(bytes) { return JSON.parse(utf8.decode(bytes)); }
  // A text chunk: gzipped JSON, un-gzipped by the browser where it can
  // (DecompressionStream), else by gunzip below; taken as it is when a
  // server has already decoded it.
  function gzJSON(bytes) {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return json(bytes);
    if (typeof DecompressionStream === "undefined") return json(gunzip(bytes));
    var plain = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(plain).arrayBuffer().then(function (b) { return json(new Uint8Array(b)); });
  }

  // ---- gunzip for browsers without DecompressionStream (RFC 1951/1952) ----
  var LB = [], LE = [], DB = [], DE = [];
  (function () {
    for (var i = 0, v = 3; i < 28; i++) { LE[i] = i < 8 ? 0 : (i >> 2) - 1; LB[i] = v; v += 1 << LE[i]; }
    LB[28] = 258; LE[28] = 0;
    for (i = 0, v = 1; i < 30; i++) { DE[i] = i < 4 ? 0 : (i >> 1) - 1; DB[i] = v; v += 1 << DE[i]; }
  })();
  function huffman(lens) {
    var count = new Uint16Array(16), offs = new Uint16Array(16), sym = new Uint16Array(lens.length), i;
    for (i = 0; i < lens.length; i++) count[lens[i]]++;
    count[0] = 0;
    for (i = 1; i < 16; i++) offs[i] = offs[i - 1] + count[i - 1];
    for (i = 0; i < lens.length; i++) if (lens[i]) sym[offs[lens[i]]++] = i;
    return [count, sym];
  }
  function gunzip(b) {
    var n = b.length, flg = b[3], p = 10;
    if (flg & 4) p += 2 + (b[p] | b[p + 1] << 8);
    if (flg & 8) while (b[p++]);
    if (flg & 16) while (b[p++]);
    if (flg & 2) p += 2;
    var out = new Uint8Array((b[n - 4] | b[n - 3] << 8 | b[n - 2] << 16 | b[n - 1] << 24) >>> 0);
    var o = 0, pos = p * 8, last, type, i, s, lt, dt;
    function get(k) {
      for (var v = 0, j = 0; j < k; j++, pos++) v |= (b[pos >> 3] >> (pos & 7) & 1) << j;
      return v;
    }
    function decode(h) {
      for (var code = 0, first = 0, index = 0, len = 1; len < 16; len++) {
        code |= get(1);
        var c = h[0][len];
        if (code - c < first) return h[1][index + code - first];
        index += c; first = (first + c) << 1; code <<= 1;
      }
      throw new Error("gzip: bad code");
    }
    do {
      last = get(1);
      type = get(2);
      if (type === 0) {
        p = (pos + 7) >> 3;
        var len = b[p] | b[p + 1] << 8;
        out.set(b.subarray(p + 4, p + 4 + len), o);
        o += len;
        pos = (p + 4 + len) * 8;
        continue;
      }
      var lens = new Uint8Array(320);
      if (type === 1) {
        for (i = 0; i < 288; i++) lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        for (; i < 320; i++) lens[i] = 5;
        lt = huffman(lens.subarray(0, 288)); dt = huffman(lens.subarray(288));
      } else {
        var hlit = get(5) + 257, hdist = get(5) + 1, hclen = get(4) + 4, cl = new Uint8Array(19);
        for (i = 0; i < hclen; i++) cl[[16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15][i]] = get(3);
        var ct = huffman(cl);
        for (i = 0; i < hlit + hdist;) {
          s = decode(ct);
          if (s < 16) { lens[i++] = s; continue; }
          var rep = s === 16 ? 3 + get(2) : s === 17 ? 3 + get(3) : 11 + get(7), val = s === 16 ? lens[i - 1] : 0;
          while (rep--) lens[i++] = val;
        }
        lt = huffman(lens.subarray(0, hlit)); dt = huffman(lens.subarray(hlit, hlit + hdist));
      }
      for (;;) {
        s = decode(lt);
        if (s < 256) { out[o++] = s; continue; }
        if (s === 256) break;
        s -= 257;
        var l = LB[s] + get(LE[s]), d = decode(dt), dist = DB[d] + get(DE[d]);
        for (; l > 0; l--, o++) out[o] = out[o - dist];
      }
    } while (!last);
    return out;
  }

  // ---- tokenizer (mirror of tokenize.rs) ----
  function isCjk(cp) {
    return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3134f);
  }
  function fold(ch) {
    var cp = ch.codePointAt(0);
    if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCodePoint(cp - 0xfee0).toLowerCase();
    return cp < 128 ? ch.toLowerCase() : ch;
  }
  // A query term → the tokens a document must all hold to match it.
  function requirements(term) {
    var reqs = [], run = [], word = "";
    function flushRun() {
      if (run.length === 1) reqs.push(run[0]);
      for (var i = 0; i + 1 < run.length; i++) reqs.push(run[i] + run[i + 1]);
      run = [];
    }
    Array.from(term).forEach(function (raw) {
      var ch = fold(raw), cp = ch.codePointAt(0);
      if (isCjk(cp)) run.push(ch); else if (run.length) flushRun();
      if (!isCjk(cp) && WORD.test(ch)) word += ch.toLowerCase();
      else if (word) { reqs.push(word); word = ""; }
    });
    flushRun();
    if (word) reqs.push(word);
    return reqs;
  }
  // FNV-1a over code points + fmix32, as tokenize::shard.
  function shardOf(token, bits) {
    var h = 0x811c9dc5;
    Array.from(token).forEach(function (ch) {
      h = Math.imul(h ^ ch.codePointAt(0), 0x01000193);
    });
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) % Math.pow(2, bits);
  }

  // The pieces of a term that must occur as written: its runs of letters,
  // digits and Han characters, folded; only those of several tokens need
  // a look at the text (one token's postings are exact).
  function pieces(term) {
    var out = [], cur = "";
    Array.from(term).forEach(function (raw) {
      var ch = fold(raw);
      if (isCjk(ch.codePointAt(0)) || WORD.test(ch)) cur += ch.toLowerCase();
      else if (cur) { out.push(cur); cur = ""; }
    });
    if (cur) out.push(cur);
    return out.filter(function (p) { return requirements(p).length > 1; });
  }
  function foldText(s) { return Array.from(s, fold).join("").toLowerCase(); }
  // Whether document `id` (its text row `row`) holds every piece as written,
  // in any text it is found by. A body cut at `meta.text` characters may hold
  // it further in: kept.
  function holds(meta, id, row, need) {
    var ku = meta.ku[id];
    var hay = foldText([row[0], ku >= 4 ? meta.units[(ku >> 2) - 1] : "", row[3].join("\n"), row[4], row[5] || ""].join("\n"));
    if (meta.text && Array.from(row[4]).length >= meta.text) return true;
    return need.every(function (p) { return hay.indexOf(p) >= 0; });
  }

  // ---- matching and ranking ----
  // The postings of `token` in shard `b` (bytes: see format.rs,
  // ShardWriter) into Map id → [fields, tf]: the token table is read until
  // the token is found, and only its postings decoded.
  var utf8out = new TextEncoder();
  var BODY_TF = [16 + BODY, 32 + BODY, 48 + BODY];
  function matchReq(token, b) {
    var into = new Map();
    if (!b) return into;
    var t = utf8out.encode(token), p = 0;
    function varint() {
      for (var x = 0, s = 0, c = 128; c & 128; s += 7) { c = b[p++]; x += (c & 127) * Math.pow(2, s); }
      return x;
    }
    var n = varint(), at = -1, len = 0, skip = 0;
    for (var i = 0; i < n; i++) {
      var tlen = varint(), same = tlen === t.length;
      for (var j = 0; same && j < tlen; j++) same = b[p + j] === t[j];
      p += tlen;
      var plen = varint();
      if (same) { at = skip; len = plen; }
      skip += plen;
    }
    if (at < 0) return into;
    p += at;
    for (var end = p + len, id = 0; p < end;) {
      var c = varint(), k = c % 4;
      id += (c - k) / 4;
      var e = k < 3 ? BODY_TF[k] : b[p++];
      into.set(id, [e & 15, (e >> 4) & 15]);
    }
    return into;
  }
  function termScore(fields, tf) {
    var s = 0;
    if (fields & TITLE) s += 100;
    if (fields & UNIT) s += 60;
    if (fields & TAGS) s += 30;
    if (fields & BODY) s += 10 + tf;
    return s || 1;
  }
  // → [{id, score}] for all terms (AND), best first.
  function match(meta, terms, shards) {
    var total = null;
    for (var i = 0; i < terms.length; i++) {
      var reqs = requirements(terms[i]);
      if (!reqs.length) continue;
      var termDocs = null;
      for (var j = 0; j < reqs.length; j++) {
        var m = matchReq(reqs[j], shards[shardOf(reqs[j], meta.bits)]);
        if (termDocs === null) { termDocs = m; continue; }
        var next = new Map();
        termDocs.forEach(function (e, id) {
          var o = m.get(id);
          if (o) next.set(id, [e[0] & o[0], Math.min(e[1], o[1])]);
        });
        termDocs = next;
      }
      var scored = new Map();
      termDocs.forEach(function (e, id) {
        var prev = total ? total.get(id) : 0;
        if (total === null || prev !== undefined) scored.set(id, (prev || 0) + termScore(e[0], e[1]));
      });
      total = scored;
    }
    // A query that is exactly a unit's name puts the unit's own page first.
    var named = terms.length === 1 ? meta.units.indexOf(terms[0]) : -1;
    var own = named >= 0 ? (named + 1) * 4 + 3 : -1;
    var out = [];
    if (total) total.forEach(function (score, id) {
      out.push({ id: id, score: meta.ku[id] === own ? score + 1e6 : score });
    });
    out.sort(function (a, b) {
      // Ids run newest first.
      return b.score - a.score || a.id - b.id;
    });
    return out;
  }

  // ---- rendering ----
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function highlighter(terms) {
    var parts = terms.filter(Boolean).slice().sort(function (a, b) { return b.length - a.length; }).map(escapeRe);
    return parts.length ? new RegExp(parts.join("|"), "gi") : null;
  }
  // Appends `text` to `el`, wrapping matches of `re` in <mark>.
  function appendMarked(el, text, re) {
    var last = 0, m;
    if (re) {
      re.lastIndex = 0;
      while ((m = re.exec(text)) !== null) {
        if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.textContent = m[0];
        el.appendChild(mark);
        last = m.index + m[0].length;
        if (m[0].length === 0) re.lastIndex++;
      }
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }
  function snippet(text, re) {
    var at = 0;
    if (re) { re.lastIndex = 0; var m = re.exec(text); if (m) at = m.index; }
    var start = Math.max(0, at - 40), end = Math.min(text.length, start + 140);
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  // results: candidates, best first; next: the first not yet looked at;
  // dropped: candidates whose text lacks a phrase; check: the pieces to look for.
  var state = { meta: null, results: [], next: 0, dropped: 0, check: [], terms: [], seq: 0, said: "" };

  // Rows [title, path, date, tags, text, more?] of `ids`, from their chunks.
  function rowsFor(ids) {
    var chunk = state.meta.chunk, need = {};
    ids.forEach(function (id) { need[Math.floor(id / chunk)] = true; });
    return Promise.all(Object.keys(need).map(function (n) {
      return load("text/" + n + ".bin", gzJSON).then(function (arr) { return [Number(n), arr]; });
    })).then(function (pairs) {
      var byChunk = {};
      pairs.forEach(function (p) { byChunk[p[0]] = p[1]; });
      return ids.map(function (id) { return (byChunk[Math.floor(id / chunk)] || [])[id % chunk]; });
    });
  }

  // At most this many candidates are looked at per page: a phrase whose
  // bigrams are common but which itself is rare stops there, "more" goes on.
  var LOOK = 100;

  // Appends the next page of results once their rows have arrived,
  // skipping candidates that do not hold the phrases as written.
  function renderMore(seq) {
    var meta = state.meta, added = 0, looked = 0;
    var re = highlighter(state.terms);
    function step() {
      if (added >= PAGE || looked >= LOOK || state.next >= state.results.length) return Promise.resolve();
      var slice = state.results.slice(state.next, state.next + PAGE - added);
      return rowsFor(slice.map(function (r) { return r.id; })).then(function (rows) {
        if (seq !== state.seq) return;
        state.next += slice.length;
        looked += slice.length;
        slice.forEach(function (r, i) {
          var row = rows[i];
          if (!row) return;
          if (state.check.length && !holds(meta, r.id, row, state.check)) { state.dropped++; return; }
          list.appendChild(resultItem(meta, r.id, row, re));
          added++;
        });
        return step();
      });
    }
    return step().then(function () {
      if (seq !== state.seq) return;
      more.hidden = state.next >= state.results.length;
      sayCount();
    });
  }

  function resultItem(meta, id, row, re) {
    var ku = meta.ku[id];
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "result-title";
    a.href = BASE + row[1];
    appendMarked(a, row[0], re);
    li.appendChild(a);
    var info = [meta.kinds[ku % 4]];
    if (ku >= 4) info.push(meta.units[(ku >> 2) - 1]);
    if (row[2]) info.push(row[2]);
    if (row[3].length) info.push("标签：" + row[3].join("、"));
    var p = document.createElement("p");
    p.className = "result-meta";
    appendMarked(p, info.join(" · "), re);
    li.appendChild(p);
    if (row[4]) {
      var s = document.createElement("p");
      s.className = "result-snippet";
      appendMarked(s, snippet(row[4], re), re);
      li.appendChild(s);
    }
    return li;
  }

  // The result count: exact once every candidate has been looked at.
  function sayCount() {
    var n = state.results.length - state.dropped;
    var exact = !state.check.length || state.next >= state.results.length;
    if (!n) {
      setStatus("没有找到与" + state.said + "相关的内容" + state.filtered + "。请检查用字，或减少关键词。");
    } else {
      setStatus("找到 " + (exact ? "" : "约 ") + n + " 条与" + state.said + "相关的结果" + state.filtered + "。");
    }
  }

  function setStatus(text) { status.textContent = text; }

  function fillUnits(meta) {
    var wanted = unitSel.getAttribute("data-wanted") || unitSel.value;
    meta.units.forEach(function (name) {
      var o = document.createElement("option");
      o.value = name;
      o.textContent = name;
      unitSel.appendChild(o);
    });
    if (wanted) unitSel.value = wanted;
    unitSel.removeAttribute("data-wanted");
  }

  function loadMeta() {
    return load("docs.json", json).then(function (meta) {
      if (!state.meta) { state.meta = meta; fillUnits(meta); }
      return meta;
    });
  }

  function syncUrl(q) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    if (kindSel.value) params.set("kind", kindSel.value);
    var unit = unitSel.value || unitSel.getAttribute("data-wanted");
    if (unit) params.set("unit", unit);
    var qs = params.toString();
    try { history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "")); } catch (e) { /* file:// */ }
  }

  function search() {
    var q = input.value.trim();
    var seq = ++state.seq;
    var started = performance.now();
    syncUrl(q);
    list.textContent = "";
    more.hidden = true;
    state.results = [];
    state.next = 0;
    state.dropped = 0;
    var terms = q ? q.split(/\s+/).filter(function (t) { return requirements(t).length > 0; }) : [];
    state.terms = terms;
    state.check = [].concat.apply([], terms.map(pieces));
    if (!terms.length) {
      setStatus(q ? "请输入汉字、字母或数字作为关键词。" : "");
      app.setAttribute("data-state", "idle");
      return Promise.resolve();
    }
    app.setAttribute("data-state", "loading");
    setStatus("正在搜索…");
    return loadMeta().then(function (meta) {
      var shardIds = {};
      terms.forEach(function (t) {
        requirements(t).forEach(function (r) { shardIds[shardOf(r, meta.bits)] = true; });
      });
      return Promise.all(Object.keys(shardIds).map(function (n) {
        return load("idx/" + n + ".bin", function (b) { return b; }).then(function (s) { return [n, s]; });
      })).then(function (pairs) {
        if (seq !== state.seq) return;
        var shards = {};
        pairs.forEach(function (p) { shards[p[0]] = p[1]; });
        var kind = KINDS.indexOf(kindSel.value);
        var unit = unitSel.value ? meta.units.indexOf(unitSel.value) : -1;
        state.results = match(meta, terms, shards).filter(function (r) {
          var ku = meta.ku[r.id];
          return (kind < 0 || ku % 4 === kind) && (unit < 0 || (ku >> 2) - 1 === unit);
        });
        state.said = "“" + terms.join(" ") + "”";
        state.filtered = kind >= 0 || unit >= 0 ? "（已按筛选条件过滤）" : "";
        if (!state.results.length) {
          sayCount();
          app.setAttribute("data-state", "done");
          return;
        }
        app.setAttribute("data-first-ms", String(Math.round(performance.now() - started)));
        return renderMore(seq).then(function () {
          if (seq !== state.seq) return;
          app.setAttribute("data-ms", String(Math.round(performance.now() - started)));
          app.setAttribute("data-state", "done");
        });
      });
    }).catch(function (e) {
      if (seq !== state.seq) return;
      setStatus("搜索索引加载失败，请刷新页面重试。");
      app.setAttribute("data-state", "error");
      if (window.console) console.warn("search:", e);
    });
  }

  var timer = null;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    search();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
  kindSel.addEventListener("change", search);
  unitSel.addEventListener("change", search);
  more.addEventListener("click", function () {
    var next = list.children.length;
    renderMore(state.seq).then(function () {
      var li = list.children[next];
      var a = li && li.querySelector("a");
      if (a) a.focus();
    });
  });

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  if (params.get("kind")) kindSel.value = params.get("kind");
  if (params.get("unit")) unitSel.setAttribute("data-wanted", params.get("unit"));
  var header = document.getElementById("site-search");
  if (header) header.value = input.value;
  if (input.value.trim()) search(); else loadMeta().catch(function () {});
})();

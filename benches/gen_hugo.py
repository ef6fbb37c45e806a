#!/usr/bin/env python3
"""Turn a corpus made by gen_corpus.py into the equivalent Hugo site, for
the side-by-side benchmark in run.sh: the same reports, articles, units and
tags, with a minimal layout set producing the same kinds of pages:

- one page per report and article (Markdown body rendered);
- per-unit pages (taxonomy `units`) listing that unit's reports, paginated
  (20 per page), with the unit's total of each metric summed by a template
  loop over `.Params.stats`;
- tag and category pages (taxonomies), paginated;
- paginated lists of reports and articles, a home page, one RSS feed;
- a stats page summing every metric across all reports.

Figures such as "1.2万", "300多" become numbers (Hugo cannot sum text).
Reads only files gen_corpus.py writes (a small parser for its format).

usage: gen_hugo.py JIANBAO_SITE OUT_DIR
"""
import os
import re
import shutil
import sys


def parse(path):
    """(front matter dict, body) of one generated file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    _, front, body = text.split("---\n", 2)
    meta, stats, in_stats = {}, {}, False
    for line in front.splitlines():
        if in_stats and line.startswith("  "):
            k, v = line.strip().split(": ", 1)
            stats[k] = v
            continue
        in_stats = False
        k, v = line.split(":", 1)
        v = v.strip()
        if k == "stats":
            in_stats = True
        elif v.startswith("["):
            meta[k] = [t.strip() for t in v[1:-1].split(",") if t.strip()]
        else:
            meta[k] = v
    if stats:
        meta["stats"] = stats
    return meta, body


def number(v):
    v = v.strip('"')
    scale = 1
    if v.endswith("万"):
        scale, v = 10000, v[:-1]
    v = v.rstrip("多余")
    n = float(v) * scale
    return int(n) if n == int(n) else round(n, 2)


def iso(date):
    m = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日", date)
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else date


def yaml_list(xs):
    return "[" + ", ".join(f'"{x}"' for x in xs) + "]"


LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} - {{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head><body>
<nav><a href="{{ "" | relURL }}">首页</a> <a href="{{ "reports/" | relURL }}">工作总结</a> <a href="{{ "articles/" | relURL }}">健康教育</a> <a href="{{ "units/" | relURL }}">单位</a> <a href="{{ "tags/" | relURL }}">标签</a> <a href="{{ "stats/" | relURL }}">统计</a></nav>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body></html>
""",
    "partials/item.html": """<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time>
{{ with .Params.units }}{{ range . }}<a href="{{ printf "units/%s/" (urlize .) | relURL }}">{{ . }}</a>{{ end }}{{ end }}
{{ range .Params.tags }}<a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a> {{ end }}
<p>{{ .Summary | plainify | truncate 120 }}</p></li>
""",
    "partials/pager.html": """{{ with .Paginator }}<nav class="pager">{{ if .HasPrev }}<a href="{{ .Prev.URL }}">上一页</a>{{ end }}
第 {{ .PageNumber }} / {{ .TotalPages }} 页（共 {{ .TotalNumberOfElements }} 篇）
{{ if .HasNext }}<a href="{{ .Next.URL }}">下一页</a>{{ end }}</nav>{{ end }}
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
{{ with .Params.stats }}<table>{{ range $k, $v := . }}<tr><th>{{ $k }}</th><td>{{ $v }}</td></tr>{{ end }}</table>{{ end }}
{{ .TableOfContents }}
{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ printf "tags/%s/" (urlize .) | relURL }}">{{ . }}</a> {{ end }}</p></article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range (.Paginate .Pages).Pages }}{{ partial "item.html" . }}{{ end }}</ul>
{{ partial "pager.html" . }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}
""",
    "_default/term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ if eq .Data.Plural "units" }}{{ $sums := dict }}
{{ range .Pages }}{{ range $k, $v := .Params.stats }}{{ $sums = merge $sums (dict $k (add (index $sums $k | default 0) $v)) }}{{ end }}{{ end }}
<table>{{ range $k, $v := $sums }}<tr><th>{{ $k }}</th><td>{{ lang.FormatNumber 2 $v }}</td></tr>{{ end }}</table>{{ end }}
<ul>{{ range (.Paginate .Pages).Pages }}{{ partial "item.html" . }}{{ end }}</ul>
{{ partial "pager.html" . }}{{ end }}
""",
    "_default/stats.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $sums := dict }}{{ $n := 0 }}
{{ range where site.RegularPages "Section" "reports" }}{{ $n = add $n 1 }}{{ range $k, $v := .Params.stats }}{{ $sums = merge $sums (dict $k (add (index $sums $k | default 0) $v)) }}{{ end }}{{ end }}
<p>{{ $n }} 篇报告</p><table>{{ range $k, $v := $sums }}<tr><th>{{ $k }}</th><td>{{ lang.FormatNumber 2 $v }}</td></tr>{{ end }}</table>{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range first 10 (where site.RegularPages "Section" "reports") }}{{ partial "item.html" . }}{{ end }}</ul>
<ul>{{ range first 6 (where site.RegularPages "Section" "articles") }}{{ partial "item.html" . }}{{ end }}</ul>{{ end }}
""",
}


def main():
    src, out = sys.argv[1], sys.argv[2]
    if os.path.exists(out):
        shutil.rmtree(out)
    content = os.path.join(out, "content")
    os.makedirs(content)
    labels = {}
    with open(os.path.join(src, "site.yaml"), encoding="utf-8") as f:
        mid = None
        for line in f:
            if line.strip().startswith("- id:"):
                mid = line.split(":", 1)[1].strip()
            elif line.strip().startswith("label:") and mid:
                labels[line.split(":", 1)[1].strip()] = mid
    with open(os.path.join(out, "hugo.toml"), "w", encoding="utf-8") as f:
        f.write('baseURL = "https://www.example.gov.cn/cw/"\ntitle = "基准测试门户"\nlanguageCode = "zh-CN"\n'
                'hasCJKLanguage = true\nsummaryLength = 40\ndisableKinds = ["robotstxt"]\n'
                '[pagination]\n  pagerSize = 20\n'
                '[taxonomies]\n  tag = "tags"\n  unit = "units"\n  category = "categories"\n'
                '[outputs]\n  home = ["html", "rss"]\n  section = ["html"]\n  taxonomy = ["html"]\n  term = ["html"]\n'
                '[services.rss]\n  limit = 30\n')
    for rel, text in LAYOUTS.items():
        p = os.path.join(out, "layouts", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    for d, title in (("reports", "工作总结"), ("articles", "健康教育")):
        os.makedirs(os.path.join(content, d))
        with open(os.path.join(content, d, "_index.md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: {title}\n---\n")
    os.makedirs(os.path.join(content, "stats"))
    with open(os.path.join(content, "stats", "index.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: 统计\nlayout: stats\n---\n")
    # Units: term pages with the unit's name and introduction.
    for name in sorted(os.listdir(os.path.join(src, "content/units"))):
        meta, body = parse(os.path.join(src, "content/units", name))
        d = os.path.join(content, "units", name[:-3])
        os.makedirs(d)
        with open(os.path.join(d, "_index.md"), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: \"{meta['name']}\"\n---\n{body}")
    root = os.path.join(src, "content/reports")
    for year in sorted(os.listdir(root)):
        os.makedirs(os.path.join(content, "reports", year))
        for name in sorted(os.listdir(os.path.join(root, year))):
            meta, body = parse(os.path.join(root, year, name))
            stats = "".join(f"  {labels.get(k, k)}: {number(v)}\n" for k, v in meta.get("stats", {}).items())
            with open(os.path.join(content, "reports", year, name), "w", encoding="utf-8") as f:
                f.write(f"---\ntitle: \"{meta['title']}\"\ndate: {iso(meta['date'])}\n"
                        f"units: [\"{meta['unit']}\"]\ntags: {yaml_list(meta.get('tags', []))}\n"
                        f"stats:\n{stats}source: \"{meta.get('source', '')}\"\n---\n{body}")
    root = os.path.join(src, "content/articles")
    for name in sorted(os.listdir(root)):
        meta, body = parse(os.path.join(root, name))
        with open(os.path.join(content, "articles", name), "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: \"{meta['title']}\"\ndate: {iso(meta['date'])}\n"
                    f"categories: [\"{meta['category']}\"]\ntags: {yaml_list(meta.get('tags', []))}\n---\n{body}")
    os.makedirs(os.path.join(content, "pages"))
    with open(os.path.join(content, "pages", "about.md"), "w", encoding="utf-8") as f:
        f.write("---\ntitle: 关于本站\n---\n基准测试站点。\n")


if __name__ == "__main__":
    main()

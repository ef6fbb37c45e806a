//! Property and fuzz tests over the parsers hostile content reaches first:
//! the front-matter splitter, the YAML parser and locator, the figure
//! parser, the date and period parsers, the slug maker and the Markdown
//! renderer with its link rewriter. Inputs are arbitrary strings and the
//! fixtures' own files mutated (tokens inserted, ranges cut or repeated).
//! None may panic, and none may take long (a coarse bound per input).
//!
//! `cargo test --test fuzz` runs a bounded number of cases with a fixed
//! seed (deterministic in CI). A longer run, with another seed:
//!
//! ```text
//! PROPTEST_CASES=100000 PROPTEST_RNG_SEED=7 cargo test --release --test fuzz
//! ```

mod common;

use jianbao::config::SlugMode;
use jianbao::content::number::{format_figure, parse_figure};
use jianbao::content::{Date, Period};
use jianbao::render::markdown::{self, LinkContext};
use jianbao::site::slug::slugify;
use jianbao::{source, yaml};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Cases per property: `PROPTEST_CASES`, else a few hundred (seconds in all).
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(300);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0x006a_6961_6e62_616f);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// How long one input may take, in a debug build on a loaded machine.
const BOUND: Duration = Duration::from_secs(2);

/// Every Markdown file of the fixtures, plus a few hostile openings.
fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut v: Vec<String> = common::walk(&common::fixtures())
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        v.sort();
        v.extend(
            [
                "---\nextra: [[[{a: [1]}]]]\nstats:\n  横幅: \"600多\"\n---\n[x](javascript:alert(1))\n",
                "---\na: &a [1]\nb: [*a, *a]\n---\n| a | b |\n|---|---|\n| 1 | 2 |\n",
                "---\ntitle: \"引号\\\"\n---\n![](data:text/html,x) <b>x</b>\n",
            ]
            .map(String::from),
        );
        v
    })
}

/// Tokens the mutations insert: YAML and Markdown syntax, figure and date
/// parts, URL schemes, entities, control and wide characters.
const TOKENS: &[&str] = &[
    "---\n",
    "\n",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "&a ",
    "*a",
    "#",
    "\t",
    "  ",
    "|",
    "|---|",
    "](",
    "![",
    "<",
    ">",
    "javascript:",
    "JaVaScRiPt:",
    "data:",
    "&#106;",
    "&#x3a;",
    "%2e%2e/",
    "../",
    "万",
    "亿",
    "多",
    "余",
    "1.",
    "0",
    "9999999999999999999999999999",
    "-",
    "2024-",
    "年",
    "月",
    "日",
    "Q",
    "H",
    "\u{0}",
    "\u{1}",
    "\u{feff}",
    "\u{200b}",
    "陶乐镇",
    "𝒳",
    "\r\n",
    "\\",
];

/// One mutation: insert a token, cut a range or repeat a range.
#[derive(Debug, Clone)]
enum Edit {
    Insert(prop::sample::Index, usize),
    Cut(prop::sample::Index, usize),
    Repeat(prop::sample::Index, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), 0..TOKENS.len()).prop_map(|(i, t)| Edit::Insert(i, t)),
        1 => (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Edit::Cut(i, n)),
        1 => (any::<prop::sample::Index>(), 1usize..64, 2usize..40).prop_map(|(i, n, k)| Edit::Repeat(i, n, k)),
    ]
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, edits: &[Edit]) -> String {
    for e in edits {
        match e {
            Edit::Insert(i, t) => {
                let at = boundary(&s, i.index(s.len() + 1));
                s.insert_str(at, TOKENS[*t]);
            }
            Edit::Cut(i, n) => {
                let a = boundary(&s, i.index(s.len() + 1));
                let b = boundary(&s, a + n);
                s.replace_range(a..b, "");
            }
            Edit::Repeat(i, n, k) => {
                let a = boundary(&s, i.index(s.len() + 1));
                let b = boundary(&s, a + n);
                let piece = s[a..b].repeat(*k);
                s.insert_str(b, &piece);
            }
        }
    }
    s
}

/// A fixture file, mutated; or an arbitrary string.
fn input() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), prop::collection::vec(edit(), 0..16))
            .prop_map(|(i, edits)| apply(i.get(seeds()).clone(), &edits)),
        1 => any::<String>(),
    ]
}

/// Short texts for the scalar parsers: tokens and characters mixed.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(0..TOKENS.len(), 0..8)
            .prop_map(|v| v.into_iter().map(|t| TOKENS[t]).collect::<String>()),
        "[0-9.,，万亿多余年月日号QH\\- ]{0,24}",
        any::<String>(),
    ]
}

#[track_caller]
fn quick(start: Instant, what: &str) {
    assert!(start.elapsed() < BOUND, "{what} took {:?}", start.elapsed());
}

fn render(body: &str, unsafe_html: bool) -> markdown::Rendered {
    let by: HashMap<String, String> =
        [("articles/a.md".to_string(), "articles/a/".to_string())].into();
    let known: BTreeSet<String> = ["reports/x/".to_string(), "".to_string()].into();
    let assets: BTreeSet<String> = [
        "reports/2024/p.png".to_string(),
        "reports/2024/f.pdf".to_string(),
    ]
    .into();
    let ctx = LinkContext {
        base_path: "/cw/",
        source_dir: "reports/2024",
        by_source: &by,
        known: &known,
        assets: &assets,
    };
    markdown::render(body, unsafe_html, &ctx)
}

/// Every `href` and `src` value in `html`, attribute escapes undone.
fn urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let v = &rest[..rest.find('"').unwrap_or(rest.len())];
            out.push(
                v.replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
            );
        }
    }
    out
}

/// Whether a browser would run or open `url` as a script, a local file
/// or a non-image data document: the URL standard's reading (leading C0
/// controls and spaces dropped, tabs and newlines removed, scheme case
/// ignored), written apart from the code under test.
fn browser_runs(url: &str) -> bool {
    let u: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "file:"]
        .iter()
        .any(|s| u.starts_with(s))
        || (u.starts_with("data:")
            && !u.starts_with("data:image/png")
            && !u.starts_with("data:image/gif")
            && !u.starts_with("data:image/jpeg")
            && !u.starts_with("data:image/webp"))
}

proptest! {
    #![proptest_config(config())]

    /// The splitter, then YAML and the locator on what it split off.
    #[test]
    fn front_matter_and_yaml_never_panic(text in input()) {
        let t = Instant::now();
        let shown = Path::new("content/reports/x.md");
        let decoded = source::decode(text.clone().into_bytes(), shown);
        if let Ok(split) = source::split_front_matter(&text, shown) {
            prop_assert!(text.contains(split.front) && text.ends_with(split.body));
            prop_assert!(split.body_line >= 3);
            let parsed = yaml::parse_mapping(split.front);
            let loc = yaml::Locator::new(split.front);
            if let Ok(map) = parsed {
                for k in map.keys().map(yaml::show) {
                    loc.key(&k);
                    loc.child_key(Some(&k), "横幅");
                    loc.list_item(&k, 3);
                }
            }
            for n in 0..split.front.lines().count() + 2 {
                loc.value_col(n);
            }
        }
        drop(decoded);
        quick(t, "front matter");
    }

    /// Figures parse without panicking, and what they format to parses
    /// back to the same value.
    #[test]
    fn figures_never_panic_and_round_trip(s in scalar()) {
        let t = Instant::now();
        if let Some(f) = parse_figure(&s) {
            let shown = format_figure(&f);
            let back = parse_figure(&shown);
            prop_assert!(back.is_some_and(|b| b.value == f.value && b.approx == f.approx), "{s:?} → {shown:?}");
        }
        quick(t, "figure");
    }

    /// Dates and periods: no panic; a parsed date writes back to itself.
    #[test]
    fn dates_and_periods_never_panic(s in scalar()) {
        let t = Instant::now();
        if let Some(d) = Date::parse(&s) {
            let again = Date::parse(&d.ymd());
            prop_assert!(again.is_some_and(|a| (a.year, a.month, a.day) == (d.year, d.month, d.day)), "{s:?}");
            d.rfc3339();
        }
        if let Some(p) = Period::parse(&s) {
            p.label_zh();
            p.year();
        }
        quick(t, "date");
    }

    /// Slugs: no panic, and never a path or spaces.
    #[test]
    fn slugs_are_single_url_segments(s in scalar()) {
        let t = Instant::now();
        for mode in [SlugMode::Pinyin, SlugMode::Unicode] {
            let slug = slugify(&s, mode);
            prop_assert!(!slug.contains(['/', '\\']) && !slug.chars().any(char::is_whitespace), "{s:?} → {slug:?}");
            prop_assert!(slug != "." && slug != "..", "{s:?} → {slug:?}");
        }
        quick(t, "slug");
    }

    /// Markdown with links: no panic, and with raw HTML off no script URL
    /// or raw tag comes out, whatever the input.
    #[test]
    fn markdown_never_panics_nor_emits_scripts(text in input()) {
        let t = Instant::now();
        let body = source::split_front_matter(&text, Path::new("x.md")).map_or(text.as_str(), |s| s.body);
        let r = render(body, false);
        prop_assert!(!r.html.contains("<script"), "{}", r.html);
        for url in urls(&r.html) {
            prop_assert!(!browser_runs(&url), "{url:?} in {}", r.html);
        }
        for f in &r.findings {
            jianbao::source::line_col(body, f.offset);
        }
        render(body, true);
        quick(t, "markdown");
    }

    /// The URL check alone, on URL-like strings.
    #[test]
    fn unsafe_schemes_survive_any_disguise(
        pre in "[ \\t\\n\\u{0}-\\u{1f}]{0,3}",
        scheme in prop::sample::select(vec!["javascript", "vbscript", "file", "data"]),
        flips in any::<u32>(),
        tab in any::<prop::sample::Index>(),
    ) {
        let mut s: String = scheme
            .chars()
            .enumerate()
            .map(|(i, c)| if flips >> (i % 32) & 1 == 1 { c.to_ascii_uppercase() } else { c })
            .collect();
        let at = tab.index(s.len() + 1);
        s.insert(at, '\t');
        let url = format!("{pre}{s}:text/html,alert(1)");
        prop_assert!(markdown::unsafe_scheme(&url).is_some(), "{url:?}");
    }
}

/// Inputs the harness found, kept so they stay fixed (see docs/security.md).
#[test]
fn found_by_the_fuzzer() {
    // Requoting over-long integers: a key followed by a huge integer in
    // a flow list, and signs.
    for fm in [
        "a: [99999999999999999999999]\n",
        "a: -99999999999999999999999\n",
        "a: +1\n",
    ] {
        let _ = yaml::parse_mapping(fm);
    }
    assert!(parse_figure("9999999999999999999999999999亿").is_none());
    // Seed 3: `javascript|---|:` is no scheme (a `|` in it), so the link is
    // relative and harmless; the harness now reads URLs as browsers do.
    let r = render("[x](javascript|---|:alert(1))\n", false);
    assert!(urls(&r.html).iter().all(|u| !browser_runs(u)), "{}", r.html);
    assert!(browser_runs(" \u{1}Java\tScript:x") && !browser_runs("javascript|:x"));
}

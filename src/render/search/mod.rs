//! The static search index: a small document table, token postings sharded by a hash of the token, and titles plus snippet text in chunks, all fetched on demand by `search.js`.
//!
//! Document ids run newest first (reports and articles by date, then pages),
//! so the client breaks score ties by id alone. Files (under `search/`):
//! - `docs.json`: `{v, bits, chunk, kinds, units, ku}`: all a query needs
//!   before it can rank and filter; `ku[id] = (unit index + 1) * 4 + kind`
//!   (unit 0: none; kind 0 报告, 1 文章, 2 页面). About 4 bytes a document.
//! - `idx/<shard>.json`: token → postings, one integer per document holding
//!   it: `(id - previous id) * 256 + min(tf, 15) * 16 + fields`, fields being
//!   [`TITLE`] | [`UNIT`] | [`TAGS`] | [`BODY`]. A token's shard is
//!   [`tokenize::shard`] with `bits` (a hash of the whole token, so shards
//!   are of even size); a query fetches one shard per distinct token.
//! - `text/<n>.json`: `[[title, path, date, tags, text]]` for documents
//!   `n * chunk ..`; text is the body cut at [`MAX_TEXT`] characters, for
//!   snippets. A result page fetches the chunks of the hits it shows.

pub mod tokenize;

use super::Bodies;
use crate::site::Site;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

pub const TITLE: u8 = 1;
pub const UNIT: u8 = 2;
pub const TAGS: u8 = 4;
pub const BODY: u8 = 8;

/// Characters of body text kept per document for snippets: a match further
/// in is still found, its snippet shows the beginning.
pub const MAX_TEXT: usize = 1500;
/// Aimed-at size of one postings shard, in bytes (about a quarter of that
/// gzipped); a query fetches one per distinct token.
const SHARD_BYTES: usize = 64 * 1024;
/// Aimed-at size of one text chunk: a result page fetches about one per hit.
/// Smaller means more files to write.
const CHUNK_BYTES: usize = 16 * 1024;
/// At least 8 shards: tiny files cost little, and the client's shard
/// arithmetic is exercised on every site, small test sites included.
/// At most 4096: 64 KB each holds about 250 MB of postings.
const MIN_BITS: u32 = 3;
const MAX_BITS: u32 = 12;

/// A `text/<n>.json` entry: title, site path, date, tags, text. The text is
/// the full plain text here and cut to a snippet only when its chunk is
/// written, so a large site's snippets never all sit in memory.
type DocRow<'a> = (&'a str, &'a str, String, Vec<&'a str>, &'a str);

/// One document's contribution to the index.
struct DocInput<'a> {
    title: &'a str,
    path: &'a str,
    date: String,
    tags: Vec<&'a str>,
    /// `(unit + 1) * 4 + kind`.
    ku: usize,
    /// Texts per field bit, borrowed from the model (the year, from `date`,
    /// is added to the body). Tokenizing pieces one
    /// by one equals tokenizing them joined by spaces or newlines (both end
    /// a CJK run and a word), so nothing is concatenated or copied.
    fields: Vec<(u8, &'a str)>,
    text: &'a str,
}

/// The built index, ready to be written file by file.
pub struct Index<'a> {
    ku: Vec<usize>,
    units: Vec<&'a str>,
    bits: u32,
    chunk: usize,
    /// Per shard: (token, encoded postings), sorted by token.
    shards: Vec<Vec<(String, Vec<u32>)>>,
    rows: Vec<DocRow<'a>>,
}

#[derive(Serialize)]
struct DocsFile<'a> {
    v: u32,
    bits: u32,
    chunk: usize,
    kinds: [&'static str; 3],
    units: &'a [&'a str],
    ku: &'a [usize],
}

/// Collapses whitespace runs to one space and cuts at `max` characters.
fn snippet_text(plain: &str, max: usize) -> String {
    let mut out = String::with_capacity(plain.len().min(max * 3));
    let mut n = 0;
    for w in plain.split_whitespace() {
        if n > 0 {
            out.push(' ');
            n += 1;
        }
        // Whole words are copied at once; only the last one is cut.
        let len = w.chars().count();
        if n + len <= max {
            out.push_str(w);
            n += len;
        } else {
            out.extend(w.chars().take(max.saturating_sub(n)));
            return out;
        }
    }
    out
}

/// FxHash (rustc's): much faster than SipHash on the millions of short
/// tokens a large site has; no untrusted keys are involved.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

/// One token's postings while the index is built: codes as in the shard
/// files (the first one relative to document 0), `last` the newest id.
#[derive(Default)]
struct Posting {
    last: u32,
    codes: Vec<u32>,
}

impl Posting {
    /// Records one occurrence in document `id` (ids arrive in order).
    fn add(&mut self, id: u32, bit: u8) {
        let tf = if bit == BODY { 16 } else { 0 };
        match self.codes.last_mut() {
            Some(c) if self.last == id => {
                *c |= u32::from(bit);
                if tf > 0 && (*c >> 4) & 15 < 15 {
                    *c += 16;
                }
            }
            _ => {
                self.codes
                    .push((id - self.last) * 256 + tf + u32::from(bit));
                self.last = id;
            }
        }
    }

    /// Appends the postings of later documents (`next` built from 0).
    fn append(&mut self, mut next: Posting) {
        if let Some(first) = next.codes.first_mut() {
            *first -= self.last * 256;
        }
        if self.codes.is_empty() {
            self.codes = next.codes;
        } else {
            self.codes.extend_from_slice(&next.codes);
        }
        self.last = next.last;
    }
}

fn unpack(mut k: u64) -> String {
    let mut cs = Vec::with_capacity(3);
    while k > 0 {
        cs.push(char::from_u32((k & 0x1f_ffff) as u32).unwrap_or('\u{fffd}'));
        k >>= 21;
    }
    cs.iter().rev().collect()
}

/// The postings of a run of documents, keyed by token.
#[derive(Default)]
struct Postings {
    short: FxMap<u64, Posting>,
    long: FxMap<Box<str>, Posting>,
}

impl Postings {
    /// Adds every token of `text` in document `id` under field `bit`.
    fn add_text(&mut self, text: &str, id: u32, bit: u8) {
        let (short, long) = (&mut self.short, &mut self.long);
        tokenize::each_packed(
            text,
            |k| short.entry(k).or_default().add(id, bit),
            |t| match long.get_mut(t) {
                Some(p) => p.add(id, bit),
                None => long.entry(t.into()).or_default().add(id, bit),
            },
        );
    }

    /// `self` then `next` (documents of `next` all come after).
    fn merge(mut self, next: Postings) -> Postings {
        for (k, p) in next.short {
            self.short.entry(k).or_default().append(p);
        }
        for (k, p) in next.long {
            self.long.entry(k).or_default().append(p);
        }
        self
    }
}

fn digits(mut n: u32) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Appends `n` in decimal (the shards hold millions of numbers; this is
/// several times faster than `write!`).
fn push_u32(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| char::from(b)));
}

/// `{"token":[codes…],…}` in token order.
fn shard_to_json(entries: &[(String, Vec<u32>)]) -> String {
    let size: usize = entries.iter().map(|(t, c)| t.len() + 6 + c.len() * 8).sum();
    let mut out = String::with_capacity(size + 2);
    out.push('{');
    for (i, (t, codes)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(t).unwrap_or_default());
        out.push_str(":[");
        for (j, &c) in codes.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_u32(&mut out, c);
        }
        out.push(']');
    }
    out.push('}');
    out
}

/// Tokenizes documents `first..` of `docs` (ids from `first`).
fn index_run(first: usize, docs: &[DocInput]) -> Postings {
    let mut p = Postings::default();
    for (i, d) in docs.iter().enumerate() {
        let id = u32::try_from(first + i).expect("fewer than 16 million documents");
        for &(bit, text) in &d.fields {
            p.add_text(text, id, bit);
        }
        // Reports and articles are found by their year too.
        if let Some(year) = d.date.get(..4) {
            p.add_text(year, id, BODY);
        }
    }
    p
}

impl<'a> Index<'a> {
    /// Indexes every report, article and page of the model.
    pub fn build(site: &'a Site, bodies: &'a Bodies) -> Index<'a> {
        let units: Vec<&str> = site.units.iter().map(|u| u.name.as_str()).collect();
        let unit_names = |i: usize, fields: &mut Vec<(u8, &'a str)>| {
            let u = &site.units[i];
            fields.push((UNIT, u.name.as_str()));
            fields.extend(u.aliases.iter().map(|a| (UNIT, a.as_str())));
        };
        // Reports and articles merged newest first (each list already is).
        let mut dated: Vec<(crate::content::Date, bool, usize)> = site
            .reports
            .iter()
            .enumerate()
            .map(|(i, r)| (r.doc.date, true, i))
            .chain(
                site.articles
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.doc.date, false, i)),
            )
            .collect();
        dated.sort_by_key(|d| std::cmp::Reverse(d.0.sort_key()));
        let mut inputs: Vec<DocInput> = Vec::with_capacity(dated.len() + site.pages.len());
        // The body, then summary, author and source (the year: `index_run`).
        let body =
            |fields: &mut Vec<(u8, &'a str)>, plain: &'a str, extras: [&'a Option<String>; 3]| {
                fields.push((BODY, plain));
                fields.extend(extras.into_iter().flatten().map(|x| (BODY, x.as_str())));
            };
        for (_, is_report, i) in dated {
            if is_report {
                let (r, m) = (&site.reports[i], &bodies.reports[i]);
                let d = &r.doc;
                let mut fields = vec![(TITLE, d.common.title.as_str())];
                unit_names(r.unit, &mut fields);
                fields.extend(d.tags.iter().map(|t| (TAGS, t.as_str())));
                body(&mut fields, &m.plain, [&d.summary, &d.author, &d.source]);
                inputs.push(DocInput {
                    fields,
                    title: &d.common.title,
                    path: &r.path,
                    tags: d.tags.iter().map(String::as_str).collect(),
                    ku: (r.unit + 1) * 4,
                    date: d.date.ymd(),
                    text: &m.plain,
                });
            } else {
                let (a, m) = (&site.articles[i], &bodies.articles[i]);
                let d = &a.doc;
                let mut fields = vec![(TITLE, d.common.title.as_str())];
                if let Some(u) = a.unit {
                    unit_names(u, &mut fields);
                }
                fields.extend(d.tags.iter().map(|t| (TAGS, t.as_str())));
                fields.extend(d.category.iter().map(|c| (TAGS, c.as_str())));
                body(&mut fields, &m.plain, [&d.summary, &d.author, &d.source]);
                inputs.push(DocInput {
                    fields,
                    title: &d.common.title,
                    path: &a.path,
                    tags: d.tags.iter().map(String::as_str).collect(),
                    ku: a.unit.map_or(0, |u| u + 1) * 4 + 1,
                    date: d.date.ymd(),
                    text: &m.plain,
                });
            }
        }
        for (p, m) in site.pages.iter().zip(&bodies.pages) {
            inputs.push(DocInput {
                fields: vec![
                    (TITLE, p.doc.common.title.as_str()),
                    (BODY, m.plain.as_str()),
                ],
                title: &p.doc.common.title,
                path: &p.path,
                date: String::new(),
                tags: Vec::new(),
                ku: 2,
                text: &m.plain,
            });
        }

        let ku: Vec<usize> = inputs.iter().map(|d| d.ku).collect();

        // Runs of documents are tokenized in parallel, each into its own
        // postings, and merged in document order: a token's later run
        // continues its delta chain from the earlier run's last id.
        let run = inputs
            .len()
            .div_ceil(4 * rayon::current_num_threads())
            .max(64);
        // Merged one run at a time into the first, each run freed as it is
        // taken in: a tree of merges would hold twice the postings at its root.
        let runs: Vec<Postings> = inputs
            .par_chunks(run)
            .enumerate()
            .map(|(n, docs)| index_run(n * run, docs))
            .collect();
        let postings = runs.into_iter().reduce(Postings::merge).unwrap_or_default();
        let mut tokens: Vec<(String, Vec<u32>)> = postings
            .short
            .into_iter()
            .map(|(k, p)| (unpack(k), p.codes))
            .chain(
                postings
                    .long
                    .into_iter()
                    .map(|(k, p)| (String::from(k), p.codes)),
            )
            .collect();
        let json_bytes: usize = tokens
            .par_iter()
            .map(|(t, codes)| t.len() + 5 + codes.iter().map(|&c| digits(c) + 1).sum::<usize>())
            .sum();
        let mut bits = MIN_BITS;
        while bits < MAX_BITS && (json_bytes >> bits) > SHARD_BYTES {
            bits += 1;
        }
        let mut shards: Vec<Vec<(String, Vec<u32>)>> = vec![Vec::new(); 1 << bits];
        for (t, codes) in tokens.drain(..) {
            shards[tokenize::shard(&t, bits)].push((t, codes));
        }
        shards
            .par_iter_mut()
            .for_each(|s| s.sort_unstable_by(|a, b| a.0.cmp(&b.0)));

        // Tokenizing is done with the field texts; keep what the chunks show.
        let rows: Vec<DocRow> = inputs
            .into_iter()
            .map(|d| (d.title, d.path, d.date, d.tags, d.text))
            .collect();
        let row_bytes: usize = rows
            .par_iter()
            .map(|r| r.0.len() + r.1.len() + r.2.len() + snippet_text(r.4, MAX_TEXT).len() + 20)
            .sum();
        let chunk = if rows.is_empty() {
            1
        } else {
            (CHUNK_BYTES * rows.len() / row_bytes.max(1)).clamp(1, 1000)
        };
        Index {
            ku,
            units,
            bits,
            chunk,
            shards,
            rows,
        }
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    pub fn chunk_count(&self) -> usize {
        self.rows.len().div_ceil(self.chunk)
    }

    /// `search/docs.json`.
    pub fn docs_json(&self) -> String {
        serde_json::to_string(&DocsFile {
            v: 2,
            bits: self.bits,
            chunk: self.chunk,
            kinds: ["报告", "文章", "页面"],
            units: &self.units,
            ku: &self.ku,
        })
        .unwrap_or_default()
    }

    /// Site path and JSON of postings shard `n`.
    pub fn shard_json(&self, n: usize) -> (String, String) {
        (
            format!("search/idx/{n}.json"),
            shard_to_json(&self.shards[n]),
        )
    }

    /// Site path and JSON of text chunk `n` (titles, paths, dates, tags, texts).
    pub fn text_json(&self, n: usize) -> (String, String) {
        let from = n * self.chunk;
        let to = (from + self.chunk).min(self.rows.len());
        (
            format!("search/text/{n}.json"),
            serde_json::to_string(
                &self.rows[from..to]
                    .iter()
                    .map(|r| (r.0, r.1, &r.2, &r.3, snippet_text(r.4, MAX_TEXT)))
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::tokenize::pack;
    use super::*;

    #[test]
    fn search_push_u32_is_decimal() {
        for n in [0, 7, 10, 256, 4_294_967_295] {
            let mut s = String::from("x");
            push_u32(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn search_short_tokens_pack_uniquely() {
        for t in ["卫", "卫生", "gb7", "a", "ab", "𠀀𠀁"] {
            assert_eq!(unpack(pack(t).unwrap()), t);
        }
        assert_ne!(pack("ab"), pack("b"));
        assert_eq!(pack("2024"), None);
    }

    #[test]
    fn search_postings_merge_continues_delta_chain() {
        let mut a = Posting::default();
        a.add(2, BODY);
        a.add(2, BODY);
        a.add(2, TITLE);
        let mut b = Posting::default();
        b.add(5, TAGS);
        a.append(b);
        assert_eq!(a.codes, vec![2 * 256 + 2 * 16 + 9, 3 * 256 + 4]);
        assert_eq!(a.last, 5);
    }

    #[test]
    fn search_snippet_text_collapses_and_cuts() {
        assert_eq!(snippet_text("  一 \n\n 二三  ", 10), "一 二三");
        assert_eq!(snippet_text("门前五包职责", 4), "门前五包");
        assert_eq!(snippet_text("门前 五包", 2), "门前 ");
        assert_eq!(snippet_text("门前 五包", 3), "门前 ");
        assert_eq!(snippet_text("门前 五包", 4), "门前 五");
        assert_eq!(snippet_text("a b", 10), "a b");
    }
}

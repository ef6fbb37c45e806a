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
//!
//! [`Index`] builds all of it at once (`build`, `check`); [`SearchCache`]
//! keeps it between the rebuilds of `serve` and redoes only what an edit
//! touches, writing the same bytes.

mod cache;
pub mod tokenize;

pub use cache::{SearchCache, SearchReuse};

use super::Bodies;
use crate::site::Site;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Borrow;
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

/// The aimed-at file sizes; a cached build and a full one with the same
/// sizes write the same bytes. Only tests use other than [`Sizes::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizes {
    /// Bytes of postings a shard aims at ([`SHARD_BYTES`]).
    shard: usize,
    /// Bytes of rows a text chunk aims at ([`CHUNK_BYTES`]).
    chunk: usize,
}

impl Sizes {
    const DEFAULT: Sizes = Sizes {
        shard: SHARD_BYTES,
        chunk: CHUNK_BYTES,
    };

    /// Shard bits for postings estimated at `json_bytes` (see [`token_cost`]).
    fn bits(self, json_bytes: usize) -> u32 {
        let mut bits = MIN_BITS;
        while bits < MAX_BITS && (json_bytes >> bits) > self.shard {
            bits += 1;
        }
        bits
    }

    /// Documents per text chunk for `docs` rows costing `row_bytes` in all
    /// (see [`row_cost`]).
    fn chunk(self, docs: usize, row_bytes: usize) -> usize {
        if docs == 0 {
            1
        } else {
            (self.chunk * docs / row_bytes.max(1)).clamp(1, 1000)
        }
    }
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes::DEFAULT
    }
}

/// A token's share of the postings estimate that sets the shard count:
/// its length, 5, and per posting the digits of its code plus one.
fn token_cost(token: &str, codes: impl Iterator<Item = u32>) -> usize {
    token.len() + 5 + codes.map(|c| digits(c) + 1).sum::<usize>()
}

/// A document's share of the row estimate that sets the chunk size.
fn row_cost(title: &str, path: &str, date: &str, snippet_len: usize) -> usize {
    title.len() + path.len() + date.len() + snippet_len + 20
}

/// Appends a document's `text/<n>.json` row `[title, path, date, tags,
/// snippet]`; a chunk is its rows joined by commas inside brackets, the
/// same bytes as serializing the list at once.
fn push_row(out: &mut Vec<u8>, d: &DocInput, ymd: &str, snippet: &str) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &(d.title, d.path, ymd, d.tags, snippet));
}

/// `search/docs.json`.
fn docs_json(bits: u32, chunk: usize, units: &[&str], ku: &[usize]) -> String {
    serde_json::to_string(&DocsFile {
        v: 2,
        bits,
        chunk,
        kinds: ["报告", "文章", "页面"],
        units,
        ku,
    })
    .unwrap_or_default()
}

/// One document's contribution to the index, borrowed from the model
/// (nothing is copied: `serve` gathers these on every rebuild). Its
/// `text/<n>.json` row is title, site path, date, tags and `text`, cut to a
/// snippet only when its chunk is written, so a large site's snippets never
/// all sit in memory.
struct DocInput<'a> {
    title: &'a str,
    path: &'a str,
    /// Reports and articles; shown as [`Date::ymd`](crate::content::Date::ymd).
    date: Option<crate::content::Date>,
    tags: &'a [String],
    category: Option<&'a str>,
    unit: Option<&'a crate::site::UnitEntry>,
    /// Summary, author and source, found as body text.
    extras: [Option<&'a str>; 3],
    /// `(unit + 1) * 4 + kind`.
    ku: usize,
    /// The body's plain text ([`BODY`]).
    text: &'a str,
    /// [`super::markdown::Rendered::key`] of the body: equal keys, equal
    /// `text`; 0 when unknown.
    key: u64,
}

impl DocInput<'_> {
    /// The date as rows show it; empty for pages.
    fn ymd(&self) -> String {
        self.date.map(|d| d.ymd()).unwrap_or_default()
    }

    /// Calls `f` with every text the document is found by and its field:
    /// title, unit names, tags and category, body text and the year of the
    /// date. Tokenizing pieces one by one equals tokenizing them joined by
    /// spaces or newlines (both end a CJK run and a word), so nothing is
    /// concatenated; a document's postings (field bits, body term
    /// frequency) do not depend on the order.
    fn each_text(&self, mut f: impl FnMut(&str, u8)) {
        f(self.title, TITLE);
        if let Some(u) = self.unit {
            f(&u.name, UNIT);
            for a in &u.aliases {
                f(a, UNIT);
            }
        }
        for t in self.tags.iter().map(String::as_str).chain(self.category) {
            f(t, TAGS);
        }
        for x in self.extras.into_iter().flatten() {
            f(x, BODY);
        }
        f(self.text, BODY);
        // Reports and articles are found by their year too.
        if let Some(year) = self.ymd().get(..4) {
            f(year, BODY);
        }
    }
}

/// The built index, ready to be written file by file.
pub struct Index<'a> {
    ku: Vec<usize>,
    units: Vec<&'a str>,
    bits: u32,
    chunk: usize,
    /// Per shard: (token, encoded postings), sorted by token.
    shards: Vec<Vec<(String, Vec<u32>)>>,
    rows: Vec<DocInput<'a>>,
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
    snippet(plain, max, |piece| out.push_str(piece));
    out
}

/// The length in bytes of [`snippet_text`], found without building it.
fn snippet_len(plain: &str, max: usize) -> usize {
    let mut len = 0;
    snippet(plain, max, |piece| len += piece.len());
    len
}

/// How [`snippet`] reads a byte of UTF-8.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Byte {
    /// Starts a character that is not white space.
    Char,
    /// Continues a character.
    Cont,
    /// ASCII white space.
    Space,
    /// Starts a character that may be white space (U+0085, U+00A0,
    /// U+1680, U+2000.., U+3000): decoded.
    Maybe,
}

const BYTES: [Byte; 256] = {
    let mut t = [Byte::Char; 256];
    let mut b = 0x80;
    while b < 0xc0 {
        t[b] = Byte::Cont;
        b += 1;
    }
    t[b' ' as usize] = Byte::Space;
    t[0x09] = Byte::Space;
    t[0x0a] = Byte::Space;
    t[0x0b] = Byte::Space;
    t[0x0c] = Byte::Space;
    t[0x0d] = Byte::Space;
    t[0xc2] = Byte::Maybe;
    t[0xe1] = Byte::Maybe;
    t[0xe2] = Byte::Maybe;
    t[0xe3] = Byte::Maybe;
    t
};

/// Calls `put` with the pieces of [`snippet_text`] in order: words (a
/// last one perhaps cut) and the spaces between them. One pass over the
/// bytes, which decodes only characters that may be white space beyond
/// ASCII.
#[inline]
fn snippet(plain: &str, max: usize, mut put: impl FnMut(&str)) {
    let bytes = plain.as_bytes();
    // The length of the character at byte `i` if it is white space, else 0.
    let space = |i: usize| -> usize {
        match BYTES[usize::from(bytes[i])] {
            Byte::Space => 1,
            Byte::Maybe => plain[i..]
                .chars()
                .next()
                .filter(|c| c.is_whitespace())
                .map_or(0, char::len_utf8),
            Byte::Char | Byte::Cont => 0,
        }
    };
    let (mut i, mut n) = (0, 0);
    loop {
        while i < bytes.len() {
            match space(i) {
                0 => break,
                len => i += len,
            }
        }
        if i == bytes.len() {
            return;
        }
        let (start, mut chars) = (i, 0);
        while i < bytes.len() {
            match BYTES[usize::from(bytes[i])] {
                Byte::Char => chars += 1,
                Byte::Cont => {}
                Byte::Space => break,
                Byte::Maybe if space(i) > 0 => break,
                Byte::Maybe => chars += 1,
            }
            i += 1;
        }
        let word = &plain[start..i];
        if n > 0 {
            put(" ");
            n += 1;
        }
        // Whole words at once; only the last one is cut.
        if n + chars <= max {
            put(word);
            n += chars;
        } else {
            let keep = max.saturating_sub(n);
            put(word
                .char_indices()
                .nth(keep)
                .map_or(word, |(b, _)| &word[..b]));
            return;
        }
    }
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

/// Decimal digits of `n`.
fn digits(n: u32) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}

/// "00", "01", … "99".
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Appends `n` in decimal, two digits at a time (the shards hold millions
/// of numbers; this is several times faster than `write!`).
fn push_u32(out: &mut Vec<u8>, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `"token":[codes…]`, the entry of one token in a shard.
fn push_entry(out: &mut Vec<u8>, token: &str, codes: impl Iterator<Item = u32>) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, token);
    out.extend_from_slice(b":[");
    for (j, c) in codes.enumerate() {
        if j > 0 {
            out.push(b',');
        }
        push_u32(out, c);
    }
    out.push(b']');
}

/// `{"token":[codes…],…}` in token order.
fn shard_to_json(entries: &[(String, Vec<u32>)]) -> Vec<u8> {
    let size: usize = entries.iter().map(|(t, c)| t.len() + 6 + c.len() * 8).sum();
    let mut out = Vec::with_capacity(size + 2);
    out.push(b'{');
    for (i, (t, codes)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_entry(&mut out, t, codes.iter().copied());
    }
    out.push(b'}');
    out
}

/// Tokenizes documents `first..` of `docs` (ids from `first`).
fn index_run<'a, D: Borrow<DocInput<'a>>>(first: usize, docs: &[D]) -> Postings {
    let mut p = Postings::default();
    for (i, d) in docs.iter().enumerate() {
        let id = u32::try_from(first + i).expect("fewer than 16 million documents");
        d.borrow().each_text(|text, bit| p.add_text(text, id, bit));
    }
    p
}

/// The postings of `docs` (ids from 0). Runs of documents are tokenized in
/// parallel, each into its own postings, and merged in document order: a
/// token's later run continues its delta chain from the earlier run's last id.
fn postings<'a, D: Borrow<DocInput<'a>> + Sync>(docs: &[D]) -> Postings {
    let run = docs
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(64);
    // Merged one run at a time into the first, each run freed as it is
    // taken in: a tree of merges would hold twice the postings at its root.
    let runs: Vec<Postings> = docs
        .par_chunks(run)
        .enumerate()
        .map(|(n, docs)| index_run(n * run, docs))
        .collect();
    runs.into_iter().reduce(Postings::merge).unwrap_or_default()
}

/// The documents of the index in id order, and the unit names.
fn inputs<'a>(site: &'a Site, bodies: &'a Bodies) -> (Vec<&'a str>, Vec<DocInput<'a>>) {
    let units: Vec<&str> = site.units.iter().map(|u| u.name.as_str()).collect();
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
    for (_, is_report, i) in dated {
        inputs.push(if is_report {
            let (r, m) = (&site.reports[i], &bodies.reports[i]);
            let d = &r.doc;
            DocInput {
                title: &d.common.title,
                path: &r.path,
                date: Some(d.date),
                tags: &d.tags,
                category: None,
                unit: Some(&site.units[r.unit]),
                extras: [&d.summary, &d.author, &d.source].map(Option::as_deref),
                ku: (r.unit + 1) * 4,
                text: &m.plain,
                key: m.key,
            }
        } else {
            let (a, m) = (&site.articles[i], &bodies.articles[i]);
            let d = &a.doc;
            DocInput {
                title: &d.common.title,
                path: &a.path,
                date: Some(d.date),
                tags: &d.tags,
                category: d.category.as_deref(),
                unit: a.unit.map(|u| &site.units[u]),
                extras: [&d.summary, &d.author, &d.source].map(Option::as_deref),
                ku: a.unit.map_or(0, |u| u + 1) * 4 + 1,
                text: &m.plain,
                key: m.key,
            }
        });
    }
    for (p, m) in site.pages.iter().zip(&bodies.pages) {
        inputs.push(DocInput {
            title: &p.doc.common.title,
            path: &p.path,
            date: None,
            tags: &[],
            category: None,
            unit: None,
            extras: [None; 3],
            ku: 2,
            text: &m.plain,
            key: m.key,
        });
    }
    (units, inputs)
}

impl<'a> Index<'a> {
    /// Indexes every report, article and page of the model.
    pub fn build(site: &'a Site, bodies: &'a Bodies) -> Index<'a> {
        Index::build_sized(site, bodies, Sizes::DEFAULT)
    }

    fn build_sized(site: &'a Site, bodies: &'a Bodies, sizes: Sizes) -> Index<'a> {
        let (units, inputs) = inputs(site, bodies);
        let ku: Vec<usize> = inputs.iter().map(|d| d.ku).collect();

        let postings = postings(&inputs);
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
            .map(|(t, codes)| token_cost(t, codes.iter().copied()))
            .sum();
        let bits = sizes.bits(json_bytes);
        let mut shards: Vec<Vec<(String, Vec<u32>)>> = vec![Vec::new(); 1 << bits];
        for (t, codes) in tokens.drain(..) {
            shards[tokenize::shard(&t, bits)].push((t, codes));
        }
        shards
            .par_iter_mut()
            .for_each(|s| s.sort_unstable_by(|a, b| a.0.cmp(&b.0)));

        let row_bytes: usize = inputs
            .par_iter()
            .map(|d| row_cost(d.title, d.path, &d.ymd(), snippet_len(d.text, MAX_TEXT)))
            .sum();
        let chunk = sizes.chunk(inputs.len(), row_bytes);
        Index {
            ku,
            units,
            bits,
            chunk,
            shards,
            rows: inputs,
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
        docs_json(self.bits, self.chunk, &self.units, &self.ku)
    }

    /// Site path and JSON of postings shard `n`.
    pub fn shard_json(&self, n: usize) -> (String, Vec<u8>) {
        (
            format!("search/idx/{n}.json"),
            shard_to_json(&self.shards[n]),
        )
    }

    /// Site path and JSON of text chunk `n` (titles, paths, dates, tags, texts).
    pub fn text_json(&self, n: usize) -> (String, Vec<u8>) {
        let from = n * self.chunk;
        let to = (from + self.chunk).min(self.rows.len());
        let mut out = Vec::with_capacity((to - from) * MAX_TEXT * 2);
        out.push(b'[');
        for (i, d) in self.rows[from..to].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_row(&mut out, d, &d.ymd(), &snippet_text(d.text, MAX_TEXT));
        }
        out.push(b']');
        (format!("search/text/{n}.json"), out)
    }
}

#[cfg(test)]
mod tests {
    use super::tokenize::pack;
    use super::*;

    #[test]
    fn search_push_u32_is_decimal() {
        for n in [0, 7, 10, 99, 100, 256, 1009, 65_536, 4_294_967_295] {
            let mut s = b"x".to_vec();
            push_u32(&mut s, n);
            assert_eq!(s, format!("x{n}").into_bytes());
            assert_eq!(digits(n), n.to_string().len());
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
        assert_eq!(
            snippet_text("\u{3000}一\u{a0}二\u{85}\u{2003}三\u{200b}四", 10),
            "一 二 三\u{200b}四"
        );
        assert_eq!(snippet_text("ab cd", 4), "ab c");
        assert_eq!(snippet_text("ab cd", 2), "ab ");
        assert_eq!(snippet_text("", 2), "");
        for (text, max) in [
            ("  一 \n\n 二三  ", 10),
            ("门前 五包", 3),
            ("é\u{3000}ü x", 2),
        ] {
            assert_eq!(snippet_len(text, max), snippet_text(text, max).len());
        }
    }
}

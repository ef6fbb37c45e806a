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
//! [`Index`] builds all of it at once (`build`, `check`): runs of documents
//! are tokenized in parallel, each with dense token ids, and their postings
//! merged in partitions of tokens, also in parallel. [`SearchCache`] keeps
//! it between the rebuilds of `serve` and redoes only what an edit touches,
//! writing the same bytes.

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

/// The tokens of a shard, each with its postings (shard codes).
type Shard = Vec<(String, Vec<u32>)>;

/// The built index, ready to be written file by file.
pub struct Index<'a> {
    ku: Vec<usize>,
    units: Vec<&'a str>,
    bits: u32,
    chunk: usize,
    /// Per shard: each token and its postings, sorted by token.
    shards: Vec<Shard>,
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

/// CJK unified ideographs (U+4E00..=U+9FFF): most tokens of a Chinese site
/// are these characters, looked up by code point rather than hashed.
const HAN: std::ops::RangeInclusive<u64> = 0x4e00..=0x9fff;

/// Token ids are dense within a [`Run`]; the postings of all runs are merged
/// in partitions, a token's by the low [`MIN_BITS`] bits of its shard hash:
/// every shard lies within one partition, whatever the shard count.
const PARTS: usize = 1 << MIN_BITS;

/// Token ids of bigrams of two [`HAN`] characters, the commonest tokens
/// after single characters: an open-addressing table of `key << 32 | id`
/// (key 0: empty), one probe of one word where a general map reads a
/// control byte and a slot.
struct Bigrams {
    slots: Vec<u64>,
    len: usize,
}

impl Bigrams {
    fn new() -> Bigrams {
        Bigrams {
            slots: vec![0; 1 << 12],
            len: 0,
        }
    }

    /// The key of the bigram of HAN characters `a`, `b` (offsets in
    /// [`HAN`]): never 0.
    fn key(a: u64, b: u64) -> u32 {
        (a * 0x5200 + b + 1) as u32
    }

    fn slot(&self, key: u32) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9e37_79b1) >> (32 - bits)) as usize
    }

    /// The id of `key`, given by `new` if it has none yet.
    #[inline]
    fn id(&mut self, key: u32, new: impl FnOnce() -> u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let s = self.slots[i];
            if s >> 32 == u64::from(key) {
                return s as u32;
            }
            if s == 0 {
                let id = new();
                self.slots[i] = u64::from(key) << 32 | u64::from(id);
                self.len += 1;
                if self.len * 2 > self.slots.len() {
                    self.grow();
                }
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|&s| s != 0) {
            let mut i = self.slot((s >> 32) as u32);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    /// Every bigram as a [`tokenize::pack`]ed token, with its id.
    fn drain(self) -> impl Iterator<Item = (u64, u32)> {
        self.slots.into_iter().filter(|&s| s != 0).map(|s| {
            let k = (s >> 32) - 1;
            let (a, b) = (k / 0x5200 + HAN.start(), k % 0x5200 + HAN.start());
            (a << 21 | b, s as u32)
        })
    }
}

/// One run's postings of the tokens of one partition: each token's codes
/// contiguous in `codes`, in the order of `short` then `long`, which hold
/// each token with its number of codes and its last document id. The
/// first code of a token is relative to document 0.
#[derive(Default)]
struct Part {
    codes: Vec<u32>,
    short: Vec<(u64, u32, u32)>,
    long: Vec<(Box<str>, u32, u32)>,
}

/// The postings of a run of documents. Tokens get dense ids in the order
/// they are first seen. A document's entries gather in `entry` (by token
/// id; a run's tokens are few, so it stays in cache) and are appended to
/// `postings` at the document's end, one per distinct token; at the run's
/// end they are sorted into [`Part`]s by token.
struct Run {
    /// Token id + 1 of each of [`HAN`] (0: not seen).
    han: Vec<u32>,
    bigrams: Bigrams,
    /// Other tokens of up to three characters.
    short: FxMap<u64, u32>,
    long: FxMap<Box<str>, u32>,
    /// Per token id: `min(tf, 15) * 16 + fields` in the current document.
    entry: Vec<u8>,
    /// The ids whose `entry` is not 0.
    touched: Vec<u32>,
    /// Per token id: the documents holding it.
    counts: Vec<u32>,
    /// The postings in document order: token ids and entries, and where
    /// each document's end (kept apart: 5 bytes a posting, not 8).
    tids: Vec<u32>,
    entries: Vec<u8>,
    ends: Vec<usize>,
}

impl Run {
    fn new() -> Run {
        Run {
            han: vec![0; HAN.clone().count()],
            bigrams: Bigrams::new(),
            short: FxMap::default(),
            long: FxMap::default(),
            entry: Vec::new(),
            touched: Vec::new(),
            counts: Vec::new(),
            tids: Vec::new(),
            entries: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn new_id(entry: &mut Vec<u8>) -> u32 {
        let tid = u32::try_from(entry.len()).expect("fewer than 4 billion tokens");
        entry.push(0);
        tid
    }

    /// Adds every token of `text` under field `bit` to the current document.
    fn add_text(&mut self, text: &str, bit: u8) {
        let Run {
            han,
            bigrams,
            short,
            long,
            entry,
            touched,
            ..
        } = self;
        tokenize::each_packed(text, |t| {
            let tid = match t {
                tokenize::Packed::Short(k) if HAN.contains(&k) => {
                    let slot = &mut han[(k - HAN.start()) as usize];
                    if *slot == 0 {
                        *slot = Run::new_id(entry) + 1;
                    }
                    *slot - 1
                }
                tokenize::Packed::Short(k)
                    if HAN.contains(&(k >> 21)) && HAN.contains(&(k & 0x1f_ffff)) =>
                {
                    let key = Bigrams::key((k >> 21) - HAN.start(), (k & 0x1f_ffff) - HAN.start());
                    bigrams.id(key, || Run::new_id(entry))
                }
                tokenize::Packed::Short(k) => *short.entry(k).or_insert_with(|| Run::new_id(entry)),
                tokenize::Packed::Long(t) => match long.get(t) {
                    Some(&tid) => tid,
                    None => {
                        let tid = Run::new_id(entry);
                        long.insert(t.into(), tid);
                        tid
                    }
                },
            };
            let e = &mut entry[tid as usize];
            if *e == 0 {
                touched.push(tid);
            }
            *e |= bit;
            if bit == BODY && *e >> 4 < 15 {
                *e += 16;
            }
        });
    }

    /// Ends the current document: its entries go to the postings.
    fn end_doc(&mut self) {
        self.counts.resize(self.entry.len(), 0);
        for tid in self.touched.drain(..) {
            let e = std::mem::take(&mut self.entry[tid as usize]);
            self.counts[tid as usize] += 1;
            self.tids.push(tid);
            self.entries.push(e);
        }
        self.ends.push(self.tids.len());
    }

    /// The postings by partition, the run's documents numbered from `first`.
    fn into_parts(self, first: u32) -> Vec<Part> {
        let mut short: Vec<Vec<(u64, u32)>> = vec![Vec::new(); PARTS];
        let mut long: Vec<Vec<(Box<str>, u32)>> = vec![Vec::new(); PARTS];
        let han = (*HAN.start()..).zip(self.han).filter(|h| h.1 > 0);
        let packed = han.map(|(k, t)| (k, t - 1)).chain(self.bigrams.drain());
        for (k, tid) in packed.chain(self.short) {
            short[tokenize::shard_of(tokenize::unpacked(k), MIN_BITS)].push((k, tid));
        }
        for (t, tid) in self.long {
            long[tokenize::shard(&t, MIN_BITS)].push((t, tid));
        }
        // Where each token's codes go: its partition and the offset there.
        let counts = self.counts;
        let mut at = vec![0u32; counts.len()];
        let mut part = vec![0u8; counts.len()];
        let mut parts: Vec<Part> = Vec::with_capacity(PARTS);
        for (n, (short, long)) in short.iter().zip(&long).enumerate() {
            let mut len = 0;
            for &tid in short.iter().map(|t| &t.1).chain(long.iter().map(|t| &t.1)) {
                (at[tid as usize], part[tid as usize]) = (len, n as u8);
                len += counts[tid as usize];
            }
            parts.push(Part {
                codes: vec![0; len as usize],
                ..Part::default()
            });
        }
        let mut last = vec![0u32; counts.len()];
        let mut from = 0;
        for (id, &end) in (first..).zip(&self.ends) {
            for (&tid, &e) in self.tids[from..end].iter().zip(&self.entries[from..end]) {
                let t = tid as usize;
                let code = (id - last[t]) * 256 + u32::from(e);
                parts[usize::from(part[t])].codes[at[t] as usize] = code;
                at[t] += 1;
                last[t] = id;
            }
            from = end;
        }
        for (p, (short, long)) in parts.iter_mut().zip(short.into_iter().zip(long)) {
            let t = |tid: u32| tid as usize;
            p.short = short
                .into_iter()
                .map(|(k, tid)| (k, counts[t(tid)], last[t(tid)]))
                .collect();
            p.long = long
                .into_iter()
                .map(|(k, tid)| (k, counts[t(tid)], last[t(tid)]))
                .collect();
        }
        parts
    }
}

/// A token of a [`Part`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Short(u64),
    Long(&'a str),
}

/// Merges the runs' postings of one partition (runs in document order):
/// each token with its codes, those of a later run continuing its delta
/// chain from its last id in the earlier ones. Each token's codes are
/// allocated at their final size: small blocks, which reuse the memory of
/// the runs' postings merged before.
fn merge(runs: Vec<Part>) -> Vec<(String, Vec<u32>)> {
    // Every token (`keys`) with its number of codes, and for each run the
    // index of each of its tokens there.
    let mut index: FxMap<Key, u32> = FxMap::default();
    let (mut keys, mut lens): (Vec<Key>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut which: Vec<Vec<u32>> = Vec::with_capacity(runs.len());
    for run in &runs {
        let short = run.short.iter().map(|&(k, n, _)| (Key::Short(k), n));
        let long = run.long.iter().map(|(t, n, _)| (Key::Long(t), *n));
        let w = short
            .chain(long)
            .map(|(key, n)| {
                let g = *index.entry(key).or_insert_with(|| {
                    keys.push(key);
                    lens.push(0);
                    (keys.len() - 1) as u32
                });
                lens[g as usize] += n as usize;
                g
            })
            .collect();
        which.push(w);
    }
    drop(index);
    let mut codes: Vec<Vec<u32>> = lens.iter().map(|&n| Vec::with_capacity(n)).collect();
    let mut last = vec![0u32; lens.len()];
    for (run, which) in runs.iter().zip(&which) {
        let tokens = run.short.iter().map(|t| (t.1, t.2));
        let tokens = tokens.chain(run.long.iter().map(|t| (t.1, t.2)));
        let mut from = 0;
        for ((n, run_last), &g) in tokens.zip(which) {
            let (g, n) = (g as usize, n as usize);
            let to = &mut codes[g];
            let start = to.len();
            to.extend_from_slice(&run.codes[from..from + n]);
            // The run's first code is relative to document 0.
            to[start] -= last[g] << 8;
            last[g] = run_last;
            from += n;
        }
    }
    keys.iter()
        .zip(codes)
        .map(|(key, codes)| {
            let text = match *key {
                Key::Short(k) => tokenize::unpacked(k).collect(),
                Key::Long(t) => t.to_string(),
            };
            (text, codes)
        })
        .collect()
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
fn index_run<'a, D: Borrow<DocInput<'a>>>(first: usize, docs: &[D]) -> Vec<Part> {
    assert!(
        first + docs.len() < 1 << 24,
        "fewer than 16 million documents"
    );
    let mut run = Run::new();
    for d in docs {
        d.borrow().each_text(|text, bit| run.add_text(text, bit));
        run.end_doc();
    }
    run.into_parts(first as u32)
}

/// The postings of `docs` (ids from 0): per partition (see [`PARTS`]),
/// every token with its shard codes, in no order. Runs of documents are
/// tokenized in parallel, each into its own postings, and the partitions
/// merged in parallel.
fn postings<'a, D: Borrow<DocInput<'a>> + Sync>(docs: &[D]) -> Vec<Vec<(String, Vec<u32>)>> {
    let run = docs
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(64);
    let runs: Vec<Vec<Part>> = docs
        .par_chunks(run)
        .enumerate()
        .map(|(n, docs)| index_run(n * run, docs))
        .collect();
    let mut parts: Vec<Vec<Part>> = (0..PARTS).map(|_| Vec::with_capacity(runs.len())).collect();
    for run in runs {
        for (n, part) in run.into_iter().enumerate() {
            parts[n].push(part);
        }
    }
    parts.into_par_iter().map(merge).collect()
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

        let parts = postings(&inputs);
        let json_bytes: usize = parts
            .par_iter()
            .map(|p| {
                p.iter()
                    .map(|(t, codes)| token_cost(t, codes.iter().copied()))
                    .sum::<usize>()
            })
            .sum();
        let bits = sizes.bits(json_bytes);
        // Shard `n` lies in partition `n % PARTS`, as its `n / PARTS`th.
        let per_part = (1 << bits) / PARTS;
        let mut parts: Vec<Vec<Shard>> = parts
            .into_par_iter()
            .map(|tokens| {
                let mut shards = vec![Vec::new(); per_part];
                for (t, codes) in tokens {
                    shards[tokenize::shard(&t, bits) / PARTS].push((t, codes));
                }
                for s in &mut shards {
                    s.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                }
                shards
            })
            .collect();
        let shards: Vec<Shard> = (0..1 << bits)
            .map(|n| std::mem::take(&mut parts[n % PARTS][n / PARTS]))
            .collect();

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
            assert_eq!(tokenize::unpacked(pack(t).unwrap()).collect::<String>(), t);
        }
        assert_ne!(pack("ab"), pack("b"));
        assert_eq!(pack("2024"), None);
    }

    #[test]
    fn search_runs_merge_fields_frequencies_and_delta_chains() {
        let run = |first: u32, docs: &[&[(&str, u8)]]| {
            let mut run = Run::new();
            for texts in docs {
                for &(text, bit) in *texts {
                    run.add_text(text, bit);
                }
                run.end_doc();
            }
            run.into_parts(first)
        };
        let many = "灭 ".repeat(20);
        let runs = [
            run(
                2,
                &[&[("灭蚊 灭", BODY), ("灭", TITLE)], &[("gb7792", TAGS)]],
            ),
            run(5, &[&[("蚊", UNIT), (&many, BODY), ("gb7792 x", BODY)]]),
            run(9, &[&[("x", BODY)], &[("abcd", TITLE), ("x", TAGS)]]),
        ];
        let mut parts: Vec<Vec<Part>> = (0..PARTS).map(|_| Vec::new()).collect();
        for run in runs {
            for (n, part) in run.into_iter().enumerate() {
                parts[n].push(part);
            }
        }
        let mut tokens: Vec<(String, Vec<u32>)> = parts.into_iter().flat_map(merge).collect();
        tokens.sort();
        let want = |t: &str, codes: &[u32]| (t.to_string(), codes.to_vec());
        assert_eq!(
            tokens,
            vec![
                want("abcd", &[10 * 256 + 1]),
                want("gb7792", &[3 * 256 + 4, 2 * 256 + 16 + 8]),
                want("x", &[5 * 256 + 16 + 8, 4 * 256 + 16 + 8, 256 + 4]),
                want("灭", &[2 * 256 + 2 * 16 + 9, 3 * 256 + 15 * 16 + 8]),
                want("灭蚊", &[2 * 256 + 16 + 8]),
                want("蚊", &[2 * 256 + 16 + 8, 3 * 256 + 2]),
            ]
        );
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

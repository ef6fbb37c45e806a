//! Tokenizing documents into postings, in parallel: runs of documents
//! each with dense token ids ([`Run`]), merged per partition of tokens
//! ([`merge`]). Used by the full build and by the cache alike.

use super::format::{BODY, MIN_BITS};
use super::input::DocInput;
use super::tokenize;
use crate::hash::FxHashMap;
use rayon::prelude::*;
use std::borrow::Borrow;

/// CJK unified ideographs (U+4E00..=U+9FFF): most tokens of a Chinese site
/// are these characters, looked up by code point rather than hashed.
pub(super) const HAN: std::ops::RangeInclusive<u64> = 0x4e00..=0x9fff;

/// Token ids are dense within a [`Run`]; the postings of all runs are merged
/// in partitions, a token's by the low [`MIN_BITS`] bits of its shard hash:
/// every shard lies within one partition, whatever the shard count.
pub(super) const PARTS: usize = 1 << MIN_BITS;

/// Token ids of bigrams of two [`HAN`] characters, the commonest tokens
/// after single characters: an open-addressing table of `key << 32 | id`
/// (key 0: empty), one probe of one word where a general map reads a
/// control byte and a slot.
pub(super) struct Bigrams {
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
pub(super) struct Part {
    pub(super) codes: Vec<u32>,
    pub(super) short: Vec<(u64, u32, u32)>,
    pub(super) long: Vec<(Box<str>, u32, u32)>,
}

/// The postings of a run of documents. Tokens get dense ids in the order
/// they are first seen. A document's entries gather in `entry` (by token
/// id; a run's tokens are few, so it stays in cache) and are appended to
/// `postings` at the document's end, one per distinct token; at the run's
/// end they are sorted into [`Part`]s by token.
pub(super) struct Run {
    /// Token id + 1 of each of [`HAN`] (0: not seen).
    han: Vec<u32>,
    bigrams: Bigrams,
    /// Other tokens of up to three characters.
    short: FxHashMap<u64, u32>,
    long: FxHashMap<Box<str>, u32>,
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
            short: FxHashMap::default(),
            long: FxHashMap::default(),
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

    /// The postings by partition, `1 << bits` of them (a token's by the
    /// low `bits` bits of its shard hash), the run's documents numbered
    /// from `first`.
    fn into_parts(self, first: u32, bits: u32) -> Vec<Part> {
        assert!(bits <= 8, "at most 256 partitions");
        let mut short: Vec<Vec<(u64, u32)>> = vec![Vec::new(); 1 << bits];
        let mut long: Vec<Vec<(Box<str>, u32)>> = vec![Vec::new(); 1 << bits];
        let han = (*HAN.start()..).zip(self.han).filter(|h| h.1 > 0);
        let packed = han.map(|(k, t)| (k, t - 1)).chain(self.bigrams.drain());
        for (k, tid) in packed.chain(self.short) {
            short[tokenize::shard_of(tokenize::unpacked(k), bits)].push((k, tid));
        }
        for (t, tid) in self.long {
            long[tokenize::shard(&t, bits)].push((t, tid));
        }
        // Where each token's codes go: its partition and the offset there.
        let counts = self.counts;
        let mut at = vec![0u32; counts.len()];
        let mut part = vec![0u8; counts.len()];
        let mut parts: Vec<Part> = Vec::with_capacity(1 << bits);
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
pub(super) enum Key<'a> {
    Short(u64),
    Long(&'a str),
}

/// Merges the runs' postings of one partition (runs in document order):
/// each token with its codes, those of a later run continuing its delta
/// chain from its last id in the earlier ones. Each token's codes are
/// allocated at their final size: small blocks, which reuse the memory of
/// the runs' postings merged before.
pub(super) fn merge(runs: Vec<Part>) -> Vec<(String, Vec<u32>)> {
    // Every token (`keys`) with its number of codes, and for each run the
    // index of each of its tokens there.
    let mut index: FxHashMap<Key, u32> = FxHashMap::default();
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

/// Tokenizes documents `first..` of `docs` (ids from `first`) into
/// `1 << bits` partitions (see [`Run::into_parts`]).
pub(super) fn index_run<'a, D: Borrow<DocInput<'a>>>(
    first: usize,
    docs: &[D],
    bits: u32,
) -> Vec<Part> {
    assert!(
        first + docs.len() < 1 << 24,
        "fewer than 16 million documents"
    );
    let mut run = Run::new();
    for d in docs {
        d.borrow().each_text(|text, bit| run.add_text(text, bit));
        run.end_doc();
    }
    run.into_parts(first as u32, bits)
}

/// The postings of `docs` (ids from 0): per partition (see [`PARTS`]),
/// every token with its shard codes, in no order. Runs of documents are
/// tokenized in parallel, each into its own postings, and the partitions
/// merged in parallel.
pub(super) fn postings<'a, D: Borrow<DocInput<'a>> + Sync>(
    docs: &[D],
) -> Vec<Vec<(String, Vec<u32>)>> {
    let run = docs
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(64);
    let runs: Vec<Vec<Part>> = docs
        .par_chunks(run)
        .enumerate()
        .map(|(n, docs)| index_run(n * run, docs, MIN_BITS))
        .collect();
    let mut parts: Vec<Vec<Part>> = (0..PARTS).map(|_| Vec::with_capacity(runs.len())).collect();
    for run in runs {
        for (n, part) in run.into_iter().enumerate() {
            parts[n].push(part);
        }
    }
    parts.into_par_iter().map(merge).collect()
}

#[cfg(test)]
mod tests {
    use super::super::format::{TAGS, TITLE, UNIT};
    use super::super::tokenize::pack;
    use super::*;

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
            run.into_parts(first, MIN_BITS)
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
}

//! The spill files of [`super::Feed`]: one per partition of tokens, each
//! holding every run's postings of that partition ([`Part`]s, in id order),
//! and what is read back from them one part at a time: the postings'
//! size estimate ([`cost`]) and a group of partitions' merged postings
//! ([`merged`]). Only the group being merged is in memory, and a part of
//! it at a time besides its result.

use super::format::{code_len, head_cost};
use super::postings::Part;
use super::tokenize;
use crate::fs::{wrap, Result};
use crate::hash::FxHashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The spill partitions: a token's by the low `SPILL_BITS` bits of its
/// shard hash, so that a partition is a whole number of shards (or a shard
/// a whole number of partitions, on sites of fewer than 64 shards). 64:
/// at 50k reports a partition's postings are about 2 MB, where the 8 of
/// the in-memory index ([`super::postings::PARTS`]) were 20 MB each.
pub(super) const SPILL_BITS: u32 = 6;
pub(super) const SPILLS: usize = 1 << SPILL_BITS;

fn put(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).expect("a run's part holds fewer than 4 billion entries")
}

/// Appends part `p` as spilled: the lengths of its codes, short tokens and
/// long tokens, the tokens, then the codes (so that the tables can be read
/// alone); little-endian.
pub(super) fn encode(p: &Part, out: &mut Vec<u8>) {
    out.reserve(12 + p.codes.len() * 4 + p.short.len() * 16 + p.long.len() * 24);
    put(out, len32(p.codes.len()));
    put(out, len32(p.short.len()));
    put(out, len32(p.long.len()));
    for &(k, n, last) in &p.short {
        out.extend_from_slice(&k.to_le_bytes());
        put(out, n);
        put(out, last);
    }
    for (t, n, last) in &p.long {
        put(out, len32(t.len()));
        out.extend_from_slice(t.as_bytes());
        put(out, *n);
        put(out, *last);
    }
    for &c in &p.codes {
        put(out, c);
    }
}

/// A spill file read part by part.
struct Reader {
    r: BufReader<File>,
    buf: Vec<u8>,
}

impl Reader {
    fn open(path: &Path) -> Result<Reader> {
        let f = wrap(path, File::open(path))?;
        Ok(Reader {
            r: BufReader::with_capacity(1 << 16, f),
            buf: Vec::new(),
        })
    }

    fn bytes(&mut self, n: usize) -> std::io::Result<&[u8]> {
        self.buf.resize(n, 0);
        self.r.read_exact(&mut self.buf)?;
        Ok(&self.buf)
    }

    fn words(&mut self, n: usize) -> std::io::Result<impl Iterator<Item = u32> + '_> {
        Ok(self
            .bytes(n * 4)?
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
    }

    fn word(&mut self) -> std::io::Result<u32> {
        let mut w = [0u8; 4];
        self.r.read_exact(&mut w)?;
        Ok(u32::from_le_bytes(w))
    }

    /// The next part's tokens (its `codes` empty) and its number of codes,
    /// which are to be read ([`Reader::codes`]) or skipped next; None at
    /// the file's end.
    fn tables(&mut self) -> std::io::Result<Option<(Part, usize)>> {
        let mut head = [0u8; 12];
        match self.r.read_exact(&mut head[..4]) {
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            r => r?,
        }
        self.r.read_exact(&mut head[4..])?;
        let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        let (codes, short, long) = (word(0) as usize, word(4) as usize, word(8) as usize);
        let short = self
            .bytes(short * 16)?
            .chunks_exact(16)
            .map(|e| {
                let w = |i: usize| u32::from_le_bytes([e[i], e[i + 1], e[i + 2], e[i + 3]]);
                (u64::from(w(0)) | u64::from(w(4)) << 32, w(8), w(12))
            })
            .collect();
        let mut part = Part {
            codes: Vec::new(),
            short,
            long: Vec::with_capacity(long),
        };
        for _ in 0..long {
            let len = self.word()? as usize;
            let t = String::from_utf8(self.bytes(len)?.to_vec()).map_err(std::io::Error::other)?;
            let (n, last) = (self.word()?, self.word()?);
            part.long.push((t.into_boxed_str(), n, last));
        }
        Ok(Some((part, codes)))
    }

    /// The `n` codes of the part whose tables were just read.
    fn codes(&mut self, n: usize) -> std::io::Result<Vec<u32>> {
        Ok(self.words(n)?.collect())
    }

    fn skip(&mut self, n: usize) -> std::io::Result<()> {
        self.r.seek_relative(n as i64 * 4)
    }
}

/// The bytes [`super::format::token_cost`] counts for a token's codes in
/// one part, continuing its delta chain from id `prev`.
fn chain_cost(codes: &[u32], prev: u32) -> usize {
    match codes.split_first() {
        Some((&first, rest)) => {
            code_len(first.wrapping_sub(prev << 8))
                + rest.iter().map(|&c| code_len(c)).sum::<usize>()
        }
        None => 0,
    }
}

/// The postings estimate of spill file `path`: the sum of
/// [`super::format::token_cost`] over its tokens with their merged codes,
/// without merging them (each token's last id is all that is kept).
pub(super) fn cost(path: &Path) -> Result<usize> {
    let mut r = Reader::open(path)?;
    let mut short: FxHashMap<u64, u32> = FxHashMap::default();
    let mut long: FxHashMap<Box<str>, u32> = FxHashMap::default();
    let mut bytes = 0;
    while let Some((part, n)) = wrap(path, r.tables())? {
        let codes = wrap(path, r.codes(n))?;
        let mut from = 0;
        for &(k, n, last) in &part.short {
            let prev = short.insert(k, last);
            if prev.is_none() {
                bytes += head_cost(tokenize::unpacked(k).map(char::len_utf8).sum());
            }
            let to = from + n as usize;
            bytes += chain_cost(codes.get(from..to).unwrap_or_default(), prev.unwrap_or(0));
            from = to;
        }
        for (t, n, last) in part.long {
            let prev = match long.get_mut(&t) {
                Some(l) => Some(std::mem::replace(l, last)),
                None => {
                    bytes += head_cost(t.len());
                    long.insert(t, last);
                    None
                }
            };
            let to = from + n as usize;
            bytes += chain_cost(codes.get(from..to).unwrap_or_default(), prev.unwrap_or(0));
            from = to;
        }
    }
    Ok(bytes)
}

/// The tokens of spill files `paths` (disjoint partitions) with their
/// merged postings, as [`super::postings::merge`] gives them: one pass over
/// the files reads the tokens alone, counting each one's codes, and a
/// second reads the codes into vectors of their final size, one part at a
/// time.
pub(super) fn merged(paths: &[PathBuf]) -> Result<Vec<(String, Vec<u32>)>> {
    let mut short: FxHashMap<u64, u32> = FxHashMap::default();
    let mut long: FxHashMap<Box<str>, u32> = FxHashMap::default();
    let mut lens: Vec<usize> = Vec::new();
    // Per part: the index of each of its tokens in `lens`.
    let mut which: Vec<Vec<u32>> = Vec::new();
    for path in paths {
        let mut r = Reader::open(path)?;
        while let Some((part, n)) = wrap(path, r.tables())? {
            wrap(path, r.skip(n))?;
            let mut w = Vec::with_capacity(part.short.len() + part.long.len());
            let new = |lens: &mut Vec<usize>| {
                lens.push(0);
                (lens.len() - 1) as u32
            };
            for (k, n, _) in part.short {
                let g = *short.entry(k).or_insert_with(|| new(&mut lens));
                lens[g as usize] += n as usize;
                w.push(g);
            }
            for (t, n, _) in part.long {
                let g = *long.entry(t).or_insert_with(|| new(&mut lens));
                lens[g as usize] += n as usize;
                w.push(g);
            }
            which.push(w);
        }
    }
    let mut codes: Vec<Vec<u32>> = lens.iter().map(|&n| Vec::with_capacity(n)).collect();
    let mut last = vec![0u32; lens.len()];
    let mut which = which.into_iter();
    for path in paths {
        let mut r = Reader::open(path)?;
        while let Some((part, n)) = wrap(path, r.tables())? {
            let run = wrap(path, r.codes(n))?;
            let w = which.next().unwrap_or_default();
            let tokens = part.short.iter().map(|t| (t.1, t.2));
            let tokens = tokens.chain(part.long.iter().map(|t| (t.1, t.2)));
            let mut from = 0;
            for ((n, run_last), g) in tokens.zip(w) {
                let (g, to) = (g as usize, from + n as usize);
                let into = &mut codes[g];
                let start = into.len();
                into.extend_from_slice(run.get(from..to).unwrap_or_default());
                // The part's first code is relative to document 0.
                if let Some(c) = into.get_mut(start) {
                    *c = c.wrapping_sub(last[g] << 8);
                }
                last[g] = run_last;
                from = to;
            }
        }
    }
    let mut texts = vec![String::new(); lens.len()];
    for (k, g) in short {
        texts[g as usize] = tokenize::unpacked(k).collect();
    }
    for (t, g) in long {
        texts[g as usize] = t.into();
    }
    Ok(texts.into_iter().zip(codes).collect())
}

#[cfg(test)]
mod tests {
    use super::super::format::token_cost;
    use super::super::postings::merge;
    use super::super::tokenize::pack;
    use super::*;

    /// A part of tokens each with its `(id, entry)` postings, ascending.
    fn part(tokens: &[(&str, &[(u32, u32)])]) -> Part {
        let mut p = Part::default();
        for &(t, postings) in tokens {
            let mut prev = 0;
            for &(id, e) in postings {
                p.codes.push((id - prev) * 256 + e);
                prev = id;
            }
            let n = postings.len() as u32;
            match pack(t) {
                Some(k) => p.short.push((k, n, prev)),
                None => p.long.push((t.into(), n, prev)),
            }
        }
        p
    }

    /// Two files (partitions) of two runs each: docs 0..5, then 5..9.
    fn runs() -> [Vec<Part>; 2] {
        let long = "一二三四五六七八";
        [
            vec![
                part(&[("灭", &[(0, 24), (3, 9)]), (long, &[(4, 1)])]),
                part(&[("灭", &[(5, 40), (8, 24)]), ("蚊", &[(200, 24)])]),
            ],
            vec![
                part(&[("gb7792", &[(1, 4)]), ("x", &[(2, 24)])]),
                part(&[("x", &[(6, 24), (7, 2)]), ("ab", &[(8, 1)])]),
            ],
        ]
    }

    #[test]
    fn search_spilled_parts_merge_and_cost_as_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..2).map(|p| dir.path().join(format!("{p}"))).collect();
        for (path, parts) in paths.iter().zip(runs()) {
            let mut out = Vec::new();
            for p in &parts {
                encode(p, &mut out);
            }
            std::fs::write(path, out).unwrap();
        }
        let mut got = merged(&paths).unwrap();
        let mut want = merge(runs().into_iter().flatten().collect());
        got.sort();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(want.len(), 6);
        let cost: usize = want
            .iter()
            .map(|(t, c)| token_cost(t, c.iter().copied()))
            .sum();
        let spilled: usize = paths.iter().map(|p| super::cost(p).unwrap()).sum();
        assert_eq!(spilled, cost);
        std::fs::write(&paths[0], b"\x05\0\0\0\x01\0").unwrap();
        assert!(merged(&paths).is_err(), "a cut file is an error");
    }
}

//! The token vocabulary the search cache keeps: every token seen with its
//! postings ([`Tok`], kept current as documents change), and each
//! document's token list in a compact form ([`push_entry_code`]).

use super::format::{code_len, token_cost};
use super::input::DocInput;
use super::postings::postings;
use super::tokenize;
use crate::hash::FxHashMap;

/// A token and its postings.
pub(super) struct Tok {
    pub(super) text: Box<str>,
    /// `id * 256 + entry` per document holding the token, ascending; the
    /// entry is `min(tf, 15) * 16 + fields`, the low byte of a shard code.
    pub(super) postings: Vec<u32>,
    /// [`token_cost`] of the postings; 0 when there are none.
    pub(super) cost: usize,
}

impl Tok {
    /// The shard file codes: ids as differences from the previous one.
    pub(super) fn codes(&self) -> impl Iterator<Item = u32> + '_ {
        let mut prev = 0;
        self.postings.iter().map(move |&c| {
            let code = c - (prev << 8);
            prev = c >> 8;
            code
        })
    }

    pub(super) fn full_cost(&self) -> usize {
        if self.postings.is_empty() {
            0
        } else {
            token_cost(&self.text, self.codes())
        }
    }

    /// Sets document `id`'s entry (`None`: the document lacks the token),
    /// keeping `cost` current by recounting only the codes that change.
    pub(super) fn set(&mut self, id: u32, entry: Option<u8>) {
        let p = &mut self.postings;
        let pos = p.partition_point(|&c| c >> 8 < id);
        let had = p.get(pos).is_some_and(|&c| c >> 8 == id);
        // The code at `pos` and the next one's (its difference) change.
        let window = |p: &[u32], n: usize| -> usize {
            (pos..(pos + n).min(p.len()))
                .map(|k| {
                    let prev = if k == 0 { 0 } else { p[k - 1] >> 8 };
                    code_len(p[k] - (prev << 8))
                })
                .sum()
        };
        let before = window(p, usize::from(had) + 1);
        match (had, entry) {
            (true, Some(e)) => p[pos] = (id << 8) | u32::from(e),
            (true, None) => {
                p.remove(pos);
            }
            (false, Some(e)) => p.insert(pos, (id << 8) | u32::from(e)),
            (false, None) => return,
        }
        let after = window(p, usize::from(entry.is_some()) + 1);
        self.cost = if p.is_empty() {
            0
        } else if self.cost == 0 {
            self.text.len() + 3 + after
        } else {
            self.cost - before + after
        };
    }
}

/// A token id and its shard codes.
pub(super) type TokenCodes = (u32, Vec<u32>);

/// Every token seen, by id; ids never change while the cache lives.
#[derive(Default)]
pub(super) struct Vocab {
    pub(super) short: FxHashMap<u64, u32>,
    pub(super) long: FxHashMap<Box<str>, u32>,
    pub(super) toks: Vec<Tok>,
}

impl Vocab {
    pub(super) fn add(&mut self, text: Box<str>) -> u32 {
        let tid = u32::try_from(self.toks.len()).expect("fewer than 4 billion tokens");
        self.toks.push(Tok {
            text,
            postings: Vec::new(),
            cost: 0,
        });
        tid
    }

    /// The id of token `t`, a new one if unseen.
    pub(super) fn id(&mut self, t: String) -> u32 {
        match tokenize::pack(&t) {
            Some(k) => match self.short.get(&k) {
                Some(&tid) => tid,
                None => {
                    let tid = self.add(t.into());
                    self.short.insert(k, tid);
                    tid
                }
            },
            None => {
                let t = Box::<str>::from(t);
                match self.long.get(&t) {
                    Some(&tid) => tid,
                    None => {
                        let tid = self.add(t.clone());
                        self.long.insert(t, tid);
                        tid
                    }
                }
            }
        }
    }

    /// The token lists of `docs` (see [`push_entry_code`]), and the postings by
    /// token id, ids relative to `docs`, in shard code form. Tokenized as a
    /// full build does ([`postings`]); a token is looked up once, not once
    /// per document holding it.
    pub(super) fn tokenize(&mut self, docs: &[&DocInput]) -> (Vec<Box<[u8]>>, Vec<TokenCodes>) {
        let parts = postings(docs);
        let mut by_id: Vec<TokenCodes> = Vec::with_capacity(parts.iter().map(Vec::len).sum());
        for (t, codes) in parts.into_iter().flatten() {
            by_id.push((self.id(t), codes));
        }
        // Taken by token id, each document's list comes out in order.
        by_id.sort_unstable_by_key(|t| t.0);
        let mut counts = vec![0usize; docs.len()];
        for (_, codes) in &by_id {
            let mut id = 0;
            for &c in codes {
                id += c >> 8;
                counts[id as usize] += 1;
            }
        }
        let mut lists: Vec<Vec<u8>> = counts.iter().map(|&n| Vec::with_capacity(n * 3)).collect();
        drop(counts);
        let mut prev = vec![0u32; docs.len()];
        for (tid, codes) in &by_id {
            let mut id = 0;
            for &c in codes {
                id += c >> 8;
                let d = id as usize;
                push_entry_code(&mut lists[d], tid - prev[d], c as u8);
                prev[d] = *tid;
            }
        }
        let lists = lists.into_iter().map(Vec::into_boxed_slice).collect();
        (lists, by_id)
    }
}

/// Appends a token to a document's token list. A list is stored compactly,
/// by token id: per token the id's difference `d` from the previous one
/// (LEB128) and the entry byte.
pub(super) fn push_entry_code(out: &mut Vec<u8>, mut d: u32, e: u8) {
    while d >= 0x80 {
        out.push((d as u8) | 0x80);
        d >>= 7;
    }
    out.push(d as u8);
    out.push(e);
}

/// The tokens of a list written by [`push_entry_code`]: `(id, entry)`.
pub(super) fn decode(bytes: &[u8]) -> impl Iterator<Item = (u32, u8)> + '_ {
    let mut i = 0;
    let mut prev = 0u32;
    std::iter::from_fn(move || {
        if i >= bytes.len() {
            return None;
        }
        let (mut d, mut shift) = (0u32, 0);
        loop {
            let b = bytes[i];
            i += 1;
            d |= u32::from(b & 0x7f) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        prev += d;
        let e = bytes[i];
        i += 1;
        Some((prev, e))
    })
}

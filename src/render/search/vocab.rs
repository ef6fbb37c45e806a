//! The token vocabulary the search cache keeps: every token seen with its
//! postings ([`Tok`], kept current as documents change), and each
//! document's token list in a compact form ([`push_entry_code`]).

#[cfg(doc)]
use super::format::{code_len, token_cost};
use super::format::{head_cost, push_code, read_codes};
use super::input::DocInput;
use super::postings::postings;
use super::tokenize;
use crate::hash::FxHashMap;
use std::cmp::Ordering;

/// A token and its postings.
pub(super) struct Tok {
    pub(super) text: Box<str>,
    /// The postings as a shard holds them ([`push_code`] of each code,
    /// `(id - previous id) * 256 + entry`, ids ascending; the entry is
    /// `min(tf, 15) * 16 + fields`), not whole `id * 256 + entry` words of
    /// 4 bytes each (10k serve session: resident 240 -> 201 MB). Empty
    /// when they are `filed`.
    pub(super) postings: Box<[u8]>,
    /// Not 0: the postings are not held but in the token's shard file as
    /// last written, this many bytes, read back when the token or its shard
    /// changes (50k: 80 MB not held between builds).
    pub(super) filed: u32,
}

impl Tok {
    /// A token in no document yet.
    pub(super) fn new(text: Box<str>) -> Tok {
        Tok {
            text,
            postings: Box::default(),
            filed: 0,
        }
    }

    /// The bytes of the postings, held or filed.
    pub(super) fn len(&self) -> usize {
        match self.filed {
            0 => self.postings.len(),
            n => n as usize,
        }
    }

    /// Takes back postings read from its shard file (`bytes`, of the
    /// length filed); false when they are not that long.
    pub(super) fn hold(&mut self, bytes: &[u8]) -> bool {
        if bytes.len() != self.filed as usize {
            return false;
        }
        (self.postings, self.filed) = (bytes.into(), 0);
        true
    }

    /// Lets go of the postings, now in its shard file as written.
    pub(super) fn file(&mut self) {
        if !self.postings.is_empty() {
            self.filed = u32::try_from(self.postings.len()).unwrap_or(0);
            if self.filed > 0 {
                self.postings = Box::default();
            }
        }
    }

    /// The shard file codes: ids as differences from the previous one.
    pub(super) fn codes(&self) -> impl Iterator<Item = u32> + '_ {
        read_codes(&self.postings)
    }

    /// `id * 256 + entry` per document holding the token, ascending.
    pub(super) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        let mut id = 0;
        self.codes().map(move |c| {
            id += c >> 8;
            (id << 8) | (c & 0xff)
        })
    }

    /// [`token_cost`] of the postings (their bytes: [`code_len`] is what
    /// [`push_code`] writes); 0 when there are none.
    pub(super) fn cost(&self) -> usize {
        match self.len() {
            0 => 0,
            n => head_cost(self.text.len()) + n,
        }
    }

    /// Sets document `id`'s entry (`None`: the document lacks the token).
    #[cfg(test)]
    pub(super) fn set(&mut self, id: u32, entry: Option<u8>) {
        self.apply(&[(id, entry)]);
    }

    /// Sets the entries of `changes` (ids ascending, each once; `None`:
    /// the document lacks the token), decoding and encoding the postings
    /// once (held: see [`Tok::filed`]). Returns whether they changed.
    pub(super) fn apply(&mut self, changes: &[(u32, Option<u8>)]) -> bool {
        let mut out = Vec::with_capacity(self.postings.len() + changes.len() * 3);
        let mut old = self.ids().map(|c| (c >> 8, c as u8)).peekable();
        let mut new = changes.iter().copied().peekable();
        let mut prev = 0u32;
        loop {
            let (id, e) = match (old.peek().copied(), new.peek().copied()) {
                (None, None) => break,
                (Some((o, oe)), Some((n, ne))) => match o.cmp(&n) {
                    Ordering::Less => {
                        old.next();
                        (o, Some(oe))
                    }
                    Ordering::Greater => {
                        new.next();
                        (n, ne)
                    }
                    Ordering::Equal => {
                        old.next();
                        new.next();
                        (n, ne)
                    }
                },
                (Some((o, oe)), None) => {
                    old.next();
                    (o, Some(oe))
                }
                (None, Some((n, ne))) => {
                    new.next();
                    (n, ne)
                }
            };
            if let Some(e) = e {
                push_code(&mut out, ((id - prev) << 8) | u32::from(e));
                prev = id;
            }
        }
        drop(old);
        let changed = *out != *self.postings;
        if changed {
            self.postings = out.into_boxed_slice();
        }
        changed
    }
}

/// The postings of `codes` (ids as differences) as a [`Tok`] keeps them.
pub(super) fn encode_codes(codes: impl Iterator<Item = u32>) -> Box<[u8]> {
    let mut out = Vec::new();
    for c in codes {
        push_code(&mut out, c);
    }
    out.into_boxed_slice()
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
        self.toks.push(Tok::new(text));
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

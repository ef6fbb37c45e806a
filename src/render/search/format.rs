//! The index file format, shared by the full build ([`super::Index`]) and
//! the cache kept by `serve` ([`super::SearchCache`]): field bits, file
//! names, the aimed-at file sizes and their estimates, and the bytes of
//! `docs.json`, of a shard entry and of a text row (see the module header
//! of [`super`] for the layout). A change of format is made here, once.

use serde::Serialize;

pub const TITLE: u8 = 1;
pub const UNIT: u8 = 2;
pub const TAGS: u8 = 4;
pub const BODY: u8 = 8;

/// Characters of body text kept per document, for snippets and for the
/// client's check that a phrase of several characters occurs as written
/// (the postings only say that its bigrams all do). A match further in is
/// still found, unchecked, and its snippet shows the beginning.
pub const MAX_TEXT: usize = 20_000;
/// Aimed-at size of one postings shard, in bytes (about a quarter of that
/// gzipped); a query fetches one per distinct token.
const SHARD_BYTES: usize = 64 * 1024;
/// Aimed-at size of one text chunk: a result page fetches about one per hit.
/// Smaller means more files to write.
const CHUNK_BYTES: usize = 16 * 1024;
/// At least 8 shards: tiny files cost little, and the client's shard
/// arithmetic is exercised on every site, small test sites included.
/// At most 4096: 64 KB each holds about 250 MB of postings.
pub(super) const MIN_BITS: u32 = 3;
const MAX_BITS: u32 = 12;

/// The aimed-at file sizes; a cached build and a full one with the same
/// sizes write the same bytes. Only tests use other than [`Sizes::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sizes {
    /// Bytes of postings a shard aims at ([`SHARD_BYTES`]).
    pub(super) shard: usize,
    /// Bytes of rows a text chunk aims at ([`CHUNK_BYTES`]).
    pub(super) chunk: usize,
}

impl Sizes {
    pub(super) const DEFAULT: Sizes = Sizes {
        shard: SHARD_BYTES,
        chunk: CHUNK_BYTES,
    };

    /// Shard bits for postings estimated at `json_bytes` (see [`token_cost`]).
    pub(super) fn bits(self, json_bytes: usize) -> u32 {
        let mut bits = MIN_BITS;
        while bits < MAX_BITS && (json_bytes >> bits) > self.shard {
            bits += 1;
        }
        bits
    }

    /// Documents per text chunk for `docs` rows costing `row_bytes` in all
    /// (see [`Row::cost`]).
    pub(super) fn chunk(self, docs: usize, row_bytes: usize) -> usize {
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
pub(super) fn token_cost(token: &str, codes: impl Iterator<Item = u32>) -> usize {
    token.len() + 5 + codes.map(|c| digits(c) + 1).sum::<usize>()
}

/// A document's row of a text chunk, but for its snippet:
/// `[title, path, date, tags, snippet]`, and `more` when it is not empty:
/// the other texts the document is found by (unit aliases, category,
/// summary, author, source; one a line) for the client's phrase check.
pub(super) struct Row<'a> {
    pub(super) title: &'a str,
    pub(super) path: &'a str,
    pub(super) date: &'a str,
    pub(super) tags: &'a [String],
    pub(super) more: &'a str,
}

impl Row<'_> {
    /// Appends the row with `snippet`; a chunk is its rows joined by commas
    /// inside brackets, the same bytes as serializing the list at once.
    pub(super) fn push(&self, out: &mut Vec<u8>, snippet: &str) {
        let Row {
            title,
            path,
            date,
            tags,
            more,
        } = *self;
        // Writing JSON into a Vec cannot fail.
        let _ = if more.is_empty() {
            serde_json::to_writer(&mut *out, &(title, path, date, tags, snippet))
        } else {
            serde_json::to_writer(&mut *out, &(title, path, date, tags, snippet, more))
        };
    }

    /// The row's share of the estimate that sets the chunk size, with a
    /// snippet of `snippet_len` bytes.
    pub(super) fn cost(&self, snippet_len: usize) -> usize {
        let more = if self.more.is_empty() {
            0
        } else {
            self.more.len() + 3
        };
        self.title.len() + self.path.len() + self.date.len() + snippet_len + more + 20
    }
}

/// `search/docs.json`.
pub(super) fn docs_json(bits: u32, chunk: usize, units: &[&str], ku: &[usize]) -> String {
    serde_json::to_string(&DocsFile {
        v: 2,
        bits,
        chunk,
        text: MAX_TEXT,
        kinds: ["报告", "文章", "页面", "单位"],
        units,
        ku,
    })
    .unwrap_or_default()
}

#[derive(Serialize)]
pub(super) struct DocsFile<'a> {
    v: u32,
    bits: u32,
    chunk: usize,
    /// [`MAX_TEXT`]: a row's text this long may have been cut.
    text: usize,
    kinds: [&'static str; 4],
    units: &'a [&'a str],
    ku: &'a [usize],
}

/// Collapses whitespace runs to one space and cuts at `max` characters.
pub(super) fn snippet_text(plain: &str, max: usize) -> String {
    let mut out = String::with_capacity(plain.len().min(max * 3));
    snippet(plain, max, |piece| out.push_str(piece));
    out
}

/// The length in bytes of [`snippet_text`], found without building it.
pub(super) fn snippet_len(plain: &str, max: usize) -> usize {
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

/// Decimal digits of `n`.
pub(super) fn digits(n: u32) -> usize {
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
pub(super) fn push_entry(out: &mut Vec<u8>, token: &str, codes: impl Iterator<Item = u32>) {
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
pub(super) fn shard_to_json(entries: &[(String, Vec<u32>)]) -> Vec<u8> {
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

/// Site path of `docs.json`.
pub const DOCS_PATH: &str = "search/docs.json";

/// Site path of postings shard `n`.
pub(super) fn shard_path(n: usize) -> String {
    format!("search/idx/{n}.json")
}

/// Site path of text chunk `n`.
pub(super) fn text_path(n: usize) -> String {
    format!("search/text/{n}.json")
}

#[cfg(test)]
mod tests {
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

//! The index file format, shared by the full build ([`super::Index`]) and
//! the cache kept by `serve` ([`super::SearchCache`]): field bits, file
//! names, the aimed-at file sizes and their estimates, and the bytes of
//! `docs.json`, of a postings shard and of a text row and chunk (see the
//! module header of [`super`] for the layout). A change of format is made
//! here, once, and in `search.js`, which reads it.

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
/// Aimed-at size of one postings shard, in bytes (about 60 % of that
/// gzipped); a query fetches one per distinct token.
const SHARD_BYTES: usize = 32 * 1024;
/// Aimed-at size of one text chunk's JSON, before gzip (about 45 % of it
/// on disk): a result page fetches about one per hit. Smaller means more
/// files to write.
const CHUNK_BYTES: usize = 16 * 1024;
/// At least 8 shards: tiny files cost little, and the client's shard
/// arithmetic is exercised on every site, small test sites included.
/// At most 4096: 32 KB each holds about 130 MB of postings.
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

    /// Shard bits for postings estimated at `bytes` (see [`token_cost`]).
    pub(super) fn bits(self, bytes: usize) -> u32 {
        let mut bits = MIN_BITS;
        while bits < MAX_BITS && (bytes >> bits) > self.shard {
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
/// its length, 3 (its table entry's two lengths, most often), and its
/// postings' bytes ([`code_len`]).
pub(super) fn token_cost(token: &str, codes: impl Iterator<Item = u32>) -> usize {
    head_cost(token.len()) + codes.map(code_len).sum::<usize>()
}

/// [`token_cost`] but for the postings, of a token of `len` bytes.
pub(super) fn head_cost(len: usize) -> usize {
    len + 3
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

    /// The row's share of the estimate that sets the chunk size, for a
    /// body of plain text `plain`: its length stands for its snippet's,
    /// which would take a pass over the text to count.
    pub(super) fn cost(&self, plain: &str) -> usize {
        let snippet_len = plain.len().min(MAX_TEXT * 3);
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
        v: 3,
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

/// Appends `n` as LEB128: 7 bits a byte, low first, the high bit set on
/// every byte but the last.
pub(super) fn push_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The bytes [`push_varint`] writes for `n`.
fn varint_len(n: u32) -> usize {
    (32 - (n | 1).leading_zeros() as usize).div_ceil(7)
}

/// A posting's `k` (see [`push_code`]) by its entry byte: 0, 1, 2 for
/// [`BODY`] alone, 1–3 times (81 % of the postings of the 10k corpus), 3
/// for any other entry.
const K: [u8; 256] = {
    let mut k = [3; 256];
    k[(16 + BODY) as usize] = 0;
    k[(32 + BODY) as usize] = 1;
    k[(48 + BODY) as usize] = 2;
    k
};

/// A posting `(id - previous id) * 256 + entry` as written in a shard:
/// `(id - previous id) * 4 + k` as a varint, then, for `k` = 3 only, the
/// entry byte; `k` < 3 is the entry `(k + 1) * 16 + BODY`.
#[inline]
pub(super) fn push_code(out: &mut Vec<u8>, code: u32) {
    let (delta, entry) = (code >> 8, code as u8);
    let k = K[usize::from(entry)];
    let v = delta * 4 + u32::from(k);
    if v < 0x80 {
        out.push(v as u8);
    } else {
        push_varint(out, v);
    }
    if k == 3 {
        out.push(entry);
    }
}

/// The codes [`push_code`] wrote to `bytes`, in order; a truncated last
/// code ends them.
pub(super) fn read_codes(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let (mut v, mut shift) = (0u32, 0);
        loop {
            let b = *bytes.get(i)?;
            i += 1;
            v |= u32::from(b & 0x7f).checked_shl(shift)?;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        let entry = match v & 3 {
            3 => {
                i += 1;
                *bytes.get(i - 1)?
            }
            k => (k as u8 + 1) * 16 + BODY,
        };
        Some(((v >> 2) << 8) | u32::from(entry))
    })
}

/// The bytes [`push_code`] writes for `code`.
#[inline]
pub(super) fn code_len(code: u32) -> usize {
    let k = K[(code & 0xff) as usize];
    varint_len((code >> 8) * 4 + u32::from(k)) + usize::from(k == 3)
}

/// A postings shard being written: its tokens in order, each with its
/// postings. The file is the number of tokens, then per token its length in
/// bytes, its UTF-8 and the length of its postings (all varints), then the
/// postings of every token in the same order ([`push_code`]): the client
/// reads the table alone to find a token, and decodes that token's
/// postings only.
#[derive(Default)]
pub(super) struct ShardWriter {
    tokens: u32,
    table: Vec<u8>,
    postings: Vec<u8>,
}

impl ShardWriter {
    /// A writer for postings estimated at `cost` bytes ([`token_cost`]).
    pub(super) fn with_cost(cost: usize) -> ShardWriter {
        ShardWriter {
            tokens: 0,
            table: Vec::with_capacity(cost / 8 + 16),
            postings: Vec::with_capacity(cost),
        }
    }

    /// Adds `token` (after every token added before) with its codes.
    pub(super) fn push(&mut self, token: &str, codes: impl Iterator<Item = u32>) {
        let start = self.postings.len();
        for c in codes {
            push_code(&mut self.postings, c);
        }
        self.tokens += 1;
        push_varint(&mut self.table, token.len() as u32);
        self.table.extend_from_slice(token.as_bytes());
        push_varint(&mut self.table, (self.postings.len() - start) as u32);
    }

    /// Adds `token` (after every token added before) with its postings as
    /// [`push_code`] wrote them.
    pub(super) fn push_encoded(&mut self, token: &str, postings: &[u8]) {
        self.postings.extend_from_slice(postings);
        self.tokens += 1;
        push_varint(&mut self.table, token.len() as u32);
        self.table.extend_from_slice(token.as_bytes());
        push_varint(&mut self.table, postings.len() as u32);
    }

    /// The file's bytes.
    pub(super) fn finish(mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + self.table.len() + self.postings.len());
        self.finish_into(&mut out);
        out
    }

    /// The file's bytes into `out`; the writer is left empty for the next
    /// shard, with its buffers (a fresh buffer a file costs more in the
    /// allocator than the copy: the heap is fragmented by then).
    pub(super) fn finish_into(&mut self, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(5 + self.table.len() + self.postings.len());
        push_varint(out, self.tokens);
        out.extend_from_slice(&self.table);
        out.extend_from_slice(&self.postings);
        self.tokens = 0;
        self.table.clear();
        self.postings.clear();
    }
}

/// The entries of a shard file [`ShardWriter`] wrote: each token's UTF-8
/// and its postings as [`push_code`] wrote them, in order; None when the
/// bytes are not such a file.
pub(super) fn shard_entries(bytes: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut i = 0;
    let n = read_varint(bytes, &mut i)? as usize;
    // Each token takes at least two bytes of the table.
    let mut table = Vec::with_capacity(n.min(bytes.len() / 2));
    for _ in 0..n {
        let len = read_varint(bytes, &mut i)? as usize;
        let token = bytes.get(i..i.checked_add(len)?)?;
        i += len;
        table.push((token, read_varint(bytes, &mut i)? as usize));
    }
    let mut out = Vec::with_capacity(table.len());
    for (token, len) in table {
        out.push((token, bytes.get(i..i.checked_add(len)?)?));
        i += len;
    }
    (i == bytes.len()).then_some(out)
}

/// The varint [`push_varint`] wrote at `bytes[*i..]`, `i` moved past it.
fn read_varint(bytes: &[u8], i: &mut usize) -> Option<u32> {
    let (mut v, mut shift) = (0u32, 0);
    loop {
        let b = *bytes.get(*i)?;
        *i += 1;
        v |= u32::from(b & 0x7f).checked_shl(shift)?;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
    }
}

/// The shard file of `entries` (tokens in order, each with its codes).
pub(super) fn shard_file(entries: &[(String, Vec<u32>)]) -> Vec<u8> {
    let mut out = Vec::new();
    shard_file_into(entries, &mut ShardWriter::default(), &mut out);
    out
}

/// [`shard_file`] into `out`, through `w` (empty).
pub(super) fn shard_file_into(
    entries: &[(String, Vec<u32>)],
    w: &mut ShardWriter,
    out: &mut Vec<u8>,
) {
    // Most postings take one byte, a few two or three.
    let cost: usize = entries.iter().map(|(t, c)| t.len() + 3 + c.len() * 2).sum();
    w.table.reserve(cost / 8 + 16);
    w.postings.reserve(cost);
    for (t, codes) in entries {
        w.push(t, codes.iter().copied());
    }
    w.finish_into(out);
}

thread_local! {
    static GZIP: std::cell::RefCell<libdeflater::Compressor> =
        std::cell::RefCell::new(libdeflater::Compressor::new(
            libdeflater::CompressionLvl::new(1).unwrap_or_default(),
        ));
}

/// A text chunk's file: its JSON rows, gzipped (libdeflate, level 1: a
/// tenth of the CPU of writing them, and 46 % of the bytes).
pub(super) fn chunk_file(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    chunk_file_into(json, &mut out);
    out
}

/// [`chunk_file`] into `out`.
pub(super) fn chunk_file_into(json: &[u8], out: &mut Vec<u8>) {
    GZIP.with(|z| {
        let mut z = z.borrow_mut();
        out.clear();
        out.resize(z.gzip_compress_bound(json.len()), 0);
        // The buffer is as large as the compressor asks: this cannot fail.
        let n = z.gzip_compress(json, out).unwrap_or(0);
        out.truncate(n);
    });
}

/// The JSON rows of a text chunk's file ([`chunk_file`]); None when it
/// is not one (its size is the gzip trailer's, at most 256 MB).
pub(super) fn chunk_json(file: &[u8]) -> Option<Vec<u8>> {
    let size = file.get(file.len().checked_sub(4)?..)?;
    let size = u32::from_le_bytes(size.try_into().ok()?) as usize;
    if size > 1 << 28 {
        return None;
    }
    let mut out = vec![0; size];
    let n = libdeflater::Decompressor::new()
        .gzip_decompress(file, &mut out)
        .ok()?;
    (n == size).then_some(out)
}

/// Site path of `docs.json`.
pub const DOCS_PATH: &str = "search/docs.json";

/// Site path of postings shard `n` (binary: `.bin`, which no server
/// serves with a `Content-Encoding` or refuses for an unknown type, and no
/// FTP client uploads in text mode).
pub(super) fn shard_path(n: usize) -> String {
    format!("search/idx/{n}.bin")
}

/// Site path of text chunk `n` (gzipped JSON: `.bin`, as shards).
pub(super) fn text_path(n: usize) -> String {
    format!("search/text/{n}.bin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_shard_files_read_back_entry_by_entry() {
        let mut w = ShardWriter::default();
        let long = vec![0x35u32 << 8 | u32::from(16 + BODY); 70];
        w.push(
            "灭蚊",
            [1u32 << 8 | 7, 300 << 8 | u32::from(16 + BODY)].into_iter(),
        );
        w.push(&"长".repeat(50), long.iter().copied());
        w.push("x", std::iter::empty());
        let file = w.finish();
        let entries = shard_entries(&file).unwrap();
        let texts: Vec<&[u8]> = entries.iter().map(|e| e.0).collect();
        let long_text = "长".repeat(50);
        let want: [&[u8]; 3] = ["灭蚊".as_bytes(), long_text.as_bytes(), b"x"];
        assert_eq!(texts, want);
        let codes: Vec<u32> = read_codes(entries[0].1).collect();
        assert_eq!(codes, [1 << 8 | 7, 300 << 8 | u32::from(16 + BODY)]);
        assert_eq!(read_codes(entries[1].1).collect::<Vec<_>>(), long);
        assert!(entries[2].1.is_empty());
        // Cut anywhere, or with a byte more, it is no shard file.
        for end in 0..file.len() {
            assert!(shard_entries(&file[..end]).is_none(), "cut at {end}");
        }
        let mut more = file.clone();
        more.push(0);
        assert!(shard_entries(&more).is_none());
    }

    #[test]
    fn search_varints_and_codes_have_their_lengths() {
        for n in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            u32::MAX,
        ] {
            let mut v = Vec::new();
            push_varint(&mut v, n);
            assert_eq!(v.len(), varint_len(n), "{n}");
            let (mut x, mut shift) = (0u64, 0);
            for b in &v {
                x |= u64::from(b & 0x7f) << shift;
                shift += 7;
            }
            assert_eq!(x, u64::from(n));
            assert!(v[..v.len() - 1].iter().all(|b| b & 0x80 != 0) && v[v.len() - 1] < 0x80);
        }
        // (delta, entry) → bytes.
        for (code, want) in [
            ((1 << 8) | (16 + BODY as u32), vec![4]),
            ((2 << 8) | (48 + BODY as u32), vec![10]),
            (64 + BODY as u32, vec![3, 64 + BODY]),
            ((31 << 8) | TITLE as u32, vec![127, TITLE]),
            ((32 << 8) | (16 + BODY as u32), vec![0x80, 1]),
        ] {
            let mut v = Vec::new();
            push_code(&mut v, code);
            assert_eq!(v, want, "{code:#x}");
            assert_eq!(code_len(code), want.len());
        }
    }

    #[test]
    fn search_shard_file_is_table_then_postings() {
        let entries = vec![
            ("卫生".to_string(), vec![(3 << 8) | 24, (2 << 8) | 9]),
            ("x".to_string(), vec![24]),
        ];
        let mut want = vec![2, 6];
        want.extend_from_slice("卫生".as_bytes());
        want.extend_from_slice(&[3, 1, b'x', 1]);
        want.extend_from_slice(&[12, 11, 9, 0]);
        assert_eq!(shard_file(&entries), want);
        assert_eq!(shard_file(&[]), vec![0]);
    }

    #[test]
    fn search_chunk_file_is_gzip_of_the_rows() {
        let body = "各单位要落实门前五包责任制，做好环境卫生整治工作。".repeat(40);
        let json = format!("[[\"标题\",\"a/\",\"\",[],\"{body}\"]]").into_bytes();
        let gz = chunk_file(&json);
        assert_eq!((gz[0], gz[1], gz[3]), (0x1f, 0x8b, 0), "gzip, no flags");
        // Compressed (the first block is not a stored one), and well.
        assert_ne!((gz[10] >> 1) & 3, 0, "{gz:x?}");
        assert!(gz.len() < json.len() / 4, "{} of {}", gz.len(), json.len());
        let mut out = vec![0; json.len()];
        let n = libdeflater::Decompressor::new()
            .gzip_decompress(&gz, &mut out)
            .unwrap();
        assert_eq!(&out[..n], json);
        assert_eq!(chunk_file(&json), gz, "the same bytes every time");
        assert_eq!(chunk_json(&gz).as_deref(), Some(json.as_slice()));
        assert_eq!(chunk_json(&gz[..gz.len() - 1]), None);
        assert_eq!(chunk_json(b"[]"), None);
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
    }
}

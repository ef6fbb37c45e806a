//! The search tokenizer, mirrored by `search.js`: CJK runs become character bigrams and single characters, Latin words and numbers whole lower-cased tokens.
//!
//! A query segments the same way: a multi-character CJK term needs all its
//! bigrams (so a term inside a longer word matches), a one-character term
//! its unigram. The browser client applies the same rules; keep both in step.

/// Whether `c` is segmented as CJK (Han, kana, Hangul) rather than as a word.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // hiragana, katakana
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{ac00}'..='\u{d7af}' // Hangul syllables
        | '\u{f900}'..='\u{faff}' // compatibility ideographs
        | '\u{20000}'..='\u{3134f}')
}

/// Folds full-width ASCII (`２０２４`, `ＧＢ`) to ASCII and lower-cases it.
pub fn fold(c: char) -> char {
    let c = match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Whether `c` (already folded) belongs to a Latin word or number token.
pub fn is_word(c: char) -> bool {
    // The cheap range tests first: `is_alphanumeric` is a table search for
    // every non-ASCII character, and most characters here are CJK or
    // punctuation.
    !is_cjk(c) && !is_punctuation(c) && c.is_alphanumeric()
}

/// General and CJK punctuation (“”—…、。《》【】): neither CJK nor words.
fn is_punctuation(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}')
}

/// Calls `emit` with every token of `text`, in order, repeats included.
pub fn each_token(text: &str, mut emit: impl FnMut(&str)) {
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let mut buf = String::new();
    let mut flush_run = |run: &mut Vec<char>, emit: &mut dyn FnMut(&str)| {
        for (i, &c) in run.iter().enumerate() {
            buf.clear();
            buf.push(c);
            emit(&buf);
            if let Some(&next) = run.get(i + 1) {
                buf.push(next);
                emit(&buf);
            }
        }
        run.clear();
    };
    for c in text.chars() {
        let c = fold(c);
        if is_cjk(c) {
            run.push(c);
        } else if !run.is_empty() {
            flush_run(&mut run, &mut emit);
        }
        if is_word(c) {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            emit(&word);
            word.clear();
        }
    }
    flush_run(&mut run, &mut emit);
    if !word.is_empty() {
        emit(&word);
    }
}

/// A token of up to three characters as an integer, 21 bits a character
/// (tokens never hold NUL, so lengths cannot collide).
pub fn pack(t: &str) -> Option<u64> {
    let mut k = 0u64;
    for (i, c) in t.chars().enumerate() {
        if i == 3 {
            return None;
        }
        k = (k << 21) | u64::from(c);
    }
    Some(k)
}

/// A token as [`each_packed`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packed<'a> {
    /// Up to three characters, [`pack`]ed.
    Short(u64),
    /// Four characters or more.
    Long(&'a str),
}

/// The tokens of [`each_token`], as a multiset and in another order, for
/// the index builder: tokens of up to three characters [`pack`]ed, longer
/// ones as text. CJK unigrams and bigrams are packed straight from the
/// characters, with no string built.
pub fn each_packed(text: &str, mut emit: impl FnMut(Packed)) {
    fn flush(word: &mut String, emit: &mut impl FnMut(Packed)) {
        match pack(word) {
            Some(k) => emit(Packed::Short(k)),
            None => emit(Packed::Long(word)),
        }
        word.clear();
    }
    let mut prev: u64 = 0;
    let mut word = String::new();
    for c in text.chars() {
        // CJK unified ideographs, the commonest characters, are not folded.
        let c = if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            c
        } else {
            fold(c)
        };
        if is_cjk(c) {
            let k = u64::from(c);
            emit(Packed::Short(k));
            if prev != 0 {
                emit(Packed::Short((prev << 21) | k));
            }
            prev = k;
            if !word.is_empty() {
                flush(&mut word, &mut emit);
            }
            continue;
        }
        prev = 0;
        if is_word(c) {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            flush(&mut word, &mut emit);
        }
    }
    if !word.is_empty() {
        flush(&mut word, &mut emit);
    }
}

/// The characters of a [`pack`]ed token, in order.
pub fn unpacked(k: u64) -> impl Iterator<Item = char> {
    let n = (64 - k.leading_zeros()).div_ceil(21);
    (0..n)
        .rev()
        .map(move |i| char::from_u32(((k >> (21 * i)) & 0x1f_ffff) as u32).unwrap_or('\u{fffd}'))
}

/// Every token of `text`, in order, repeats included.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |t| out.push(t.to_string()));
    out
}

/// The shard a token's postings live in: FNV-1a over its code points,
/// finished with MurmurHash3's `fmix32` (FNV's low bits alone cluster on
/// neighbouring code points), modulo 2^`bits`. `search.js` computes the same
/// with `Math.imul`.
pub fn shard(token: &str, bits: u32) -> usize {
    shard_of(token.chars(), bits)
}

/// [`shard`] of the token made of `chars`.
pub fn shard_of(chars: impl Iterator<Item = char>, bits: u32) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for c in chars {
        h ^= c as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    (h & ((1u32 << bits) - 1)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(toks: &[String], t: &str) -> bool {
        toks.iter().any(|x| x == t)
    }

    #[test]
    fn search_tokens_bigrams_of_real_report_sentence() {
        let t = tokens("采取专项治理和落实“门前五包”职责制相结合的办法");
        for want in ["门前", "前五", "五包", "专项", "治理", "职责", "办法"] {
            assert!(has(&t, want), "missing {want} in {t:?}");
        }
        // The quotes split runs: no bigram spans them.
        assert!(!has(&t, "实门"), "{t:?}");
        assert!(!has(&t, "包职"), "{t:?}");
        // Single characters too, for one-character queries.
        assert!(has(&t, "门") && has(&t, "包") && has(&t, "法"), "{t:?}");
    }

    #[test]
    fn search_tokens_latin_and_numbers_whole_lowercase() {
        let t = tokens("执行GB7792标准，2024年共清理垃圾1518.2吨，ＰＭ２.５达标");
        for want in ["gb7792", "2024", "1518", "2", "pm2", "5", "标准", "垃圾"] {
            assert!(has(&t, want), "missing {want} in {t:?}");
        }
        assert!(!has(&t, "GB7792"));
    }

    #[test]
    fn search_tokens_term_inside_longer_word() {
        let doc = tokens("开展夏季灭蚊活动");
        let q = tokens("灭蚊");
        assert_eq!(q, vec!["灭", "灭蚊", "蚊"]);
        assert!(has(&doc, "灭蚊"));
    }

    #[test]
    fn search_packed_tokens_are_the_same_multiset() {
        for text in [
            "采取专项治理和落实“门前五包”职责制相结合的办法",
            "执行GB7792标准，2024年共清理垃圾1518.2吨，ＰＭ２.５达标",
            "陶乐镇abc一xyzw二 İstanbul 鼠",
            "",
            "  ，。！ ",
        ] {
            let mut want: Vec<String> = tokens(text);
            want.sort();
            let mut got: Vec<String> = Vec::new();
            let mut long: Vec<String> = Vec::new();
            each_packed(text, |t| match t {
                Packed::Short(k) => got.push(unpacked(k).collect()),
                Packed::Long(t) => long.push(t.to_string()),
            });
            got.append(&mut long);
            got.sort();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn search_punctuation_is_not_alphanumeric() {
        for c in ('\u{2000}'..='\u{3020}').filter(|&c| is_punctuation(c)) {
            assert!(!c.is_alphanumeric() && !is_cjk(c), "{c:?}");
        }
        assert!(is_word('〇') && is_word('々') && is_word('é'));
    }

    #[test]
    fn search_tokens_single_characters_and_short_runs() {
        assert_eq!(tokens("鼠"), vec!["鼠"]);
        assert_eq!(tokens("灭 鼠"), vec!["灭", "鼠"]);
        assert_eq!(tokens("陶乐镇"), vec!["陶", "陶乐", "乐", "乐镇", "镇"]);
        assert!(tokens("  ，。！ ").is_empty());
    }

    #[test]
    fn search_shard_is_a_well_spread_hash_of_code_points() {
        for bits in [0, 1, 3, 8, 12] {
            assert!(shard("卫生", bits) < 1 << bits);
        }
        assert_eq!(shard("x", 0), 0);
        // Pinned values: search.js must compute the same.
        assert_eq!(
            [shard("卫", 12), shard("卫生", 12), shard("gb7792", 12)],
            [2410, 1010, 644]
        );
        // Spread: 2 000 distinct bigrams over 16 shards, none empty or doubly full.
        let text: String = (0x4e00u32..0x4e00 + 2001)
            .filter_map(char::from_u32)
            .collect();
        let mut counts = [0usize; 16];
        for t in tokens(&text).iter().filter(|t| t.chars().count() == 2) {
            counts[shard(t, 4)] += 1;
        }
        assert!(counts.iter().all(|&n| n > 60 && n < 250), "{counts:?}");
    }
}

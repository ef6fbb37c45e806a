//! The search tokenizer, mirrored by `search.js`: CJK runs become character bigrams (plus the run's last character), Latin words and numbers whole lower-cased tokens.
//!
//! Every character of a CJK run is thus the first character of some token,
//! so a one-character query finds it by prefix within one shard. The browser
//! client applies the same rules to queries; keep both in step.

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
    c.is_alphanumeric() && !is_cjk(c)
}

/// Calls `emit` with every token of `text`, in order, repeats included.
pub fn each_token(text: &str, mut emit: impl FnMut(&str)) {
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let mut buf = String::new();
    let mut flush_run = |run: &mut Vec<char>, emit: &mut dyn FnMut(&str)| {
        for pair in run.windows(2) {
            buf.clear();
            buf.extend(pair);
            emit(&buf);
        }
        if let Some(&last) = run.last() {
            buf.clear();
            buf.push(last);
            emit(&buf);
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

/// Every token of `text`, in order, repeats included.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |t| out.push(t.to_string()));
    out
}

/// The shard a token's postings live in: by its first character, so that
/// all tokens starting with one character share a shard (prefix lookups).
/// `bits` is log2 of the shard count. `search.js` computes the same.
pub fn shard(token: &str, bits: u32) -> usize {
    let Some(c) = token.chars().next() else {
        return 0;
    };
    if bits == 0 {
        return 0;
    }
    ((c as u32).wrapping_mul(2_654_435_761) >> (32 - bits)) as usize
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
        // The last character of each run is a token of its own.
        assert!(has(&t, "包") && has(&t, "法"), "{t:?}");
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
        assert_eq!(q, vec!["灭蚊", "蚊"]);
        assert!(has(&doc, "灭蚊"));
    }

    #[test]
    fn search_tokens_single_characters_and_short_runs() {
        assert_eq!(tokens("鼠"), vec!["鼠"]);
        assert_eq!(tokens("灭 鼠"), vec!["灭", "鼠"]);
        assert_eq!(tokens("陶乐镇"), vec!["陶乐", "乐镇", "镇"]);
        assert!(tokens("  ，。！ ").is_empty());
    }

    #[test]
    fn search_shard_depends_on_first_char_only() {
        for bits in [0, 1, 3, 8, 12] {
            assert_eq!(shard("门前", bits), shard("门", bits));
            assert!(shard("卫生", bits) < 1 << bits);
        }
        // Same arithmetic as search.js: Math.imul(cp, 2654435761) >>> (32 - bits).
        assert_eq!(shard("a", 8), ((97u64 * 2_654_435_761) % (1 << 32) >> 24) as usize);
    }
}

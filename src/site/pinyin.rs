//! Toneless pinyin read per word, not per character: a run of Chinese
//! characters is split into the fewest dictionary words (a lone character
//! counts as one; on a tie the longer first word wins), each word read as
//! the dictionary says and every other character by its usual reading. So
//! 重庆 → chong qing, 银行 → yin hang, 校长 → xiao zhang, while 重庆市长寿区
//! splits 重庆市|长寿区 and not …市长….
//!
//! The tables are `data/pinyin/*.txt`, derived by `scripts/derive-pinyin.py`
//! from pypinyin's data (MIT) and cpca's list of administrative divisions
//! (MIT) plus hand-checked readings; that script does the same split, so
//! it keeps only the words this reader needs. Syllables are ASCII: `ü` is
//! written `v` (`lv`, `nv`, `lve`), and `u` after j/q/x/y as in pinyin.

use crate::hash::FxHashMap;
use std::sync::OnceLock;

/// `syllable chars…` per line: each character's usual reading.
const CHARS: &str = include_str!("../../data/pinyin/chars.txt");
/// `word syllable…` per line, or the bare word when it reads as its
/// characters do (kept so that a wrongly read word cannot match across it).
const PHRASES: &str = include_str!("../../data/pinyin/phrases.txt");

struct Tables {
    chars: FxHashMap<char, &'static str>,
    /// Word → its reading (`"chong qing"`), empty for a bare word.
    words: FxHashMap<&'static str, &'static str>,
    /// First character → the length in characters of the longest word
    /// starting with it.
    longest: FxHashMap<char, u8>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut chars = FxHashMap::default();
        chars.reserve(42_000);
        for line in CHARS.lines() {
            if let Some((syllable, cs)) = line.split_once(' ') {
                for c in cs.chars() {
                    chars.insert(c, syllable);
                }
            }
        }
        let mut words = FxHashMap::default();
        let mut longest: FxHashMap<char, u8> = FxHashMap::default();
        words.reserve(13_000);
        for line in PHRASES.lines() {
            let (word, reading) = line.split_once(' ').unwrap_or((line, ""));
            let Some(first) = word.chars().next() else {
                continue;
            };
            let n = word.chars().count().min(u8::MAX as usize) as u8;
            let l = longest.entry(first).or_insert(0);
            *l = (*l).max(n);
            words.insert(word, reading);
        }
        Tables {
            chars,
            words,
            longest,
        }
    })
}

/// The usual reading of one character, if it has one.
pub fn char_reading(c: char) -> Option<&'static str> {
    tables().chars.get(&c).copied()
}

/// Appends the syllables of `run` (Chinese characters; anything without a
/// reading is skipped) to `out`.
pub fn read(run: &str, out: &mut Vec<&'static str>) {
    let t = tables();
    // Byte offset of every character, and one past the end.
    let starts: Vec<usize> = run
        .char_indices()
        .map(|(i, _)| i)
        .chain([run.len()])
        .collect();
    let n = starts.len() - 1;
    // best[i]: fewest words for run[i..]; take[i]: characters in the first.
    let mut best = vec![0u32; n + 1];
    let mut take = vec![1usize; n + 1];
    for i in (0..n).rev() {
        best[i] = 1 + best[i + 1];
        take[i] = 1;
        let first = run[starts[i]..].chars().next().unwrap_or(' ');
        let longest = t.longest.get(&first).map_or(0, |l| *l as usize);
        for k in 2..=longest.min(n - i) {
            if best[i + k] < best[i] && t.words.contains_key(&run[starts[i]..starts[i + k]]) {
                best[i] = 1 + best[i + k];
                take[i] = k;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let k = take[i];
        let word = &run[starts[i]..starts[i + k]];
        match t.words.get(word) {
            Some(reading) if k > 1 && !reading.is_empty() => out.extend(reading.split(' ')),
            _ => out.extend(word.chars().filter_map(|c| t.chars.get(&c).copied())),
        }
        i += k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinyin(s: &str) -> String {
        let mut out = Vec::new();
        read(s, &mut out);
        out.join("-")
    }

    #[test]
    fn reads_per_word() {
        assert_eq!(pinyin("重庆"), "chong-qing");
        assert_eq!(pinyin("重要"), "zhong-yao");
        assert_eq!(pinyin("校长"), "xiao-zhang");
        assert_eq!(pinyin("长期"), "chang-qi");
        assert_eq!(pinyin("银行网点"), "yin-hang-wang-dian");
        assert_eq!(pinyin("重庆市长寿区"), "chong-qing-shi-chang-shou-qu");
        assert_eq!(pinyin("率先"), "shuai-xian");
        assert_eq!(pinyin("效率"), "xiao-lv");
        assert_eq!(pinyin(""), "");
    }

    #[test]
    fn every_syllable_is_lowercase_ascii() {
        let t = tables();
        let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
        for s in t.chars.values() {
            assert!(ok(s), "{s:?}");
        }
        for (w, r) in &t.words {
            assert!(r.is_empty() || r.split(' ').all(ok), "{w} {r:?}");
            assert!(
                r.is_empty() || r.split(' ').count() == w.chars().count(),
                "{w} {r:?}"
            );
        }
    }

    #[test]
    fn characters_without_a_reading_are_skipped() {
        // U+2A6DF is in a CJK range but has no reading in the tables.
        assert_eq!(char_reading('\u{2A6DF}'), None);
        assert_eq!(
            pinyin("行\u{2A6DF}业"),
            format!("{}-{}", pinyin("行"), pinyin("业"))
        );
    }
}

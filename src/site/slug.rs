//! URL slugs: Chinese transliterated to toneless pinyin read per word
//! (`super::pinyin`) and joined by `-` (`陶乐镇` → `tao-le-zhen`, `银行网点` →
//! `yin-hang-wang-dian`), always ASCII; or kept as is with `slugs: unicode`.

use super::pinyin;
use crate::config::SlugMode;

/// Makes a slug from a title, name or file stem.
pub fn slugify(s: &str, mode: SlugMode) -> String {
    // Already slug-like ASCII (`r000123`, `tao-le-zhen`): words of ASCII
    // letters and digits joined by single hyphens come out lowercased, and
    // nothing else changes.
    let b = s.as_bytes();
    if !b.is_empty()
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !s.contains("--")
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        return s.to_ascii_lowercase();
    }
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, words: &mut Vec<String>| {
        if !cur.is_empty() {
            words.push(std::mem::take(cur));
        }
    };
    // Byte range of the run of Chinese characters being collected (pinyin).
    let mut run: Option<(usize, usize)> = None;
    let mut syllables = Vec::new();
    let mut read_run = |run: &mut Option<(usize, usize)>, words: &mut Vec<String>| {
        if let Some((a, b)) = run.take() {
            syllables.clear();
            pinyin::read(&s[a..b], &mut syllables);
            words.extend(syllables.iter().map(|p| p.to_string()));
        }
    };
    for (i, c) in s.char_indices() {
        if is_cjk(c) && mode == SlugMode::Pinyin {
            flush(&mut cur, &mut words);
            let a = run.map_or(i, |(a, _)| a);
            run = Some((a, i + c.len_utf8()));
            continue;
        }
        read_run(&mut run, &mut words);
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c == '_' || c == '.' {
            // Keep file-name-like separators as word breaks.
            flush(&mut cur, &mut words);
        } else if is_cjk(c) {
            cur.push(c);
        } else if c.is_alphanumeric() {
            match mode {
                SlugMode::Unicode => cur.extend(c.to_lowercase()),
                SlugMode::Pinyin => flush(&mut cur, &mut words),
            }
        } else {
            flush(&mut cur, &mut words);
        }
    }
    read_run(&mut run, &mut words);
    flush(&mut cur, &mut words);
    words.join("-")
}

/// CJK ideographs (the ranges pinyin covers, plus compatibility ones).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_slugs() {
        assert_eq!(slugify("陶乐镇", SlugMode::Pinyin), "tao-le-zhen");
        assert_eq!(slugify("控烟", SlugMode::Pinyin), "kong-yan");
        assert_eq!(slugify("夏季灭蚊", SlugMode::Pinyin), "xia-ji-mie-wen");
        assert_eq!(
            slugify("2024年 创卫 Work_Summary", SlugMode::Pinyin),
            "2024-nian-chuang-wei-work-summary"
        );
        assert_eq!(slugify("“门前五包”", SlugMode::Pinyin), "men-qian-wu-bao");
        assert_eq!(slugify("tao-le-zhen", SlugMode::Pinyin), "tao-le-zhen");
    }

    #[test]
    fn ascii_fast_path_matches_the_general_rule() {
        for s in [
            "r000123",
            "R0001",
            "Tao-Le-Zhen",
            "a-b-c",
            "-a",
            "a-",
            "a--b",
            "-",
            "--",
            "",
            "a_b",
            "a.b",
            "A B",
            "x",
            "2024",
        ] {
            for mode in [SlugMode::Pinyin, SlugMode::Unicode] {
                let words: Vec<String> = s
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect();
                assert_eq!(slugify(s, mode), words.join("-"), "{s:?}");
            }
        }
    }

    #[test]
    fn unicode_slugs() {
        assert_eq!(slugify("陶乐镇 2024", SlugMode::Unicode), "陶乐镇-2024");
        assert_eq!(
            slugify("“门前五包”责任制", SlugMode::Unicode),
            "门前五包-责任制"
        );
    }
}

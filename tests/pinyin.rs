//! Pinyin slugs against a committed word list (tests/data/pinyin_words.tsv:
//! common words of official writing and place names of administrative
//! divisions, each reading checked against a dictionary or the gazetteer).

use jianbao::config::SlugMode;
use jianbao::site::slug::slugify;

const WORDS: &str = include_str!("data/pinyin_words.tsv");

#[test]
fn word_list_reads_right_and_stays_ascii() {
    let mut total = 0;
    let mut wrong = Vec::new();
    for (n, line) in WORDS.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (word, expected) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("line {}: no tab: {line:?}", n + 1));
        total += 1;
        let got = slugify(word, SlugMode::Pinyin);
        assert!(
            got.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{word}: {got:?} is not lowercase ASCII"
        );
        if got != expected {
            wrong.push(format!("{word}\tgot {got}\texpected {expected}"));
        }
    }
    assert!(
        total >= 300,
        "the list has {total} words; at least 300 wanted"
    );
    let right = (total - wrong.len()) as f64 / total as f64;
    println!(
        "{} of {total} right ({:.1} %)",
        total - wrong.len(),
        right * 100.0
    );
    for w in &wrong {
        println!("{w}");
    }
    assert!(
        right >= 0.98,
        "{:.1} % right, 98 % wanted; wrong:\n{}",
        right * 100.0,
        wrong.join("\n")
    );
}

#[test]
fn u_umlaut_is_v_and_u_after_j_q_x_y() {
    for (word, slug) in [
        ("率先", "shuai-xian"),
        ("绿色", "lv-se"),
        ("妇女", "fu-nv"),
        ("略", "lve"),
        ("虐", "nve"),
        ("居民", "ju-min"),
        ("群众", "qun-zhong"),
        ("需求", "xu-qiu"),
        ("预约", "yu-yue"),
    ] {
        assert_eq!(slugify(word, SlugMode::Pinyin), slug, "{word}");
    }
}

#[test]
fn mixed_titles_stay_ascii() {
    for s in [
        "重庆市长寿区2024年创卫工作总结",
        "“门前五包”责任制（试行）",
        "２０２４年 Ｑ３ 报告",
        "𠀀𪚥 ㄅㄆ ㊣ 〇",
        "Ünïcödé — 测试",
    ] {
        let slug = slugify(s, SlugMode::Pinyin);
        assert!(slug.is_ascii(), "{s}: {slug}");
    }
    assert_eq!(
        slugify("重庆市长寿区2024年创卫工作总结", SlugMode::Pinyin),
        "chong-qing-shi-chang-shou-qu-2024-nian-chuang-wei-gong-zuo-zong-jie"
    );
}

//! Finds personal numbers in text with one pass over its bytes: runs of
//! ASCII digits (or 3-4-4 / 4-4-4-4 groups joined by one space or hyphen)
//! are the only candidates, and each is checked the way the number is
//! defined — GB 11643 check digit and birth date for resident IDs, `1[3-9]`
//! for mobiles, Luhn plus a nearby 卡号/账号/银行 for bank cards. Masked
//! forms (`138****5678`) are not digit runs and so never match.

use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ResidentId,
    Mobile,
    BankCard,
}

/// One number found: byte range in the scanned text and its masked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub masked: String,
}

/// Numbers meant to be public, compared by their digits.
#[derive(Debug, Default, Clone)]
pub struct Allow(HashSet<String>);

impl Allow {
    pub fn new<'a>(numbers: impl IntoIterator<Item = &'a str>) -> Allow {
        Allow(
            numbers
                .into_iter()
                .map(allow_key)
                .filter(|d| !d.is_empty())
                .collect(),
        )
    }

    fn allows(&self, digits: &str) -> bool {
        // A resident ID's check character is X in either case.
        if digits.ends_with('x') {
            return self.0.contains(&digits.to_ascii_uppercase());
        }
        self.0.contains(digits)
    }
}

/// An allowed number's digits, with the X that may end a resident ID.
fn allow_key(s: &str) -> String {
    let mut key = digits_of(s);
    if !key.is_empty() && s.trim_end().ends_with(['x', 'X']) {
        key.push('X');
    }
    key
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Words that make a 16–19 digit Luhn number a bank card number.
const CARD_WORDS: &[&str] = &[
    "卡号",
    "账号",
    "帐号",
    "银行",
    "账户",
    "帐户",
    "开户",
    "银联",
    "信用卡",
    "储蓄卡",
];

/// GB 2260 province codes: the first two digits of a resident ID.
fn province(code: &[u8]) -> bool {
    let n = (code[0] - b'0') * 10 + (code[1] - b'0');
    matches!(n, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83 | 91)
}

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

fn plausible_birth(year: u32, month: u32, day: u32) -> bool {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2099).contains(&year) && (1..=days).contains(&day)
}

/// An 18-character resident ID (17 digits and a check digit or `X`).
fn resident_id_18(id: &[u8]) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = id[..17]
        .iter()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    province(id)
        && plausible_birth(num(&id[6..10]), num(&id[10..12]), num(&id[12..14]))
        && CHECK[(sum % 11) as usize] == id[17].to_ascii_uppercase()
}

/// A 15-digit resident ID of the first generation (no check digit).
fn resident_id_15(id: &[u8]) -> bool {
    province(id) && plausible_birth(1900 + num(&id[6..8]), num(&id[8..10]), num(&id[10..12]))
}

fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = v * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                v
            }
        })
        .sum();
    sum % 10 == 0
}

fn mask(d: &str, keep_start: usize, keep_end: usize) -> String {
    let n = d.len();
    format!(
        "{}{}{}",
        &d[..keep_start],
        "*".repeat(n - keep_start - keep_end),
        &d[n - keep_end..]
    )
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A card word within ~20 characters before or ~10 after `start..end`, on the same line.
fn near_card_word(text: &str, start: usize, end: usize) -> bool {
    let from = floor_boundary(text, start.saturating_sub(60));
    let to = ceil_boundary(text, end + 30);
    let before = text[from..start].rsplit('\n').next().unwrap_or("");
    let after = text[end..to].split('\n').next().unwrap_or("");
    CARD_WORDS
        .iter()
        .any(|w| before.contains(w) || after.contains(w))
}

/// What a candidate of these digits is, if anything.
fn classify(text: &str, digits: &str, start: usize, end: usize) -> Option<(Kind, String)> {
    let d = digits.as_bytes();
    match d.len() {
        18 if resident_id_18(d) => Some((Kind::ResidentId, mask(digits, 6, 4))),
        15 if resident_id_15(d) => Some((Kind::ResidentId, mask(digits, 6, 4))),
        11 if d[0] == b'1' && (b'3'..=b'9').contains(&d[1]) => {
            Some((Kind::Mobile, mask(digits, 3, 4)))
        }
        16..=19 if d.last() != Some(&b'X') && luhn(d) && near_card_word(text, start, end) => {
            Some((Kind::BankCard, mask(digits, 4, 4)))
        }
        _ => None,
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every personal number in `text` not in `allow`.
pub fn scan(text: &str, allow: &Allow) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        // Groups of digits joined by a single space or hyphen (at most 6
        // are looked at: no pattern has more).
        let mut groups = [(0usize, 0usize); 6];
        let mut n = 0;
        loop {
            let g = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if n < groups.len() {
                groups[n] = (g, i);
            }
            n += 1;
            if i + 1 < b.len() && (b[i] == b' ' || b[i] == b'-') && b[i + 1].is_ascii_digit() {
                i += 1;
            } else {
                break;
            }
        }
        if n == 1 && i - start < 11 {
            // The common case: a short figure.
            continue;
        }
        let groups = &groups[..n.min(6)];
        // An 18-character ID may end in X.
        let mut end = i;
        if n == 1 && i - start == 17 && i < b.len() && (b[i] | 0x20) == b'x' {
            end = i + 1;
            i += 1;
        }
        let before_ok = start == 0
            || !(is_word_byte(b[start - 1])
                || (b[start - 1] == b'.' && start >= 2 && b[start - 2].is_ascii_digit()));
        let after_ok = end >= b.len()
            || !(is_word_byte(b[end])
                || (b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit()));
        if !before_ok || !after_ok {
            continue;
        }
        let lens: Vec<usize> = groups.iter().map(|(s, e)| e - s).collect();
        let candidate: Option<(usize, String)> = if n == 1 {
            let d = &text[start..end];
            // `+86` written before the number without a space.
            match d.strip_prefix("86") {
                Some(rest) if rest.len() == 11 && start >= 1 && b[start - 1] == b'+' => {
                    Some((start + 2, rest.to_string()))
                }
                _ => Some((start, d.to_string())),
            }
        } else if lens == [3, 4, 4] || ((4..=5).contains(&n) && lens[..4] == [4, 4, 4, 4]) {
            Some((start, digits_of(&text[start..end])))
        } else {
            // Other groupings (dates, document numbers): look at each group alone.
            for &(s, e) in groups {
                let alone =
                    (s == start || b[s - 1] == b' ') && (e == end || b[e] == b' ') && (e - s) >= 11;
                if alone {
                    push(&mut hits, text, &text[s..e], s, e, allow);
                }
            }
            None
        };
        if let Some((s, digits)) = candidate {
            push(&mut hits, text, &digits, s, end, allow);
        }
    }
    hits
}

fn push(hits: &mut Vec<Hit>, text: &str, digits: &str, start: usize, end: usize, allow: &Allow) {
    if allow.allows(digits) {
        return;
    }
    if let Some((kind, masked)) = classify(text, digits, start, end) {
        hits.push(Hit {
            kind,
            start,
            end,
            masked,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        scan(text, &Allow::default())
            .into_iter()
            .map(|h| (h.kind, h.masked))
            .collect()
    }

    #[test]
    fn resident_ids_need_check_digit_and_birth_date() {
        // 11010519491231002X is the standard's own example.
        assert_eq!(
            kinds("身份证号11010519491231002X。"),
            vec![(Kind::ResidentId, "110105********002X".into())]
        );
        assert_eq!(kinds("身份证号110105194912310021"), vec![]);
        // Valid check digit but no 13th month.
        assert_eq!(kinds("110105194913310028"), vec![]);
        assert_eq!(
            kinds("老证 110105491231002"),
            vec![(Kind::ResidentId, "110105*****1002".into())]
        );
    }

    #[test]
    fn mobiles_alone_and_grouped() {
        assert_eq!(
            kinds("联系人：张三，13812345678"),
            vec![(Kind::Mobile, "138****5678".into())]
        );
        assert_eq!(
            kinds("电话 138-1234-5678 或 +8613912345678"),
            vec![
                (Kind::Mobile, "138****5678".into()),
                (Kind::Mobile, "139****5678".into())
            ]
        );
        // Part of a longer number, masked, or not 1[3-9].
        assert_eq!(
            kinds("编号 2138123456789，138****5678，12812345678，a13812345678"),
            vec![]
        );
        assert_eq!(
            scan("热线 13812345678", &Allow::new(["138-1234-5678"])),
            vec![]
        );
    }

    #[test]
    fn an_allowed_id_may_end_in_x_in_either_case() {
        let text = "证件 11010519491231002X 与 11010519491231002x";
        assert_eq!(scan(text, &Allow::default()).len(), 2);
        assert_eq!(scan(text, &Allow::new(["11010519491231002x"])), vec![]);
        assert_eq!(scan(text, &Allow::new(["110105 19491231 002X"])), vec![]);
        // The digits alone do not allow the ID that ends in X.
        assert_eq!(scan(text, &Allow::new(["110105194912310020"])).len(), 2);
    }

    #[test]
    fn bank_cards_need_luhn_and_a_word() {
        assert_eq!(
            kinds("开户银行：农业银行，卡号 6228 4800 0000 0000 018"),
            vec![(Kind::BankCard, "6228***********0018".into())]
        );
        assert_eq!(kinds("流水号 6228480000000000018"), vec![]);
        assert_eq!(kinds("卡号 6228480000000000019"), vec![]);
    }

    #[test]
    fn dates_and_figures_pass() {
        assert_eq!(
            kinds("2024-12-20 清理垃圾 1200 吨，投入资金 1,234,567 元，2024年12月20日"),
            vec![]
        );
    }
}

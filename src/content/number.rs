//! Figures as Chinese reports write them: `8`, `1518.20`, `"1.2万"`, `"3亿"`,
//! `"600多"`, `"2024余"` (a lower bound, kept with an `approx` flag).
//! Exact decimals, so sums do not drift.

use rust_decimal::Decimal;
use std::str::FromStr;

/// A parsed figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub value: Decimal,
    /// `多` / `余`: at least this much.
    pub approx: bool,
}

/// Why a text is not a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureError {
    /// Not a number in any of the accepted forms.
    Invalid,
    /// A number, but beyond what a figure holds (about 7.9 × 10^28).
    TooLarge,
}

/// Parses the text form. Thousands separators (`1,200`, `1，200`) are allowed.
pub fn parse_figure(s: &str) -> Option<Figure> {
    parse_figure_checked(s).ok()
}

/// [`parse_figure`], telling a malformed text from one too large to hold.
pub fn parse_figure_checked(s: &str) -> Result<Figure, FigureError> {
    let mut t = s.trim().replace([',', '，', ' '], "");
    let mut approx = false;
    for suffix in ["多", "余"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.to_string();
            approx = true;
            break;
        }
    }
    let mut scale = Decimal::ONE;
    for (suffix, factor) in [("万", 10_000i64), ("亿", 100_000_000i64)] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.to_string();
            scale = Decimal::from(factor);
            break;
        }
    }
    // "3万余" and "3余万" both read as "more than 30000".
    if !approx {
        for suffix in ["多", "余"] {
            if let Some(rest) = t.strip_suffix(suffix) {
                t = rest.to_string();
                approx = true;
                break;
            }
        }
    }
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        || t.starts_with('.')
    {
        return Err(FigureError::Invalid);
    }
    let v = match Decimal::from_str(&t) {
        Ok(v) => v,
        // Digits only, but more than 96 bits of them.
        Err(_) if is_plain_number(&t) => return Err(FigureError::TooLarge),
        Err(_) => return Err(FigureError::Invalid),
    };
    if v.is_sign_negative() && !v.is_zero() {
        return Err(FigureError::Invalid);
    }
    let value = v.checked_mul(scale).ok_or(FigureError::TooLarge)?;
    Ok(Figure {
        value: value.normalize(),
        approx,
    })
}

/// `123`, `1.5`: digits with at most one point inside.
fn is_plain_number(t: &str) -> bool {
    let mut parts = t.split('.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none()
}

/// Formats a figure the way a Chinese reader expects: `600余`, `1518.2`,
/// and large round values in 万/亿 (`2908万`, `3亿`) — only when exact.
pub fn format_figure(f: &Figure) -> String {
    let wan = Decimal::from(10_000);
    let yi = Decimal::from(100_000_000);
    let v = f.value;
    let mut s = if v >= yi && (v % Decimal::from(1_000_000)).is_zero() {
        format!("{}亿", format_decimal(v / yi))
    } else if v >= Decimal::from(100_000) && (v % Decimal::from(100)).is_zero() {
        format!("{}万", format_decimal(v / wan))
    } else {
        format_decimal(v)
    };
    if f.approx {
        s.push('余');
    }
    s
}

/// A decimal without trailing zeros, with no exponent.
pub fn format_decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (String, bool) {
        let f = parse_figure(s).unwrap();
        (format_decimal(f.value), f.approx)
    }

    #[test]
    fn chinese_forms() {
        assert_eq!(p("8"), ("8".into(), false));
        assert_eq!(p("1.2万"), ("12000".into(), false));
        assert_eq!(p("3亿"), ("300000000".into(), false));
        assert_eq!(p("600多"), ("600".into(), true));
        assert_eq!(p("2024余"), ("2024".into(), true));
        assert_eq!(p("3万余"), ("30000".into(), true));
        assert_eq!(p("1,200"), ("1200".into(), false));
        assert_eq!(p("1518.20"), ("1518.2".into(), false));
        for bad in ["", "多", "很多", "约600", "600吨", "-5", "1.2.3", "万"] {
            assert!(parse_figure(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn too_large_is_told_apart_and_never_panics() {
        for big in [
            "79228162514264337593543950335亿",
            "79228162514264337593543950336",
            "9999999999999999999999999999万",
            "100000000000000000000000000000000000000000",
        ] {
            assert_eq!(
                parse_figure_checked(big),
                Err(FigureError::TooLarge),
                "{big}"
            );
        }
        assert_eq!(parse_figure_checked("1.2.3"), Err(FigureError::Invalid));
        assert!(parse_figure("79228162514264337593543950335").is_some());
        assert!(parse_figure("792281625142643375935亿").is_some());
    }

    #[test]
    fn exact_sums() {
        let a = parse_figure("1518.20").unwrap().value + parse_figure("0.1").unwrap().value;
        assert_eq!(format_decimal(a), "1518.3");
        assert_eq!(format_figure(&parse_figure("600多").unwrap()), "600余");
        assert_eq!(format_figure(&parse_figure("2908万").unwrap()), "2908万");
        assert_eq!(
            format_figure(&parse_figure("30001.2万").unwrap()),
            "30001.2万"
        );
        assert_eq!(format_figure(&parse_figure("3亿").unwrap()), "3亿");
        assert_eq!(format_figure(&parse_figure("154277").unwrap()), "154277");
        assert_eq!(format_figure(&parse_figure("12000").unwrap()), "12000");
        assert_eq!(format_figure(&parse_figure("500万余").unwrap()), "500万余");
    }
}

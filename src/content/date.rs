//! Dates and reporting periods as editors write them: `2024-12-20`,
//! `2024年7月5日`, datetimes with offsets; periods `2024`, `2024-H1`,
//! `2024-Q3`, `2024-05`.

use std::fmt;

/// A calendar date, optionally with the time of day as written (for feeds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Seconds since midnight and the UTC offset in minutes, when given.
    pub time: Option<(u32, i32)>,
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1900..=2999).contains(&year)
            || month == 0
            || month > 12
            || day == 0
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date {
            year,
            month,
            day,
            time: None,
        })
    }

    /// Parses `2024-12-20`, `2024/12/20`, `2024年12月20日`, `2024年7月5日` and
    /// `2024-12-20T10:30:00+08:00` / `2024-12-20 10:30:00`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        if let Some(rest) = s.strip_suffix('日') {
            let (y, rest) = rest.split_once('年')?;
            let (m, d) = rest.split_once('月')?;
            return Date::new(num(y.trim())? as i32, num(m.trim())?, num(d.trim())?);
        }
        let (date_part, time_part) = match s.find(['T', ' ']) {
            Some(i) => (&s[..i], Some(s[i + 1..].trim())),
            None => (s, None),
        };
        let mut parts = date_part.split(['-', '/']);
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        let mut date = Date::new(num(y)? as i32, num(m)?, num(d)?)?;
        if let Some(t) = time_part {
            date.time = Some(parse_time(t)?);
        }
        Some(date)
    }

    /// `YYYY-MM-DD`, as government sites show publication dates.
    pub fn ymd(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM-DD HH:MM` when a time of day was written, else `YYYY-MM-DD`
    /// (the `PubDate` government pages carry; the time as written).
    pub fn pub_date(&self) -> String {
        match self.time {
            Some((secs, _)) => format!("{} {:02}:{:02}", self.ymd(), secs / 3600, secs / 60 % 60),
            None => self.ymd(),
        }
    }

    /// RFC 3339 for feeds and sitemaps (midnight +08:00 when no time was given).
    pub fn rfc3339(&self) -> String {
        let (secs, off) = self.time.unwrap_or((0, 8 * 60));
        let sign = if off < 0 { '-' } else { '+' };
        let off = off.unsigned_abs();
        format!(
            "{}T{:02}:{:02}:{:02}{}{:02}:{:02}",
            self.ymd(),
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            sign,
            off / 60,
            off % 60
        )
    }

    /// Key for newest-first ordering.
    pub fn sort_key(&self) -> (i32, u32, u32, u32) {
        (
            self.year,
            self.month,
            self.day,
            self.time.map(|t| t.0).unwrap_or(0),
        )
    }
}

fn parse_time(t: &str) -> Option<(u32, i32)> {
    let (clock, offset) = if let Some(c) = t.strip_suffix('Z') {
        (c, 0)
    } else if let Some(i) = t.rfind(['+', '-']) {
        let (c, o) = t.split_at(i);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let (oh, om) = o[1..].split_once(':').unwrap_or((&o[1..], "0"));
        (c, sign * (num(oh)? as i32 * 60 + num(om)? as i32))
    } else {
        (t, 8 * 60)
    };
    let mut it = clock.split(':');
    let h = num(it.next()?)?;
    let m = num(it.next().unwrap_or("0"))?;
    let s = it
        .next()
        .map(|s| s.split('.').next().unwrap_or("0"))
        .map(num)
        .unwrap_or(Some(0))?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h * 3600 + m * 60 + s, offset))
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ymd())
    }
}

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i32),
    Half(i32, u8),
    Quarter(i32, u8),
    Month(i32, u8),
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (y, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if y.len() != 4 {
            return None;
        }
        let year = num(y)? as i32;
        if !(1900..=2999).contains(&year) {
            return None;
        }
        Some(match rest {
            None => Period::Year(year),
            Some(r) => {
                let upper = r.to_ascii_uppercase();
                if let Some(h) = upper.strip_prefix('H') {
                    let h = num(h)?;
                    if !(1..=2).contains(&h) {
                        return None;
                    }
                    Period::Half(year, h as u8)
                } else if let Some(q) = upper.strip_prefix('Q') {
                    let q = num(q)?;
                    if !(1..=4).contains(&q) {
                        return None;
                    }
                    Period::Quarter(year, q as u8)
                } else {
                    let m = num(r)?;
                    if !(1..=12).contains(&m) {
                        return None;
                    }
                    Period::Month(year, m as u8)
                }
            }
        })
    }

    pub fn year(&self) -> i32 {
        match *self {
            Period::Year(y) | Period::Half(y, _) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// Chinese label: 2024年, 2024年上半年, 2024年第三季度, 2024年5月.
    pub fn label_zh(&self) -> String {
        match *self {
            Period::Year(y) => format!("{y}年"),
            Period::Half(y, 1) => format!("{y}年上半年"),
            Period::Half(y, _) => format!("{y}年下半年"),
            Period::Quarter(y, q) => format!(
                "{y}年第{}季度",
                ["一", "二", "三", "四"][(q as usize - 1).min(3)]
            ),
            Period::Month(y, m) => format!("{y}年{m}月"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_editor_dates() {
        assert_eq!(Date::parse("2024-12-20").unwrap().ymd(), "2024-12-20");
        assert_eq!(Date::parse("2024年12月20日").unwrap().ymd(), "2024-12-20");
        assert_eq!(Date::parse("2024年7月5日").unwrap().ymd(), "2024-07-05");
        assert_eq!(Date::parse("2024-7-5").unwrap().ymd(), "2024-07-05");
        let d = Date::parse("2024-12-20T10:30:00+08:00").unwrap();
        assert_eq!(d.rfc3339(), "2024-12-20T10:30:00+08:00");
        assert_eq!(
            Date::parse("2024-12-20 09:00:00Z").unwrap().rfc3339(),
            "2024-12-20T09:00:00+00:00"
        );
        for bad in [
            "2024-13-01",
            "2024-02-30",
            "20xx年5月1日",
            "yesterday",
            "2024",
            "2024年5月",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
    }

    #[test]
    fn parses_periods() {
        assert_eq!(Period::parse("2024"), Some(Period::Year(2024)));
        assert_eq!(Period::parse("2024-H1"), Some(Period::Half(2024, 1)));
        assert_eq!(Period::parse("2024-q3"), Some(Period::Quarter(2024, 3)));
        assert_eq!(Period::parse("2024-05"), Some(Period::Month(2024, 5)));
        assert_eq!(Period::parse("2024-H3"), None);
        assert_eq!(Period::parse("24"), None);
        assert_eq!(Period::parse("2024-Q3").unwrap().to_string(), "2024-Q3");
        assert_eq!(
            Period::parse("2024-Q3").unwrap().label_zh(),
            "2024年第三季度"
        );
    }
}

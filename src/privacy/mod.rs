//! The personal-data guard: resident ID, mobile and bank card numbers in
//! anything the site publishes from `content/` (front matter, bodies —
//! tables and link texts included —, attachment file names and the text of
//! `.docx`/`.xlsx` attachments) are errors, shown masked. Runs in `check`,
//! `build` and `serve` after the model is built, while sources are loaded.

pub mod office;
pub mod scan;

use crate::content::{Asset, Source, SourceText};
use crate::diagnostics::{text, Diagnostic, Text};
use crate::file_checks;
use crate::site::Site;
use crate::source::line_col;
use scan::{Allow, Hit, Kind};
use std::path::Path;

/// The English message of every personal-data error starts with this
/// (`audit` sorts findings by it).
pub const MESSAGE_PREFIX: &str = "personal data";

fn kind_name(k: Kind) -> (&'static str, &'static str) {
    match k {
        Kind::ResidentId => ("resident ID number", "居民身份证号"),
        Kind::Mobile => ("mobile phone number", "手机号码"),
        Kind::BankCard => ("bank card number", "银行卡号"),
    }
}

fn hint(masked: &str) -> Text {
    text!("mask it (`{}`) or remove it; a number meant to be public (a hotline) goes in `audit.allow` in site.yaml", masked;
          "请去标识化（写成 `{}`）或删除；确需公开的号码（如服务热线）请加入 site.yaml 的 `audit.allow`", masked)
}

fn diag(path: &Path, line: usize, col: usize, h: &Hit, place: Option<&Text>) -> Diagnostic {
    let (en, zh) = kind_name(h.kind);
    let (pen, pzh) = place.map_or(("", ""), |p| (p.en.as_str(), p.zh.as_str()));
    Diagnostic::error(
        path,
        line,
        col,
        text!("{}: {} `{}`{} must not be published", MESSAGE_PREFIX, en, h.masked, pen;
              "个人信息：{} `{}`{}不得公开", zh, h.masked, pzh),
    )
    .with_hint(hint(&h.masked))
}

/// The allow-list: `audit.allow` and the site's own contact number.
pub fn allow_list(site: &Site) -> Allow {
    let c = &site.config;
    Allow::new(
        c.audit
            .allow
            .iter()
            .map(String::as_str)
            .chain(c.identity.contact.as_deref()),
    )
}

/// Scans `text` whose first line is file line `first_line`.
pub fn scan_text(
    text: &str,
    first_line: usize,
    path: &Path,
    allow: &Allow,
    out: &mut Vec<Diagnostic>,
) {
    for h in scan::scan(text, allow) {
        let (l, c) = line_col(text, h.start);
        out.push(diag(path, l + first_line.saturating_sub(1), c, &h, None));
    }
}

fn scan_source(src: &Source, allow: &Allow) -> Vec<Diagnostic> {
    match src.texts() {
        Ok(t) => scan_source_text(src, &t, allow),
        Err(d) => vec![d],
    }
}

/// The personal numbers in `src`'s front matter and body, `text`.
pub fn scan_source_text(src: &Source, text: &SourceText, allow: &Allow) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    scan_text(text.front(), src.front_line, &src.shown, allow, &mut out);
    scan_text(text.body(), src.body_line, &src.shown, allow, &mut out);
    out
}

fn scan_asset(a: &Asset, allow: &Allow) -> Vec<Diagnostic> {
    let shown = Path::new(crate::content::DIR).join(&a.rel);
    let name = a.rel.rsplit('/').next().unwrap_or(&a.rel);
    let mut out = Vec::new();
    let in_name = text!(" in the file name"; "（文件名中）");
    for h in scan::scan(name, allow) {
        out.push(diag(&shown, 0, 0, &h, Some(&in_name)));
    }
    if office::is_office(name) {
        match office::text_of(&a.path) {
            Ok(t) => {
                for h in scan::scan(&t, allow) {
                    let (l, c) = line_col(&t, h.start);
                    let in_text = text!(" in the attachment's text (paragraph or cell {})", l; "（附件正文第 {} 段或单元格）", l);
                    out.push(diag(&shown, l, c, &h, Some(&in_text)));
                }
            }
            Err(office::OfficeError::TooLarge) => out.push(
                Diagnostic::warning(&shown, 0, 0, text!("attachment too large to check for personal data"; "附件过大，未能检查其中的个人信息"))
                    .with_hint(text!("check it by hand before publishing"; "请在发布前人工检查")),
            ),
            Err(office::OfficeError::Unreadable(e)) => out.push(
                Diagnostic::warning(&shown, 0, 0, text!("cannot read the attachment to check for personal data: {}", e; "无法读取附件以检查个人信息：{}", e))
                    .with_hint(text!("save it again from Word/Excel, or check it by hand"; "请用 Word/Excel 重新保存，或人工检查")),
            ),
        }
    }
    out
}

/// The sources of everything the site publishes (reports, articles, pages,
/// registered units).
pub fn published_sources(site: &Site) -> Vec<&Source> {
    site.reports
        .iter()
        .map(|r| &r.doc.common.src)
        .chain(site.articles.iter().map(|a| &a.doc.common.src))
        .chain(site.pages.iter().map(|p| &p.doc.common.src))
        .chain(site.units.iter().filter_map(|u| u.src.as_ref()))
        .collect()
}

/// Every personal number the site would publish, as errors.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    check_cached(site, &mut Cache::default())
}

/// [`check`] of the units' sources and the attachments only: `build` and
/// `check` scan each report, article and page while its batch is rendered
/// ([`scan_source_text`]), so the file is read once more, not twice.
pub fn check_units_and_assets(site: &Site) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let allow = allow_list(site);
    let units: Vec<&Source> = site.units.iter().filter_map(|u| u.src.as_ref()).collect();
    let mut found: Vec<Vec<Diagnostic>> =
        units.par_iter().map(|s| scan_source(s, &allow)).collect();
    found.par_extend(site.assets.par_iter().map(|a| scan_asset(a, &allow)));
    found.into_iter().flatten().collect()
}

/// What `serve` keeps of [`check`] between rebuilds (see [`check_cached`]).
#[derive(Default)]
pub struct Cache {
    sources: file_checks::Cache,
    assets: file_checks::Cache,
}

/// [`check`], scanning only the files `cache` holds no findings for:
/// sources by path and bytes, attachments by path (and, for the office
/// files whose text is read, size and modification time), all under the
/// same allow-list.
pub fn check_cached(site: &Site, cache: &mut Cache) -> Vec<Diagnostic> {
    let allow = allow_list(site);
    let c = &site.config;
    let seed = file_checks::seed(&(&c.audit.allow, &c.identity.contact));
    let sources = published_sources(site);
    let mut out = cache.sources.run(
        seed,
        &sources,
        |s| file_checks::key(&s.rel, s.hash),
        |s| scan_source(s, &allow),
    );
    out.extend(cache.assets.run(
        seed,
        &site.assets,
        |a| file_checks::key(&a.rel, asset_stamp(a)),
        |a| scan_asset(a, &allow),
    ));
    out
}

/// What an attachment's scan reads besides its name: for an office file,
/// its size and modification time (1 when they cannot be read); 0 for any
/// other file.
fn asset_stamp(a: &Asset) -> u64 {
    let name = a.rel.rsplit('/').next().unwrap_or(&a.rel);
    if !office::is_office(name) {
        return 0;
    }
    std::fs::metadata(&a.path).map_or(1, |m| file_checks::seed(&(m.len(), m.modified().ok())))
}

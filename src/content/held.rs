//! Documents held back from `build`: drafts, and reports and articles
//! missing a review step required by site.yaml (三审三校). Which of them a
//! load keeps ([`Include`]), and what the desk and `jianbao status` need to
//! know of each ([`Held`]), kept or not.

use super::{Date, Doc, Period, Review};
use crate::diagnostics::{text, Diagnostic};
use std::path::PathBuf;

/// A report, article or page that is a draft or awaits review, whether or
/// not this load kept it: what the desk and `jianbao status` need of it.
#[derive(Debug, Clone)]
pub struct Held {
    pub shown: PathBuf,
    /// Relative to `content/`.
    pub rel: String,
    pub title: String,
    pub draft: bool,
    /// Required review steps it lacks, and those it passed.
    pub missing: Vec<String>,
    pub steps: Vec<crate::review::Step>,
    /// Kept in this load (and so in the site).
    pub kept: bool,
    /// For reports: the unit as written, the date and the period.
    pub report: Option<(String, Date, Period)>,
}

/// Which held-back documents a load keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Include {
    /// Drafts (`--drafts`).
    pub drafts: bool,
    /// Documents awaiting review (`--drafts`, and always in `serve`).
    pub unreviewed: bool,
}

impl Include {
    /// What `build`/`check` keep: `--drafts` keeps both kinds.
    pub fn drafts(drafts: bool) -> Include {
        Include {
            drafts,
            unreviewed: drafts,
        }
    }

    pub(super) fn keeps(self, draft: bool, missing: &[String]) -> bool {
        (self.drafts || !draft) && (self.unreviewed || missing.is_empty())
    }
}

/// The [`Held`] entry of a draft or a document awaiting review.
pub(super) fn held(doc: &Doc, include: Include) -> Option<Held> {
    let empty = Review::default();
    let (common, review, report) = match doc {
        Doc::Report(r) => (
            &r.common,
            &r.review,
            Some((r.unit.value.clone(), r.date, r.period)),
        ),
        Doc::Article(a) => (&a.common, &a.review, None),
        Doc::Page(p) => (&p.common, &empty, None),
        Doc::Unit(_) => return None,
    };
    let missing = &review.missing;
    if !common.draft && missing.is_empty() {
        return None;
    }
    Some(Held {
        shown: common.src.shown.clone(),
        rel: common.src.rel.clone(),
        title: common.title.clone(),
        draft: common.draft,
        missing: missing.clone(),
        steps: review.steps.clone(),
        kept: include.keeps(common.draft, missing),
        report,
    })
}

/// `path: 待审核：缺少 复审、终审`.
pub(super) fn awaiting_review(h: &Held) -> Diagnostic {
    Diagnostic::info(
        &h.shown,
        text!("awaiting review: missing {}", h.missing.join(", "); "待审核：缺少 {}", h.missing.join("、")),
    )
}

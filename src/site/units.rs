//! Units: the registry (`content/units/<id>.md`, names and aliases checked
//! for clashes), or, without one, units derived from the names documents
//! use; then sorted by type (SPEC order), `order` and name.

use super::slug::slugify;
use super::slugs::unique;
use super::{ArticleEntry, ReportEntry, UnitEntry};
use crate::config::SlugMode;
use crate::content::{Located, Source, Unit, UNIT_TYPES};
use crate::diagnostics::{closest, text, Diagnostic};
use crate::hash::FxHashMap;
use std::collections::HashMap;

/// The units known so far and how a name finds one.
pub(super) struct Units {
    pub(super) list: Vec<UnitEntry>,
    /// Id, name or alias → index into `list`.
    pub(super) lookup: FxHashMap<String, usize>,
    /// Derived units' ids → the name each was made for.
    ids: HashMap<String, String>,
    has_registry: bool,
    mode: SlugMode,
}

impl Units {
    /// The registry's units, by id; a name or alias used twice is an error.
    pub(super) fn new(
        mut registry: Vec<Unit>,
        has_registry: bool,
        mode: SlugMode,
        diags: &mut Vec<Diagnostic>,
    ) -> Units {
        let mut list: Vec<UnitEntry> = Vec::new();
        let mut lookup: FxHashMap<String, usize> = FxHashMap::default();
        if has_registry {
            registry.sort_by(|a, b| a.id.cmp(&b.id));
            for u in registry {
                let i = list.len();
                for name in std::iter::once(&u.id)
                    .chain(std::iter::once(&u.name))
                    .chain(u.aliases.iter())
                {
                    if let Some(&j) = lookup.get(name) {
                        if j != i {
                            clash(name, &u.src, &list[j], diags);
                        }
                        continue;
                    }
                    lookup.insert(name.clone(), i);
                }
                list.push(UnitEntry {
                    path: format!("units/{}/", u.id),
                    id: u.id,
                    name: u.name,
                    kind: u.kind,
                    parent: u.parent,
                    aliases: u.aliases,
                    order: u.order,
                    reporting: u.reporting,
                    src: Some(u.src),
                    extra: u.extra,
                    reports: Vec::new(),
                    articles: Vec::new(),
                });
            }
        }
        let ids = list
            .iter()
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect();
        Units {
            list,
            lookup,
            ids,
            has_registry,
            mode,
        }
    }

    /// The unit `name` (in `src`) names: a known one; with a registry, an
    /// unknown name is an error (None); without, a new derived unit.
    pub(super) fn resolve(
        &mut self,
        name: &Located<String>,
        src: &Source,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        if let Some(&i) = self.lookup.get(&name.value) {
            return Some(i);
        }
        // A missing `unit:`, already reported by content.
        if name.value.is_empty() {
            return None;
        }
        if self.has_registry {
            diags.push(self.unknown(name, src));
            return None;
        }
        let id = unique(slugify(&name.value, self.mode), &mut self.ids, &name.value);
        let i = self.list.len();
        self.list.push(UnitEntry {
            path: format!("units/{id}/"),
            id,
            name: name.value.clone(),
            kind: "其他".into(),
            parent: None,
            aliases: Vec::new(),
            order: None,
            reporting: None,
            src: None,
            extra: serde_json::Value::Null,
            reports: Vec::new(),
            articles: Vec::new(),
        });
        self.lookup.insert(name.value.clone(), i);
        Some(i)
    }

    /// `unknown unit`, with the closest registered name as a hint.
    fn unknown(&self, name: &Located<String>, src: &Source) -> Diagnostic {
        let known: Vec<&str> = self
            .list
            .iter()
            .flat_map(|u| {
                std::iter::once(u.name.as_str())
                    .chain(u.aliases.iter().map(String::as_str))
                    .chain(std::iter::once(u.id.as_str()))
            })
            .collect();
        let hint = match closest(&name.value, known.iter().copied()) {
            Some(c) => {
                text!("did you mean `{}`? Units are listed in content/units/", c; "是否想写 `{}`？单位列表见 content/units/", c)
            }
            None => {
                text!("add content/units/<id>.md with `name: {}`, or use a listed unit", name.value;
                          "请新建 content/units/<id>.md 并写 `name: {}`，或改用已登记的单位", name.value)
            }
        };
        Diagnostic::error(
            &src.shown,
            name.line,
            name.col,
            text!("unknown unit `{}`", name.value; "未知的单位 `{}`", name.value),
        )
        .with_hint(hint)
    }
}

/// A registry name or alias another unit already has.
fn clash(name: &str, src: &Source, other: &UnitEntry, diags: &mut Vec<Diagnostic>) {
    let other_file = other
        .src
        .as_ref()
        .map(|s| s.shown.display().to_string())
        .unwrap_or_default();
    diags.push(
        Diagnostic::error(
            &src.shown,
            1,
            1,
            text!(
        "unit name or alias `{}` is also used by {}", name, other_file;
        "单位名称或别名 `{}` 与 {} 重复", name, other_file),
        )
        .with_hint(text!("each name may belong to one unit only"; "每个名称只能属于一个单位")),
    );
}

/// Orders units by type (SPEC order), then `order`, then name, and points
/// their members at the new indices.
pub(super) fn sort_units(
    units: &mut [UnitEntry],
    reports: &mut [ReportEntry],
    articles: &mut [ArticleEntry],
) {
    units.sort_by(|a, b| {
        let ta = UNIT_TYPES.iter().position(|t| *t == a.kind);
        let tb = UNIT_TYPES.iter().position(|t| *t == b.kind);
        (ta, a.order.unwrap_or(u64::MAX), &a.name).cmp(&(tb, b.order.unwrap_or(u64::MAX), &b.name))
    });
    for (i, u) in units.iter().enumerate() {
        for &r in &u.reports {
            reports[r].unit = i;
        }
        for &a in &u.articles {
            articles[a].unit = Some(i);
        }
    }
}

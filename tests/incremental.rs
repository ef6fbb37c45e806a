//! The render cache behind `jianbao serve`: after a one-report edit only a
//! few pages are rendered again, after a template edit all of them, and the
//! result always equals a build without the cache.

mod common;

use jianbao::{build_in_memory, build_in_memory_with, BuildOptions, RenderCache};
use std::collections::HashMap;
use std::sync::Arc;

fn files(opts: &BuildOptions, cache: Option<&mut RenderCache>) -> HashMap<String, Arc<[u8]>> {
    let mem = match cache {
        Some(c) => build_in_memory_with(opts, c),
        None => build_in_memory(opts),
    }
    .unwrap_or_else(|e| panic!("build failed: {e:?}"))
    .0;
    mem.files.into_inner().unwrap()
}

/// Builds with the cache, checks the output against a build without it and
/// returns (rendered, reused).
fn rebuild(opts: &BuildOptions, cache: &mut RenderCache) -> (usize, usize) {
    let cached = files(opts, Some(cache));
    let fresh = files(opts, None);
    let mut keys: Vec<&String> = fresh.keys().collect();
    keys.sort();
    assert_eq!(
        cached.keys().count(),
        fresh.len(),
        "the cached build has other files"
    );
    for k in keys {
        assert!(
            cached.get(k) == fresh.get(k),
            "{k} differs from a fresh build"
        );
    }
    cache.last
}

#[test]
fn a_report_edit_renders_few_pages_a_template_edit_all() {
    let site = common::Site::new("serve-site");
    // 120 more reports over the two units and a handful of tags.
    for i in 0..120 {
        let (unit, tag) = if i % 2 == 0 {
            ("陶乐镇", "环境整治")
        } else {
            ("县卫生健康局", "病媒防制")
        };
        site.write(
            &format!("content/reports/gen-{i:03}.md"),
            format!(
                "---\ntitle: 生成的总结{i}\nunit: {unit}\ndate: 2023-{:02}-{:02}\ntags: [{tag}, 标签{}]\n---\n第{i}份总结的正文。\n",
                i % 12 + 1,
                i % 28 + 1,
                i % 7
            ),
        );
    }
    let opts = BuildOptions {
        root: site.root(),
        ..BuildOptions::default()
    };
    let mut cache = RenderCache::default();
    let (rendered, reused) = rebuild(&opts, &mut cache);
    assert_eq!(reused, 0, "a first build has nothing to reuse");
    let total = rendered;
    assert!(total > 150, "only {total} pages rendered");

    // Nothing changed: nothing is rendered.
    assert_eq!(rebuild(&opts, &mut cache), (0, total));

    // A body edit in one report.
    site.append("content/reports/gen-007.md", "\n新增的一段正文。\n");
    let (rendered, reused) = rebuild(&opts, &mut cache);
    assert_eq!(rendered + reused, total);
    assert!(
        rendered * 5 < total,
        "a one-report edit rendered {rendered} of {total} pages"
    );
    assert!(rendered >= 1, "the edited report must be rendered");

    // A template edit: everything is rendered again.
    let tpl = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default/templates/robots.txt"),
    )
    .unwrap();
    site.write("templates/robots.txt", format!("{tpl}\n# edited\n"));
    assert_eq!(rebuild(&opts, &mut cache), (total, 0));
}

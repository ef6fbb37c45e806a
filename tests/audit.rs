//! Inspection readiness: the personal-data guard in `check`/`build`, the
//! `identity:` footer and page metadata, and `jianbao audit` with its
//! indicators, exit codes and JSON.

mod common;

use common::*;

/// The `path:line:col:` error lines of a run.
fn error_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect()
}

#[test]
fn personal_numbers_are_errors_shown_masked() {
    let site = Site::new("personal-data");
    let r = site.run(Lang::En, &["check"]);
    r.expect_code(1);
    let lines = error_lines(&r);
    let report = "content/reports/2024/tao-le-zhen.md";
    let expect = [
        // Front matter value, table cell, link text, link target.
        (
            format!("{report}:7:15:"),
            "mobile phone number `138****5678`",
        ),
        (
            format!("{report}:13:8:"),
            "resident ID number `640221********1237`",
        ),
        (
            format!("{report}:19:7:"),
            "mobile phone number `137****5678`",
        ),
        // Attachments: the text of a .docx and .xlsx, a file name.
        (
            "content/reports/2024/ming-dan.docx:3:".into(),
            "mobile phone number `139****5678` in the attachment's text",
        ),
        (
            "content/reports/2024/tong-ji.xlsx:3:1:".into(),
            "resident ID number `110105********002X`",
        ),
        (
            "content/reports/2024/zhang-13612345678.pdf:1:1:".into(),
            "in the file name",
        ),
    ];
    for (at, what) in &expect {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(at.as_str()) && l.contains(what)),
            "no {at} … {what}\n{}",
            r.dump()
        );
    }
    // The invalid check digit (a document number), the masked forms, the
    // allow-listed hotline and the site's own contact are not flagged.
    for line in &lines {
        for quiet in [":15:", ":16:", ":17:"] {
            assert!(
                !line.starts_with(&format!("{report}{quiet}")),
                "flagged {line}"
            );
        }
    }
    assert!(
        !r.stderr.contains("640221198001011237"),
        "unmasked number shown"
    );
    assert_eq!(lines.len(), 7, "{}", r.dump());
    r.stderr_has("hint: mask it");
    site.run(Lang::Zh, &["check"])
        .expect_code(1)
        .stderr_has("错误：个人信息：居民身份证号 `640221********1237`不得公开")
        .stderr_has("提示：请去标识化");
}

#[test]
fn personal_data_fails_the_build_and_keeps_the_previous_output() {
    let site = Site::new("personal-data");
    let report = "content/reports/2024/tao-le-zhen.md";
    let original = std::fs::read_to_string(site.root().join(report)).unwrap();
    // Without the personal data (attachments and all), the site builds.
    let clean = original
        .split("今年以来")
        .next()
        .unwrap()
        .replace("王某 13812345678", "王某")
        + "今年以来，陶乐镇扎实推进创卫工作。\n";
    site.write(report, &clean);
    for a in ["ming-dan.docx", "tong-ji.xlsx", "zhang-13612345678.pdf"] {
        site.remove(&format!("content/reports/2024/{a}"));
    }
    let out = site.build_ok(&[]);
    let before = out.read("reports/tao-le-zhen/");
    site.write(
        report,
        clean.replace("扎实推进", "扎实推进（联系人 13812345678）"),
    );
    site.build(&[])
        .expect_code(1)
        .stderr_has(&format!("{report}:"))
        .stderr_has("138****5678");
    assert_eq!(out.read("reports/tao-le-zhen/"), before);
}

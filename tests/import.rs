//! `jianbao import` end to end: the real binary imports the fixtures under
//! tests/fixtures/import/ (made by LibreOffice and python-docx, see
//! make_fixtures.py there) into a copy of tests/fixtures/import-site/; the
//! tests read the Markdown written (front matter, headings, tables,
//! pictures), then build and check the site with the imported reports.

mod common;

use common::{fixtures, Lang, Site};
use std::path::{Path, PathBuf};

fn doc(name: &str) -> String {
    fixtures()
        .join("import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn site() -> Site {
    Site::new("import-site")
}

/// Imports `names` (with extra arguments) and returns the run.
fn import(s: &Site, lang: Lang, names: &[&str], extra: &[&str]) -> common::Run {
    let docs: Vec<String> = names.iter().map(|n| doc(n)).collect();
    let mut args = vec!["import"];
    args.extend(docs.iter().map(String::as_str));
    args.extend_from_slice(extra);
    s.run(lang, &args)
}

fn read(s: &Site, rel: &str) -> String {
    std::fs::read_to_string(s.root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The path of the report the output line names for `input`.
fn written(run: &common::Run, input: &str) -> String {
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(input) && l.contains(" → "))
        .unwrap_or_else(|| panic!("no line for {input}\n{}", run.dump()));
    let after = line.split(" → ").nth(1).unwrap();
    after.split([':', '：']).next().unwrap().to_string()
}

fn front_value<'a>(md: &'a str, key: &str) -> Option<&'a str> {
    let front = md.strip_prefix("---\n")?.split("\n---\n").next()?;
    front
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .map(|v| v.trim_matches('"'))
}

fn body(md: &str) -> &str {
    md.splitn(3, "---\n").nth(2).unwrap()
}

const GONGWEN_REPORT: &str =
    "content/reports/2024/tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie.md";

#[test]
fn gongwen_docx_round_trip() {
    let s = site();
    let run = import(&s, Lang::En, &["gongwen.docx"], &[]);
    run.ok();
    assert!(
        run.stdout.contains(
            "unit 陶乐镇, date 2024-04-10, period 2024-Q1, 8 figure(s), 2 picture(s), 1 table(s)"
        ),
        "{}",
        run.dump()
    );
    assert!(
        run.stdout.contains("imported 1 document(s)"),
        "{}",
        run.dump()
    );
    assert_eq!(written(&run, "gongwen.docx"), GONGWEN_REPORT);
    let md = read(&s, GONGWEN_REPORT);
    assert_eq!(
        front_value(&md, "title"),
        Some("陶乐镇2024年第一季度创卫工作总结")
    );
    assert_eq!(front_value(&md, "unit"), Some("陶乐镇"));
    assert_eq!(front_value(&md, "date"), Some("2024-04-10"));
    assert_eq!(front_value(&md, "period"), Some("2024-Q1"));
    for stat in [
        "  横幅: 8  # 自动提取，请核对",
        "  清理垃圾: \"600余\"  # 自动提取，请核对",
        "  栽植苗木: 154277  # 自动提取，请核对",
        "  投入资金: 1518.2  # 自动提取，请核对",
        "  清理乱贴乱画: \"4500余\"  # 自动提取，请核对",
    ] {
        assert!(md.lines().any(|l| l == stat), "missing {stat:?}\n{md}");
    }
    let b = body(&md);
    assert!(
        !b.contains("陶乐镇2024年第一季度创卫工作总结"),
        "title repeated in the body\n{b}"
    );
    assert!(
        !b.contains("2024年4月10日") && !b.contains("陶乐镇人民政府"),
        "落款 left in the body\n{b}"
    );
    assert!(!b.contains('\u{3000}'), "manual indent kept\n{b}");
    assert!(!b.contains("\n\n\n"), "empty paragraphs kept\n{b}");
    for line in [
        "## 一、主要工作",
        "### （一）广泛宣传，营造创卫浓厚氛围",
        "创卫工作开展以来，陶乐镇全方位发动宣传，把宣传工作贯穿于创卫工作始终。",
        "#### 1.宣传到位",
        "#### 2、资金保障",
        "1. 栽植各类苗木154277株，其中乔木6750株；",
        "2. 清理垃圾累计达到600多吨，清理乱贴乱画4500多处。",
        "| 类别 | 完成情况 | 完成情况 |",
        "| 环境整治 | 清理垃圾 | 600多吨 |",
        "| 环境整治 | 清理乱贴乱画 | 4500多处 |",
        "![陶乐镇集中整治现场](tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie-1.png)",
        "![图2](tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie-2.png)",
        "## 二、存在问题",
    ] {
        assert!(b.lines().any(|l| l == line), "missing {line:?}\n{b}");
    }
    let png = std::fs::read(s.root().join(
        "content/reports/2024/tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie-1.png",
    ))
    .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "picture not written as PNG");

    // The imported report passes check without a word about it, builds,
    // shows its table and pictures, and counts its figures.
    let check = s.run(Lang::En, &["check"]);
    check.ok();
    assert!(
        !check.stderr.contains("tao-le-zhen-2024"),
        "{}",
        check.dump()
    );
    let out = s.build_ok(&[]);
    let page = out.read("reports/tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie/");
    assert!(
        page.contains("<th>类别</th><th>完成情况</th><th>完成情况</th>"),
        "{page}"
    );
    assert!(
        page.contains("<td>环境整治</td><td>清理乱贴乱画</td><td>4500多处</td>"),
        "{page}"
    );
    assert!(page.contains(r#"alt="陶乐镇集中整治现场""#), "{page}");
    assert!(page.contains("<h2"), "{page}");
    assert!(out.exists(
        "reports/2024/tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie-2.png"
    ));
    let csv = out.read("stats/stats.csv");
    for (metric, value) in [
        ("investment", "1518.2"),
        ("seedlings", "154277"),
        ("garbage", "600"),
    ] {
        assert!(
            csv.lines().any(|l| l.contains("tao-le-zhen-2024")
                && l.contains(&format!(",{metric},"))
                && l.contains(&format!(",{value},"))),
            "{metric} {value} not in stats.csv\n{csv}"
        );
    }
    let stats = out.read("stats/");
    assert!(stats.contains("1518.2"), "investment missing on /stats/");
}

#[test]
fn libreoffice_docx_styles_lists_links_footnotes() {
    let s = site();
    let run = import(&s, Lang::En, &["libreoffice.docx"], &[]);
    run.ok();
    assert!(
        run.stdout
            .contains("left out: 1 comment(s), headers/footers"),
        "{}",
        run.dump()
    );
    let md = read(&s, &written(&run, "libreoffice.docx"));
    assert_eq!(
        front_value(&md, "title"),
        Some("县爱卫会2023年度健康教育工作汇报")
    );
    assert_eq!(front_value(&md, "unit"), Some("县爱卫会"));
    assert_eq!(front_value(&md, "date"), Some("2024-01-08"));
    assert_eq!(front_value(&md, "period"), Some("2023"));
    assert!(
        md.contains("  健康知识知晓率: 92  # 自动提取，请核对"),
        "{md}"
    );
    let b = body(&md);
    for line in [
        "2023年，县爱卫会坚持**预防为主**的方针，*深入开展*健康教育，详见[平罗县创卫工作信息平台](https://www.example.gov.cn/cw/)。",
        "## 工作开展情况",
        "### 宣传教育",
        "全年制作宣传展板45个，发放宣传资料12000份[^1]，健康知识知晓率达到92%。",
        "1. 开展健康教育讲座",
        "2. 组织义诊活动",
        "- 农贸市场",
        "- 学校周边",
        "| 项目 | 数量 | 数量 |",
        "[^1]: 数据来源：县疾控中心统计。",
    ] {
        assert!(b.lines().any(|l| l == line), "missing {line:?}\n{b}");
    }
    assert!(!b.contains("请核实数据"), "comment text leaked\n{b}");
    assert!(
        !b.contains("平罗县爱国卫生运动委员会办公室"),
        "header or 落款 leaked\n{b}"
    );
    s.run(Lang::En, &["check"]).ok();
    let page = s
        .build_ok(&[])
        .read("reports/xian-ai-wei-hui-2023-nian-du-jian-kang-jiao-yu-gong-zuo-hui-bao/");
    assert!(page.contains("<strong>预防为主</strong>"), "{page}");
    assert!(
        page.contains(r#"href="https://www.example.gov.cn/cw/""#),
        "{page}"
    );
    assert!(page.contains("数据来源：县疾控中心统计。"), "{page}");
}

#[test]
fn wps_numbering_and_chinese_messages() {
    let s = site();
    let run = import(&s, Lang::Zh, &["wps-numbering.docx"], &[]);
    run.ok();
    assert!(
        run.stdout
            .contains("：单位 城关街道，日期 2024-07-05，期间 2024-H1，4 项数字"),
        "{}",
        run.dump()
    );
    assert!(run.stdout.contains("已导入 1 个文档"), "{}", run.dump());
    let md = read(&s, &written(&run, "wps-numbering.docx"));
    assert_eq!(front_value(&md, "source"), Some("城关街道办事处"));
    assert!(md.contains("  清理垃圾: 12000  # 自动提取，请核对"), "{md}");
    assert!(
        md.contains("  参与人次: \"30000余\"  # 自动提取，请核对"),
        "{md}"
    );
    let b = body(&md);
    for line in [
        "## 一、工作开展情况",
        "### （一）宣传发动",
        "1. 入户宣传",
        "2. 集中宣传",
        "### （二）环境整治",
        "## 二、下一步打算",
    ] {
        assert!(b.lines().any(|l| l == line), "missing {line:?}\n{b}");
    }
    s.run(Lang::En, &["check"]).ok();
}

#[test]
fn text_files_in_gbk_and_utf16() {
    let s = site();
    let run = import(&s, Lang::En, &["gbk.txt", "utf16.txt"], &[]);
    run.ok();
    assert!(
        run.stdout
            .contains("period 2024-H1, 4 figure(s); read as GB18030"),
        "{}",
        run.dump()
    );
    assert!(
        run.stdout
            .contains("period 2024-05, 4 figure(s); read as UTF-16LE"),
        "{}",
        run.dump()
    );
    let md = read(&s, &written(&run, "gbk.txt"));
    assert_eq!(
        front_value(&md, "title"),
        Some("义正社区2024年上半年爱国卫生工作总结")
    );
    assert_eq!(front_value(&md, "unit"), Some("义正社区"));
    assert_eq!(front_value(&md, "date"), Some("2024-07-05"));
    let b = body(&md);
    assert!(b.lines().any(|l| l == "### （一）开展卫生日大扫除"), "{b}");
    assert!(
        b.lines()
            .any(|l| l == "发动居民参与人次共计1200人次，清理垃圾35吨。"),
        "{b}"
    );
    let check = s.run(Lang::En, &["check"]);
    check.ok();
    assert!(!check.stderr.contains("warning"), "{}", check.dump());
}

fn has_soffice() -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("soffice").is_file()))
}

#[test]
fn doc_through_libreoffice() {
    if !has_soffice() {
        eprintln!("soffice not installed: .doc conversion not tested");
        return;
    }
    let s = site();
    let run = import(&s, Lang::En, &["gongwen.doc"], &[]);
    run.ok();
    assert!(
        run.stdout.contains("converted by LibreOffice"),
        "{}",
        run.dump()
    );
    let md = read(&s, &written(&run, "gongwen.doc"));
    assert_eq!(front_value(&md, "unit"), Some("陶乐镇"));
    assert_eq!(front_value(&md, "date"), Some("2024-04-10"));
    assert!(
        body(&md)
            .lines()
            .any(|l| l == "| 环境整治 | 清理乱贴乱画 | 4500多处 |"),
        "{md}"
    );
    s.run(Lang::En, &["check"]).ok();
}

#[test]
fn doc_without_libreoffice_says_how_to_install_it() {
    let s = site();
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["import", &doc("gongwen.doc")])
        .current_dir(s.root())
        .env("PATH", empty.path())
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("gongwen.doc：错误：读取 .doc、.wps 文件需要 LibreOffice"),
        "{err}"
    );
    assert!(
        err.contains("apt-get install libreoffice-writer-nogui"),
        "{err}"
    );
}

#[test]
fn broken_files_fail_with_the_reason_and_others_still_import() {
    let s = site();
    let run = import(
        &s,
        Lang::En,
        &["corrupt.docx", "not-word.docx", "bomb.docx", "gbk.txt"],
        &[],
    );
    run.expect_code(1);
    run.stderr_has("corrupt.docx: error: not a readable .docx (a damaged or incomplete zip file");
    run.stderr_has("not-word.docx: error: not a Word document: the zip has no word/document.xml");
    run.stderr_has(
        "bomb.docx: error: `word/document.xml` in the .docx unpacks to more than 64 MB: refused",
    );
    assert!(
        run.stdout.contains("imported 1 document(s), 3 failed"),
        "{}",
        run.dump()
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.dump());
    let missing = import(&s, Lang::En, &["nothing-here.docx"], &[]);
    missing.expect_code(1);
    missing.stderr_has("nothing-here.docx: error: no such file or folder");
}

#[test]
fn table_only_document_notes_what_is_missing() {
    let s = site();
    let run = import(&s, Lang::En, &["table-only.docx"], &[]);
    run.ok();
    assert!(
        run.stdout.contains(
            "not found, fill in: title, unit (use --unit), date (or use --date-from-file)"
        ),
        "{}",
        run.dump()
    );
    let md = read(&s, "content/reports/table-only.md");
    assert!(md.contains("# title: 未能识别，请填写标题"), "{md}");
    assert!(
        body(&md)
            .trim_start()
            .starts_with("| 指标 | 数量 |\n| --- | --- |\n| 横幅 | 8条 |\n| 宣传展板 | 12个 |\n"),
        "{md}"
    );
    // With --unit and --date-from-file only the title is left to fill in.
    let run = import(
        &s,
        Lang::En,
        &["table-only.docx"],
        &[
            "--unit",
            "陶乐镇人民政府",
            "--date-from-file",
            "--to",
            "content/reports/x",
            "--force",
        ],
    );
    run.ok();
    assert!(
        run.stdout
            .contains("date taken from the file's modified time; not found, fill in: title"),
        "{}",
        run.dump()
    );
    // The first import's file (incomplete, but a report) holds the slug
    // `table-only`: slugs are global, so this one is `table-only-2`.
    assert_eq!(
        written(&run, "table-only.docx"),
        "content/reports/x/table-only-2.md"
    );
    let md = read(&s, "content/reports/x/table-only-2.md");
    assert_eq!(front_value(&md, "unit"), Some("陶乐镇"));
    assert!(
        front_value(&md, "date").is_some_and(|d| d.len() == 10),
        "{md}"
    );
}

#[test]
fn never_overwrites_without_force_and_dry_run_writes_nothing() {
    let s = site();
    let before = common::snapshot(&s.root());
    let run = import(&s, Lang::En, &["gongwen.docx"], &["--dry-run"]);
    run.ok();
    assert!(run.stdout.contains(GONGWEN_REPORT), "{}", run.dump());
    assert!(
        run.stdout
            .contains("would import 1 document(s) (dry run: nothing written)"),
        "{}",
        run.dump()
    );
    assert_eq!(common::snapshot(&s.root()), before, "--dry-run wrote files");
    import(&s, Lang::En, &["gongwen.docx"], &[]).ok();
    let p = s.root().join(GONGWEN_REPORT);
    std::fs::write(&p, "edited by hand").unwrap();
    let again = import(&s, Lang::Zh, &["gongwen.docx"], &[]);
    again.expect_code(1);
    again.stderr_has("已存在；如需覆盖请加 --force");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "edited by hand");
    import(&s, Lang::En, &["gongwen.docx"], &["--force"]).ok();
    assert!(std::fs::read_to_string(&p)
        .unwrap()
        .starts_with("---\ntitle:"));
}

#[test]
fn to_must_lie_under_content_reports() {
    let s = site();
    for bad in [
        "/tmp",
        "content/articles",
        "content/reports/../pages",
        "static",
    ] {
        let run = import(&s, Lang::En, &["gbk.txt"], &["--to", bad]);
        run.expect_code(2);
        run.stderr_has("--to must name a folder under content/reports/");
    }
    let abs: PathBuf = s.root().join("content/reports/收到");
    let run = import(
        &s,
        Lang::En,
        &["gbk.txt"],
        &["--to", &abs.to_string_lossy()],
    );
    run.ok();
    assert!(Path::new(&s.root().join("content/reports/收到/yi-zheng-she-qu-2024-nian-shang-ban-nian-ai-guo-wei-sheng-gong-zuo-zong-jie.md")).is_file(), "{}", run.dump());
    s.run(Lang::En, &["import"]).expect_code(2);
}

#[test]
fn folders_are_searched_and_other_files_listed() {
    let s = site();
    let run = s.run(Lang::En, &["import", &doc(""), "--dry-run"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("make_fixtures.py: skipped (not a .docx, .doc, .wps or .txt file)"),
        "{}",
        run.dump()
    );
    for name in [
        "gongwen.docx",
        "libreoffice.docx",
        "wps-numbering.docx",
        "gbk.txt",
        "utf16.txt",
        "table-only.docx",
    ] {
        assert!(
            run.stdout.contains(&format!("{name} → ")),
            "{name}\n{}",
            run.dump()
        );
    }
    // Two documents with the same title never write one file.
    if has_soffice() {
        assert!(
            run.stdout
                .contains("tao-le-zhen-2024-nian-di-yi-ji-du-chuang-wei-gong-zuo-zong-jie-2.md"),
            "{}",
            run.dump()
        );
    }
}

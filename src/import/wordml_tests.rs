//! Tests of the WordprocessingML walker on hand-written XML: deleted
//! revisions, field codes and field hyperlinks, text boxes, entities,
//! manual breaks, merged table cells.

use super::model::{Block, Doc, Para, Seg};
use super::ooxml::Numbering;
use super::wordml::{body, field_url, NoMedia, Part};
use std::collections::HashMap;

fn walk_xml(xml: &str) -> Doc {
    let rels = HashMap::new();
    let styles = HashMap::new();
    let notes = HashMap::new();
    let ctx = Part {
        name: "word/document.xml",
        rels: &rels,
        styles: &styles,
        notes: &notes,
    };
    let mut d2 = Doc::default();
    let blocks = body(xml, &ctx, &mut NoMedia, &mut Numbering::default(), &mut d2).unwrap();
    Doc { blocks, ..d2 }
}

fn texts(doc: &Doc) -> Vec<String> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Para(p) => Some(p.text()),
            Block::Table(_) => None,
        })
        .collect()
}

#[test]
fn revisions_fields_text_boxes_entities() {
    let xml = r#"<w:document xmlns:w="w" xmlns:mc="mc" xmlns:wp="wp" xmlns:wps="wps" xmlns:v="v"><w:body>
<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del><w:ins><w:r><w:t>插入</w:t></w:r></w:ins><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "https://a.gov.cn/x" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>链接</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing><wp:anchor><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></wps:txbx></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve">A &amp; B&#x4E2D;</w:t></w:r><w:r><w:br/><w:t>下一行</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>丙</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>丁</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"#;
    let doc = walk_xml(xml);
    assert_eq!(texts(&doc), ["保留插入链接3", "A & B中下一行"]);
    assert_eq!(doc.links, ["https://a.gov.cn/x"]);
    assert_eq!(doc.dropped.text_boxes, 1);
    let Some(Block::Para(p)) = doc.blocks.get(1) else {
        panic!()
    };
    assert!(p.segs.contains(&Seg::Break));
    let Some(Block::Table(t)) = doc.blocks.get(2) else {
        panic!("{:?}", doc.blocks)
    };
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    Para {
                        segs: c.clone(),
                        ..Para::default()
                    }
                    .text()
                })
                .collect()
        })
        .collect();
    assert_eq!(cells, [["甲", "乙", "乙"], ["甲", "丙", "丁"]]);
    assert!(body(
        "<w:p><w:r>",
        &Part {
            name: "x",
            rels: &HashMap::new(),
            styles: &HashMap::new(),
            notes: &HashMap::new()
        },
        &mut NoMedia,
        &mut Numbering::default(),
        &mut Doc::default()
    )
    .is_ok());
    assert!(body(
        "<w:p></w:r>",
        &Part {
            name: "x",
            rels: &HashMap::new(),
            styles: &HashMap::new(),
            notes: &HashMap::new()
        },
        &mut NoMedia,
        &mut Numbering::default(),
        &mut Doc::default()
    )
    .is_err());
}

#[test]
fn field_urls() {
    assert_eq!(
        field_url(r#" HYPERLINK "https://x.cn/a b" \o "tip""#).as_deref(),
        Some("https://x.cn/a b")
    );
    assert_eq!(
        field_url(" HYPERLINK https://x.cn/ "),
        Some("https://x.cn/".into())
    );
    assert_eq!(field_url(r#" HYPERLINK "javascript:alert(1)""#), None);
    assert_eq!(field_url(" PAGE "), None);
}

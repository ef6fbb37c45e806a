//! `.docx` as a package: the zip (read with caps on every decompressed
//! size, so a zip bomb is refused, not unpacked), footnotes and pictures,
//! put together into one document. The parts the body refers to
//! (relationships, styles, numbering) are read in `ooxml.rs`; the body
//! itself is walked in `wordml.rs`.

use super::model::{Doc, Seg};
use super::ooxml::{numbering, rels, styles, Numbering};
use super::wordml::{self, Part};
use crate::diagnostics::{text, Text};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Largest XML part read (document.xml of a 300-page report is ~10 MB).
const MAX_XML: u64 = 64 << 20;
/// Largest single picture.
const MAX_IMAGE: u64 = 32 << 20;
/// All parts and pictures of one document together.
const MAX_TOTAL: u64 = 256 << 20;

pub struct Package {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
    read: u64,
}

impl Package {
    pub fn open(bytes: Vec<u8>) -> Result<Package, Text> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            text!("not a readable .docx (a damaged or incomplete zip file: {})", e;
                  "不是可读取的 .docx 文件（zip 压缩包已损坏或不完整：{}）", e)
        })?;
        Ok(Package { zip, read: 0 })
    }

    /// The bytes of entry `name`, or `None` when there is none; refuses
    /// entries that decompress beyond `cap` or the document's total budget.
    pub fn entry(&mut self, name: &str, cap: u64) -> Result<Option<Vec<u8>>, Text> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let file = self.zip.by_index(index).map_err(|e| {
            text!("cannot read `{}` in the .docx: {}", name, e; "无法读取 .docx 中的 `{}`：{}", name, e)
        })?;
        let limit = cap.min(MAX_TOTAL.saturating_sub(self.read));
        let mut buf = Vec::new();
        file.take(limit + 1).read_to_end(&mut buf).map_err(|e| {
            text!("cannot unpack `{}` in the .docx: {}", name, e; "无法解压 .docx 中的 `{}`：{}", name, e)
        })?;
        if buf.len() as u64 > limit {
            return Err(
                text!("`{}` in the .docx unpacks to more than {} MB: refused (damaged file or zip bomb)", name, limit >> 20;
                             ".docx 中的 `{}` 解压后超过 {} MB，已拒绝（文件损坏或为压缩炸弹）", name, limit >> 20),
            );
        }
        self.read += buf.len() as u64;
        Ok(Some(buf))
    }

    /// An XML part as text.
    pub fn xml(&mut self, name: &str) -> Result<Option<String>, Text> {
        match self.entry(name, MAX_XML)? {
            None => Ok(None),
            Some(b) => String::from_utf8(b).map(Some).map_err(|_| {
                text!("`{}` in the .docx is not UTF-8 XML", name; ".docx 中的 `{}` 不是 UTF-8 编码的 XML", name)
            }),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_string).collect()
    }
}

/// Reads a whole `.docx`.
pub fn read(bytes: Vec<u8>) -> Result<Doc, Text> {
    let mut pkg = Package::open(bytes)?;
    let Some(document) = pkg.xml("word/document.xml")? else {
        return Err(
            text!("not a Word document: the zip has no word/document.xml";
                         "不是 Word 文档：压缩包中没有 word/document.xml"),
        );
    };
    let doc_rels = match pkg.xml("word/_rels/document.xml.rels")? {
        Some(x) => rels(&x, "word/_rels/document.xml.rels")?,
        None => HashMap::new(),
    };
    let styles = match pkg.xml("word/styles.xml")? {
        Some(x) => styles(&x)?,
        None => HashMap::new(),
    };
    let mut numbering = match pkg.xml("word/numbering.xml")? {
        Some(x) => numbering(&x)?,
        None => Numbering::default(),
    };
    let mut doc = Doc::default();
    let mut notes: HashMap<String, Vec<Seg>> = HashMap::new();
    for (part, kind) in [("footnotes", "fn"), ("endnotes", "en")] {
        let name = format!("word/{part}.xml");
        if let Some(x) = pkg.xml(&name)? {
            let r = match pkg.xml(&format!("word/_rels/{part}.xml.rels"))? {
                Some(x) => rels(&x, &name)?,
                None => HashMap::new(),
            };
            let ctx = Part {
                name: &name,
                rels: &r,
                styles: &styles,
                notes: &HashMap::new(),
            };
            for (id, segs) in wordml::notes(&x, &ctx, &mut pkg, &mut numbering, &mut doc)? {
                notes.insert(format!("{kind}{id}"), segs);
            }
        }
    }
    let ctx = Part {
        name: "word/document.xml",
        rels: &doc_rels,
        styles: &styles,
        notes: &notes,
    };
    doc.blocks = wordml::body(&document, &ctx, &mut pkg, &mut numbering, &mut doc)?;
    for name in pkg.names() {
        let header = name.starts_with("word/header") || name.starts_with("word/footer");
        if header && name.ends_with(".xml") && !doc.dropped.headers_footers {
            if let Some(x) = pkg.xml(&name)? {
                doc.dropped.headers_footers = wordml::has_text(&x, &name)?;
            }
        }
    }
    Ok(doc)
}

impl wordml::Media for Package {
    fn get(&mut self, target: &str) -> Result<Option<Vec<u8>>, Text> {
        media(self, target)
    }
}

/// A picture's bytes, when the package has them and they are not too big.
fn media(pkg: &mut Package, target: &str) -> Result<Option<Vec<u8>>, Text> {
    let name = if let Some(abs) = target.strip_prefix('/') {
        abs.to_string()
    } else {
        format!("word/{}", target.trim_start_matches("./"))
    };
    pkg.entry(&name, MAX_IMAGE)
}

#[cfg(test)]
mod damaged {
    use super::*;

    /// Truncated and bit-flipped copies of a real .docx: an error or a
    /// document, never a panic.
    #[test]
    fn damaged_files_never_panic() {
        let good = include_bytes!("../../tests/fixtures/import/gongwen.docx");
        assert!(read(good.to_vec()).is_ok());
        let mut errors = 0;
        for cut in (0..good.len()).step_by(1531) {
            errors += usize::from(read(good[..cut].to_vec()).is_err());
        }
        assert!(errors > 0);
        for at in (30..good.len()).step_by(613) {
            let mut b = good.to_vec();
            b[at] ^= 0x5A;
            let _ = read(b);
        }
    }
}

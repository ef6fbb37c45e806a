//! The text of `.docx` and `.xlsx` attachments: the XML parts that hold
//! what a reader sees (paragraphs, headers, footers, notes, comments; shared
//! strings and cells), unpacked with a cap on their size so a crafted file
//! cannot take the machine's memory.

use quick_xml::events::Event;
use std::io::Read;
use std::path::Path;

/// Largest attachment read, and largest unpacked text part.
const MAX_FILE: u64 = 64 << 20;
const MAX_PART: u64 = 32 << 20;

#[derive(Debug)]
pub enum OfficeError {
    TooLarge,
    Unreadable(String),
}

/// Whether `name` (a file name) is an attachment whose text is scanned.
pub fn is_office(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".docx") || lower.ends_with(".xlsx")
}

fn wanted(part: &str) -> bool {
    let xml = part.ends_with(".xml");
    let docx = part == "word/document.xml"
        || [
            "word/header",
            "word/footer",
            "word/footnotes",
            "word/endnotes",
            "word/comments",
        ]
        .iter()
        .any(|p| part.starts_with(p));
    let xlsx = part == "xl/sharedStrings.xml" || part.starts_with("xl/worksheets/sheet");
    xml && (docx || xlsx)
}

/// The attachment's text, one paragraph or cell a line.
pub fn text_of(path: &Path) -> Result<String, OfficeError> {
    let bad = |e: &dyn std::fmt::Display| OfficeError::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(|e| bad(&e))?;
    if file.metadata().map_err(|e| bad(&e))?.len() > MAX_FILE {
        return Err(OfficeError::TooLarge);
    }
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| bad(&e))?;
    let mut names: Vec<String> = zip
        .file_names()
        .filter(|n| wanted(n))
        .map(String::from)
        .collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        let part = zip.by_name(&name).map_err(|e| bad(&e))?;
        let mut xml = Vec::new();
        part.take(MAX_PART + 1)
            .read_to_end(&mut xml)
            .map_err(|e| bad(&e))?;
        if xml.len() as u64 > MAX_PART {
            return Err(OfficeError::TooLarge);
        }
        xml_text(&xml, &mut out).map_err(|e| bad(&e))?;
    }
    Ok(out)
}

/// Appends the text of an OOXML part: runs joined, a line after each
/// paragraph (`p`), shared string (`si`) or cell (`c`).
fn xml_text(xml: &[u8], out: &mut String) -> Result<(), quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    loop {
        match reader.read_event()? {
            Event::Text(t) => out.push_str(&t.decode().map_err(quick_xml::Error::from)?),
            Event::CData(t) => out.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    out.push(' ');
                }
            }
            Event::Empty(e) if matches!(e.local_name().as_ref(), b"tab" | b"br") => out.push(' '),
            Event::End(e) if matches!(e.local_name().as_ref(), b"p" | b"si" | b"c") => {
                out.push('\n')
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_and_paragraphs_break() {
        let mut out = String::new();
        xml_text(
            r#"<w:document><w:body><w:p><w:r><w:t>电话138</w:t></w:r><w:r><w:t>12345678</w:t></w:r></w:p><w:p><w:r><w:t>a&amp;b&#49;</w:t></w:r></w:p></w:body></w:document>"#.as_bytes(),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, "电话13812345678\na b1\n");
    }
}

//! `.txt` files as old Windows editors save them: UTF-8 with or without
//! BOM, UTF-16 (with BOM, or without one when every other byte is zero),
//! GBK/GB18030. Each line is a paragraph.

use super::model::{Block, Doc, Para, Seg};
use crate::diagnostics::{text, Text};

/// Which encoding a text file was read in, for the output line.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), Text> {
    if let Some(b) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(b).map(|s| (s, "UTF-8"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (s, enc, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err(not_text());
        }
        return Ok((
            s.into_owned(),
            if enc == encoding_rs::UTF_16BE {
                "UTF-16BE"
            } else {
                "UTF-16LE"
            },
        ));
    }
    let zeros = |parity: usize| {
        bytes
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    if bytes.len() >= 4 {
        let half = bytes.len() / 2;
        for (parity, enc, name) in [
            (1, encoding_rs::UTF_16LE, "UTF-16LE"),
            (0, encoding_rs::UTF_16BE, "UTF-16BE"),
        ] {
            if zeros(parity) * 10 >= half * 3 && zeros(1 - parity) == 0 {
                let (s, bad) = enc.decode_without_bom_handling(bytes);
                if !bad {
                    return Ok((s.into_owned(), name));
                }
            }
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return utf8(s.as_bytes()).map(|s| (s, "UTF-8"));
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(s) if !s.contains('\0') => Ok((s.into_owned(), "GB18030")),
        _ => Err(not_text()),
    }
}

fn utf8(b: &[u8]) -> Result<String, Text> {
    match std::str::from_utf8(b) {
        Ok(s) if !s.contains('\0') => Ok(s.to_string()),
        _ => Err(not_text()),
    }
}

fn not_text() -> Text {
    text!("not a text file in UTF-8, UTF-16 or GBK (binary data?)";
          "不是 UTF-8、UTF-16 或 GBK 编码的文本文件（可能是二进制文件）")
}

pub fn read(bytes: &[u8]) -> Result<(Doc, &'static str), Text> {
    let (s, enc) = decode(bytes)?;
    let mut doc = Doc {
        plain_text: true,
        ..Doc::default()
    };
    for line in s.lines() {
        let line = line.trim_end_matches('\r');
        let para = Para {
            segs: vec![Seg::plain(line)],
            ..Para::default()
        };
        if para.has_content() {
            doc.blocks.push(Block::Para(para));
        }
    }
    Ok((doc, enc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let s = "陶乐镇2024年工作总结\r\n一、主要工作\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        assert_eq!(decode(&gbk).unwrap(), (s.to_string(), "GB18030"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom).unwrap().0, s);
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend_from_slice(&le);
        assert_eq!(decode(&with_bom).unwrap(), (s.to_string(), "UTF-16LE"));
        let ascii_le: Vec<u8> = "report 2024\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&ascii_le).unwrap().1, "UTF-16LE");
        assert!(decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_err());
        let (doc, _) = read(s.as_bytes()).unwrap();
        assert_eq!(doc.blocks.len(), 2);
    }
}

//! WordprocessingML bodies (document.xml, footnotes.xml): paragraphs and
//! runs with bold/italic, hyperlinks (relationship and field ones), manual
//! breaks, numbering, tables with `gridSpan`/`vMerge` (the merged text is
//! repeated in every cell it covers), pictures (DrawingML and VML), footnote
//! references. Text boxes, comments, OLE objects, charts and equations are
//! counted and left out; deleted revisions and field codes never leak.

use super::model::{Align, Block, Doc, Image, Kind, Para, Seg, Table};
use super::ooxml::{self, attr, Numbered, Numbering, Rel, Style};
use crate::diagnostics::Text;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

/// The part being walked and what it refers to.
pub struct Part<'a> {
    pub name: &'a str,
    pub rels: &'a HashMap<String, Rel>,
    pub styles: &'a HashMap<String, Style>,
    /// Footnotes and endnotes by `fn<id>` / `en<id>`.
    pub notes: &'a HashMap<String, Vec<Seg>>,
}

/// Where pictures come from: the package's `word/media/`.
pub trait Media {
    fn get(&mut self, target: &str) -> Result<Option<Vec<u8>>, Text>;
}

/// No pictures (headers and footers are only looked at for text).
pub(super) struct NoMedia;

impl Media for NoMedia {
    fn get(&mut self, _: &str) -> Result<Option<Vec<u8>>, Text> {
        Ok(None)
    }
}

#[derive(Default)]
struct ParaBuild {
    para: Para,
    style: Option<String>,
    num: (Option<String>, u8),
    outline: Option<u8>,
    jc: Option<Align>,
}

#[derive(Default)]
struct Cell {
    segs: Vec<Seg>,
    span: usize,
    /// `Some(true)` starts a vertical merge, `Some(false)` continues one.
    vmerge: Option<bool>,
}

#[derive(Default)]
struct TableBuild {
    rows: Vec<Vec<Cell>>,
    row: Vec<Cell>,
    cell: Option<Cell>,
}

#[derive(Default)]
struct Drawing {
    alt: Option<String>,
    blip: Option<String>,
    object: bool,
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    para: Option<ParaBuild>,
    tables: Vec<TableBuild>,
    /// Depth inside a subtree that is left out (0: not skipping).
    skip: usize,
    in_ppr: bool,
    in_rpr: bool,
    in_t: bool,
    in_instr: bool,
    bold: bool,
    italic: bool,
    size: u32,
    link: Option<usize>,
    field_link: bool,
    instr: String,
    drawing: Option<Drawing>,
    /// Footnotes part: the note being read and what was read per note.
    note: Option<String>,
    note_segs: Vec<(String, Vec<Seg>)>,
}

fn on(e: &BytesStart) -> bool {
    attr(e, "val").is_none_or(|v| !matches!(v.as_str(), "0" | "false" | "off" | "none"))
}

/// Elements whose whole subtree is left out; the bool says "count as dropped object".
fn skipped(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"Fallback" | b"del" | b"moveFrom" | b"instrText" | b"sectPr" | b"rPrChange"
        | b"pPrChange" => "",
        b"txbxContent" | b"textbox" | b"txbx" => "textbox",
        b"object" | b"oMath" | b"oMathPara" => "object",
        _ => return None,
    })
}

fn link_target(ctx: &Part, id: &str) -> Option<String> {
    let rel = ctx.rels.get(id)?;
    let t = rel.target.trim();
    let ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| t.to_ascii_lowercase().starts_with(p));
    (rel.external && ok).then(|| t.to_string())
}

/// `HYPERLINK "https://…" \o "tip"` → the URL.
pub(super) fn field_url(instr: &str) -> Option<String> {
    let rest = instr.trim().strip_prefix("HYPERLINK")?.trim();
    let url = if let Some(q) = rest.strip_prefix('"') {
        q.split('"').next()?
    } else {
        rest.split_whitespace().next()?
    };
    let ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| url.to_ascii_lowercase().starts_with(p));
    ok.then(|| url.to_string())
}

impl Walker {
    fn push(&mut self, seg: Seg) {
        if let Some(p) = self.para.as_mut() {
            if let Seg::Text { .. } = seg {
                p.para.size = p.para.size.max(self.size);
            }
            p.para.segs.push(seg);
        }
    }

    fn text(&mut self, s: &str) {
        if self.in_instr {
            self.instr.push_str(s);
        } else if self.in_t && self.skip == 0 {
            let seg = Seg::Text {
                text: s.to_string(),
                bold: self.bold,
                italic: self.italic,
                link: self.link,
            };
            self.push(seg);
        }
    }

    fn start(&mut self, name: &[u8], e: &BytesStart, ctx: &Part, doc: &mut Doc) {
        if self.skip > 0 {
            self.skip += 1;
            return;
        }
        if let Some(what) = skipped(name) {
            if name == b"instrText" {
                self.in_instr = true;
                return;
            }
            match what {
                "textbox" if self.drawing.is_none() => doc.dropped.text_boxes += 1,
                "textbox" => {
                    if let Some(d) = self.drawing.as_mut() {
                        d.object = false;
                    }
                    doc.dropped.text_boxes += 1;
                }
                "object" => doc.dropped.objects += 1,
                _ => {}
            }
            self.skip = 1;
            return;
        }
        let val = || attr(e, "val");
        match name {
            b"footnote" | b"endnote" => {
                let special = attr(e, "type").is_some_and(|t| t != "normal");
                self.note = attr(e, "id").filter(|_| !special);
            }
            b"p" => self.para = Some(ParaBuild::default()),
            b"pPr" => self.in_ppr = true,
            b"rPr" if !self.in_ppr => self.in_rpr = true,
            b"r" => {
                self.bold = false;
                self.italic = false;
                self.size = 0;
            }
            b"b" if self.in_rpr => self.bold = on(e),
            b"i" if self.in_rpr => self.italic = on(e),
            b"sz" if self.in_rpr => self.size = val().and_then(|v| v.parse().ok()).unwrap_or(0),
            b"t" => self.in_t = true,
            b"tab" if !self.in_ppr => self.push(Seg::plain(" ")),
            b"br" if attr(e, "type").is_none_or(|t| t == "textWrapping") => self.push(Seg::Break),
            b"cr" => self.push(Seg::Break),
            b"noBreakHyphen" => self.push(Seg::plain("-")),
            b"footnoteReference" | b"endnoteReference" => {
                let kind = if name == b"footnoteReference" {
                    "fn"
                } else {
                    "en"
                };
                if let Some(segs) =
                    attr(e, "id").and_then(|id| ctx.notes.get(&format!("{kind}{id}")))
                {
                    doc.footnotes.push(segs.clone());
                    self.push(Seg::Note(doc.footnotes.len() - 1));
                }
            }
            b"commentReference" => doc.dropped.comments += 1,
            b"hyperlink" | b"fldSimple" | b"fldChar" => self.start_link(name, e, ctx, doc),
            _ if self.in_ppr => self.para_prop(name, e),
            _ => self.start_object(name, e),
        }
    }

    /// Paragraph properties: style, alignment, numbering, outline level.
    fn para_prop(&mut self, name: &[u8], e: &BytesStart) {
        let val = || attr(e, "val");
        match name {
            b"pStyle" => {
                if let Some(p) = self.para.as_mut() {
                    p.style = val();
                }
            }
            b"jc" => {
                if let Some(p) = self.para.as_mut() {
                    p.jc = Some(match val().as_deref() {
                        Some("center") => Align::Center,
                        Some("right" | "end") => Align::Right,
                        _ => Align::Left,
                    });
                }
            }
            b"numId" => {
                if let Some(p) = self.para.as_mut() {
                    p.num.0 = val();
                }
            }
            b"ilvl" => {
                if let Some(p) = self.para.as_mut() {
                    p.num.1 = val().and_then(|v| v.parse().ok()).unwrap_or(0);
                }
            }
            b"outlineLvl" => {
                if let Some(p) = self.para.as_mut() {
                    p.outline = val().and_then(|v| v.parse().ok());
                }
            }
            _ => {}
        }
    }

    /// Hyperlinks: relationship ones, simple fields and complex fields.
    fn start_link(&mut self, name: &[u8], e: &BytesStart, ctx: &Part, doc: &mut Doc) {
        match name {
            b"hyperlink" => {
                self.link = attr(e, "id")
                    .and_then(|id| link_target(ctx, &id))
                    .map(|url| {
                        doc.links.push(url);
                        doc.links.len() - 1
                    });
            }
            b"fldSimple" => {
                if let Some(url) = attr(e, "instr").as_deref().and_then(field_url) {
                    doc.links.push(url);
                    self.link = Some(doc.links.len() - 1);
                }
            }
            b"fldChar" => match attr(e, "fldCharType").as_deref() {
                Some("begin") => self.instr.clear(),
                Some("separate") => {
                    if let Some(url) = field_url(&self.instr) {
                        doc.links.push(url);
                        self.link = Some(doc.links.len() - 1);
                        self.field_link = true;
                    }
                }
                Some("end") if self.field_link => {
                    self.link = None;
                    self.field_link = false;
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Pictures, charts and tables.
    fn start_object(&mut self, name: &[u8], e: &BytesStart) {
        let val = || attr(e, "val");
        match name {
            b"drawing" | b"pict" => self.drawing = Some(Drawing::default()),
            b"docPr" => {
                if let Some(d) = self.drawing.as_mut() {
                    d.alt = attr(e, "descr")
                        .or_else(|| attr(e, "title"))
                        .filter(|s| !s.trim().is_empty());
                }
            }
            b"blip" => {
                if let Some(d) = self.drawing.as_mut() {
                    d.blip = attr(e, "embed").or_else(|| attr(e, "link"));
                }
            }
            b"imagedata" => {
                if let Some(d) = self.drawing.as_mut() {
                    d.blip = attr(e, "id");
                    if d.alt.is_none() {
                        d.alt = attr(e, "title").filter(|s| !s.trim().is_empty());
                    }
                }
            }
            b"graphicData" => {
                let uri = attr(e, "uri").unwrap_or_default();
                if let Some(d) = self.drawing.as_mut() {
                    d.object = uri.contains("chart") || uri.contains("diagram");
                }
            }
            b"tbl" => self.tables.push(TableBuild::default()),
            b"tc" => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(Cell {
                        span: 1,
                        ..Cell::default()
                    });
                }
            }
            b"gridSpan" => {
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.span = val().and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 64);
                }
            }
            b"vMerge" => {
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.vmerge = Some(val().is_some_and(|v| v == "restart"));
                }
            }
            _ => {}
        }
    }

    fn end(
        &mut self,
        name: &[u8],
        ctx: &Part,
        pkg: &mut dyn Media,
        nb: &mut Numbering,
        doc: &mut Doc,
    ) -> Result<(), Text> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        match name {
            b"instrText" => self.in_instr = false,
            b"pPr" => self.in_ppr = false,
            b"rPr" => self.in_rpr = false,
            b"t" => self.in_t = false,
            b"hyperlink" | b"fldSimple" => self.link = None,
            b"drawing" | b"pict" => self.picture(ctx, pkg, doc)?,
            b"p" => self.end_para(ctx, nb),
            b"tc" => {
                if let Some(t) = self.tables.last_mut() {
                    if let Some(c) = t.cell.take() {
                        t.row.push(c);
                    }
                }
            }
            b"tr" => {
                if let Some(t) = self.tables.last_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                }
            }
            b"tbl" => self.end_table(),
            b"footnote" | b"endnote" => {
                if let Some(id) = self.note.take() {
                    let mut segs = Vec::new();
                    for b in self.blocks.drain(..) {
                        if let Block::Para(p) = b {
                            if !segs.is_empty() {
                                segs.push(Seg::plain(" "));
                            }
                            segs.extend(p.segs);
                        }
                    }
                    self.note_segs.push((id, segs));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn picture(&mut self, ctx: &Part, pkg: &mut dyn Media, doc: &mut Doc) -> Result<(), Text> {
        let Some(d) = self.drawing.take() else {
            return Ok(());
        };
        if d.object {
            doc.dropped.objects += 1;
            return Ok(());
        }
        let Some(rel) = d.blip.and_then(|id| ctx.rels.get(&id)) else {
            return Ok(());
        };
        if rel.external {
            doc.dropped.pictures += 1;
            return Ok(());
        }
        let ext = rel
            .target
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if !matches!(
            ext.as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" | "bmp"
        ) {
            doc.dropped.pictures += 1;
            return Ok(());
        }
        match pkg.get(&rel.target)? {
            Some(data) => {
                doc.images.push(Image {
                    data,
                    ext,
                    alt: d.alt.map(|a| a.trim().to_string()),
                });
                self.push(Seg::Image(doc.images.len() - 1));
            }
            None => doc.dropped.pictures += 1,
        }
        Ok(())
    }

    fn end_para(&mut self, ctx: &Part, nb: &mut Numbering) {
        let Some(mut b) = self.para.take() else {
            return;
        };
        let mut style = b.style.as_deref().and_then(|s| ctx.styles.get(s));
        let (mut outline, mut num, mut centered, mut size) =
            (b.outline, b.num.0.clone().map(|n| (n, b.num.1)), false, 0);
        let mut depth = 0;
        while let Some(s) = style {
            let name = s.name.to_lowercase();
            let level = name
                .strip_prefix("heading")
                .or_else(|| name.strip_prefix("标题"))
                .map(str::trim);
            match level {
                Some("") if b.para.kind == Kind::Body => b.para.kind = Kind::Title,
                Some(n) => {
                    if let (Ok(n @ 1..=9), Kind::Body) = (n.parse::<u8>(), b.para.kind) {
                        b.para.kind = Kind::Heading(n);
                    }
                }
                None if name == "title" && b.para.kind == Kind::Body => b.para.kind = Kind::Title,
                None => {}
            }
            outline = outline.or(s.outline);
            num = num.or_else(|| s.num.clone());
            centered |= s.centered;
            size = size.max(s.size);
            depth += 1;
            style = s
                .based_on
                .as_deref()
                .and_then(|p| ctx.styles.get(p))
                .filter(|_| depth < 10);
        }
        if let (Kind::Body, Some(o @ 0..=8)) = (b.para.kind, outline) {
            b.para.kind = Kind::Heading(o + 1);
        }
        b.para.align =
            b.jc.unwrap_or(if centered { Align::Center } else { Align::Left });
        if b.para.size == 0 {
            b.para.size = size;
        }
        if let Some((id, lvl)) = num.filter(|(id, _)| id != "0") {
            match nb.next(&id, lvl) {
                Some(Numbered::Bullet) if b.para.kind == Kind::Body => {
                    b.para.kind = Kind::Bullet(lvl)
                }
                Some(Numbered::Item(n)) if b.para.kind == Kind::Body => {
                    b.para.kind = Kind::Numbered(lvl, n)
                }
                Some(Numbered::Label(l)) if b.para.has_content() => {
                    b.para.segs.insert(0, Seg::plain(l))
                }
                _ => {}
            }
        }
        if let Some(t) = self.tables.last_mut() {
            if let Some(c) = t.cell.as_mut() {
                if !c.segs.is_empty() && b.para.has_content() {
                    c.segs.push(Seg::plain(" "));
                }
                c.segs.extend(b.para.segs);
                return;
            }
        }
        self.blocks.push(Block::Para(b.para));
    }

    fn end_table(&mut self) {
        let Some(t) = self.tables.pop() else { return };
        let mut grid: Vec<Vec<Vec<Seg>>> = Vec::new();
        for row in t.rows {
            let mut out: Vec<Vec<Seg>> = Vec::new();
            for cell in row {
                for _ in 0..cell.span {
                    let col = out.len();
                    let segs = match cell.vmerge {
                        Some(false) => grid
                            .last()
                            .and_then(|r| r.get(col))
                            .cloned()
                            .unwrap_or_default(),
                        _ => cell.segs.clone(),
                    };
                    out.push(segs);
                }
            }
            if !out.is_empty() {
                grid.push(out);
            }
        }
        if let Some(parent) = self.tables.last_mut().and_then(|p| p.cell.as_mut()) {
            // A table inside a cell: its text, row by row.
            for row in grid {
                for segs in row {
                    parent.segs.push(Seg::plain(" "));
                    parent.segs.extend(segs);
                }
            }
        } else if !grid.is_empty() {
            self.blocks.push(Block::Table(Table { rows: grid }));
        }
    }
}

fn walk(
    xml: &str,
    ctx: &Part,
    pkg: &mut dyn Media,
    nb: &mut Numbering,
    doc: &mut Doc,
) -> Result<Walker, Text> {
    let mut r = Reader::from_str(xml);
    let mut w = Walker::default();
    loop {
        let ev = r
            .read_event()
            .map_err(|e| ooxml::xml_error(ctx.name, r.buffer_position(), e))?;
        match ev {
            Event::Start(e) => w.start(e.local_name().as_ref(), &e, ctx, doc),
            Event::Empty(e) => {
                let name = e.local_name();
                w.start(name.as_ref(), &e, ctx, doc);
                w.end(name.as_ref(), ctx, pkg, nb, doc)?;
            }
            Event::End(e) => w.end(e.local_name().as_ref(), ctx, pkg, nb, doc)?,
            Event::Text(t) => {
                if let Ok(s) = t.xml10_content() {
                    w.text(&s);
                }
            }
            Event::CData(t) => {
                if let Ok(s) = t.decode() {
                    w.text(&s);
                }
            }
            Event::GeneralRef(g) => {
                let s = match g.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => g
                        .decode()
                        .ok()
                        .and_then(|n| quick_xml::escape::resolve_predefined_entity(&n))
                        .map(str::to_string),
                };
                if let Some(s) = s {
                    w.text(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(w)
}

/// The blocks of document.xml.
pub fn body(
    xml: &str,
    ctx: &Part,
    pkg: &mut dyn Media,
    nb: &mut Numbering,
    doc: &mut Doc,
) -> Result<Vec<Block>, Text> {
    Ok(walk(xml, ctx, pkg, nb, doc)?.blocks)
}

/// Each note of footnotes.xml / endnotes.xml by id.
pub fn notes(
    xml: &str,
    ctx: &Part,
    pkg: &mut dyn Media,
    nb: &mut Numbering,
    doc: &mut Doc,
) -> Result<Vec<(String, Vec<Seg>)>, Text> {
    Ok(walk(xml, ctx, pkg, nb, doc)?.note_segs)
}

/// Whether a header or footer part holds any text.
pub fn has_text(xml: &str, name: &str) -> Result<bool, Text> {
    let rels = HashMap::new();
    let styles = HashMap::new();
    let notes = HashMap::new();
    let ctx = Part {
        name,
        rels: &rels,
        styles: &styles,
        notes: &notes,
    };
    let mut pkg_doc = Doc::default();
    let mut nb = Numbering::default();
    let w = walk(xml, &ctx, &mut NoMedia, &mut nb, &mut pkg_doc)?;
    Ok(w.blocks.iter().any(|b| match b {
        Block::Para(p) => p.has_content(),
        Block::Table(_) => true,
    }))
}

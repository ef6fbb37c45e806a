//! What a read document is, whatever it was read from (.docx, .txt): blocks
//! of paragraphs and tables whose text is a list of segments (formatted
//! text, pictures, footnote references), plus the pictures, footnotes and
//! what had to be left out. Rendering to Markdown is in `markdown.rs`.

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Text {
        text: String,
        bold: bool,
        italic: bool,
        /// Index into [`Doc::links`] when inside a hyperlink.
        link: Option<usize>,
    },
    /// Picture `Doc::images[n]`.
    Image(usize),
    /// Footnote `Doc::footnotes[n]`.
    Note(usize),
    /// A manual line break inside the paragraph.
    Break,
}

impl Seg {
    pub fn plain(text: impl Into<String>) -> Seg {
        Seg::Text {
            text: text.into(),
            bold: false,
            italic: false,
            link: None,
        }
    }
}

/// Horizontal alignment of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// What the document's own styles say a paragraph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Body,
    /// The Title style.
    Title,
    /// Heading 1–9 style or outline level (1-based).
    Heading(u8),
    /// A bulleted list item at this nesting level (0-based).
    Bullet(u8),
    /// A numbered list item: level, its number.
    Numbered(u8, u32),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Para {
    pub segs: Vec<Seg>,
    pub kind: Kind,
    pub align: Align,
    /// Largest font size in half-points (0: unknown).
    pub size: u32,
}

impl Para {
    /// The paragraph's text without markup.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for seg in &self.segs {
            if let Seg::Text { text, .. } = seg {
                s.push_str(text);
            }
        }
        s
    }

    pub fn has_content(&self) -> bool {
        self.segs.iter().any(|s| match s {
            Seg::Text { text, .. } => !is_blank(text),
            Seg::Image(_) => true,
            _ => false,
        })
    }
}

/// Whitespace as documents write it: ASCII, the ideographic space U+3000,
/// no-break spaces.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_space)
}

/// A table; merged cells (`gridSpan`, `vMerge`) already repeat their text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Rows of cells; each cell is its paragraphs' segments joined.
    pub rows: Vec<Vec<Vec<Seg>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    Table(Table),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub data: Vec<u8>,
    /// Lower-case file extension (`png`, `jpeg`).
    pub ext: String,
    /// Alt text from the document, when it has one.
    pub alt: Option<String>,
}

/// What a reader could not carry over, counted for the output line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    pub text_boxes: usize,
    pub comments: usize,
    pub headers_footers: bool,
    /// OLE objects, charts, SmartArt, equations.
    pub objects: usize,
    /// Pictures in formats browsers do not show (EMF, WMF, TIFF).
    pub pictures: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub blocks: Vec<Block>,
    pub images: Vec<Image>,
    /// Footnote texts in reference order.
    pub footnotes: Vec<Vec<Seg>>,
    /// Hyperlink targets.
    pub links: Vec<String>,
    pub dropped: Dropped,
    /// Read from plain text: the first line is the title when it looks like one.
    pub plain_text: bool,
}

/// A block of the report body after the 公文 structure is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// Markdown heading level 2–6.
    Heading(u8, Vec<Seg>),
    Para(Vec<Seg>),
    /// A list item: `Some(n)` numbered n, `None` a bullet; nesting level.
    Item(Option<u32>, u8, Vec<Seg>),
    Table(Table),
}

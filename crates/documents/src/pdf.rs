//! The one-page A4 confirmation PDF, laid out by hand with printpdf 0.12 and DejaVu Sans
//! (subset, embedded as an Identity-H font with a ToUnicode map, so umlauts render and text
//! extraction works).

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, OffsetDateTime, Op, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

use crate::Confirmation;
use crate::words::{self, labels};

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.subset.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.subset.ttf");

/// Why a PDF could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// A font compiled into the crate could not be parsed (a broken build, not bad input).
    #[error("the embedded font {0} could not be parsed")]
    Font(&'static str),
    /// printpdf reported an error while writing the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

// Page geometry, in millimetres; `y` values count from the top edge to a text baseline.
const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;
const VALUE_X: f32 = 62.0;
/// Nothing but the footer goes below this baseline, so the document stays one page.
const LAST_BASELINE: f32 = 268.0;
const FOOTER_BASELINE: f32 = 282.0;
/// Font size of the detail values, in points.
const VALUE_SIZE: f32 = 11.0;

const INK: (f32, f32, f32) = (0.10, 0.10, 0.12);
const MUTED: (f32, f32, f32) = (0.42, 0.42, 0.45);
const ACCENT: (f32, f32, f32) = (0.12, 0.31, 0.47);
const ALERT: (f32, f32, f32) = (0.65, 0.11, 0.11);
const RULE: (f32, f32, f32) = (0.75, 0.75, 0.78);

/// Renders the confirmation as a one-page A4 PDF in the branch's local time and the
/// confirmation's language.
pub fn pdf(c: &Confirmation) -> Result<Vec<u8>, DocumentError> {
    let fonts = fonts()?;
    let l = labels(c.locale);
    let title = if c.cancelled {
        l.title_cancelled
    } else {
        l.title
    };

    let mut doc = PdfDocument::new(&format!("{title} {}", c.reference.trim()));
    let generated = OffsetDateTime::from_unix_timestamp(c.generated_at.timestamp())
        .map_err(|e| DocumentError::Pdf(e.to_owned()))?;
    let info = &mut doc.metadata.info;
    info.creation_date = generated;
    info.modification_date = generated;
    info.metadata_date = generated;
    info.author = c.company_name.trim().to_owned();
    info.subject = words::when(c);
    info.creator = "portal-documents".to_owned();
    info.producer = "printpdf".to_owned();

    let mut page = Page {
        ops: Vec::new(),
        regular: (doc.add_font(&fonts.regular), &fonts.regular),
        bold: (doc.add_font(&fonts.bold), &fonts.bold),
    };
    layout(&mut page, c, title);

    let mut warnings = Vec::new();
    let bytes = doc
        .with_pages(vec![PdfPage::new(
            Mm(PAGE_WIDTH),
            Mm(PAGE_HEIGHT),
            page.ops,
        )])
        .save(&PdfSaveOptions::default(), &mut warnings);
    if let Some(error) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(DocumentError::Pdf(error.msg.clone()));
    }
    Ok(bytes)
}

fn layout(page: &mut Page<'_>, c: &Confirmation, title: &str) {
    let l = labels(c.locale);

    // Header: company name (shrunk to fit, then wrapped), document title, rule.
    let company = c.company_name.trim();
    let mut size = 22.0;
    while size > 14.0 && page.width(Face::Bold, size, company) > RIGHT - LEFT {
        size -= 1.0;
    }
    let mut y = 30.0;
    for line in page.wrap(Face::Bold, size, company, RIGHT - LEFT, 2) {
        page.text(Face::Bold, size, LEFT, y, INK, &line);
        y += size * 0.45;
    }
    y += 3.0;
    let title_colour = if c.cancelled { ALERT } else { ACCENT };
    page.text(Face::Regular, 14.0, LEFT, y, title_colour, title);
    y += 5.0;
    page.rule(y);

    // The appointment's local date and time, prominent.
    y += 10.0;
    page.text(Face::Regular, 9.5, LEFT, y, MUTED, l.when);
    y += 7.5;
    match words::when_same_day(c) {
        Some((day, times)) => {
            page.text(Face::Bold, 15.0, LEFT, y, INK, &day);
            y += 7.0;
            page.text(Face::Regular, 13.0, LEFT, y, INK, &times);
            y += 6.5;
        }
        None => {
            for line in page.wrap(Face::Bold, 13.0, &words::when(c), RIGHT - LEFT, 3) {
                page.text(Face::Bold, 13.0, LEFT, y, INK, &line);
                y += 6.5;
            }
        }
    }
    y += 3.0;

    // Details, label | value. Each row has a line budget, so that even with every value at
    // its longest the page never overflows; a cut value ends in "…".
    let location: Vec<&str> = std::iter::once(c.branch_name.as_str())
        .chain(c.branch_address.iter().map(String::as_str))
        .collect();
    let rows: [(&str, Vec<&str>, usize, Face); 7] = [
        (l.service, vec![&c.service_name], 4, Face::Regular),
        (
            l.staff,
            c.staff_name.as_deref().into_iter().collect(),
            2,
            Face::Regular,
        ),
        (
            l.customer,
            c.customer_name.as_deref().into_iter().collect(),
            2,
            Face::Regular,
        ),
        (l.location, location, 6, Face::Regular),
        (
            l.phone,
            c.branch_phone.as_deref().into_iter().collect(),
            2,
            Face::Regular,
        ),
        (l.status, vec![&c.status_label], 2, Face::Regular),
        (l.reference, vec![&c.reference], 2, Face::Bold),
    ];
    for (label, values, budget, face) in rows {
        let mut lines = Vec::new();
        for value in values.into_iter().map(str::trim).filter(|v| !v.is_empty()) {
            lines.extend(page.wrap(face, VALUE_SIZE, value, RIGHT - VALUE_X, budget));
        }
        if lines.len() > budget {
            lines.truncate(budget);
            if let Some(last) = lines.last_mut() {
                *last = page.ellipsize(face, VALUE_SIZE, last, RIGHT - VALUE_X);
            }
        }
        if lines.is_empty() || y > LAST_BASELINE {
            continue;
        }
        y += 3.0;
        page.text(Face::Regular, 9.5, LEFT, y, MUTED, label);
        for line in lines {
            if y > LAST_BASELINE {
                break;
            }
            page.text(face, VALUE_SIZE, VALUE_X, y, INK, &line);
            y += 5.5;
        }
    }

    // Footer.
    page.rule(FOOTER_BASELINE - 5.0);
    page.text(
        Face::Regular,
        8.5,
        LEFT,
        FOOTER_BASELINE,
        MUTED,
        &words::generated(c),
    );
}

/// The two faces, parsed once per process.
struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

fn fonts() -> Result<&'static Fonts, DocumentError> {
    static FONTS: OnceLock<Result<Fonts, &'static str>> = OnceLock::new();
    let parse = |bytes: &[u8], name: &'static str| -> Result<ParsedFont, &'static str> {
        let mut font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or(name)?;
        // The PostScript name, for /BaseFont (printpdf would use a random id).
        font.font_name = Some(name.trim_end_matches(".subset.ttf").to_owned());
        Ok(font)
    };
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: parse(REGULAR_TTF, "DejaVuSans.subset.ttf")?,
                bold: parse(BOLD_TTF, "DejaVuSans-Bold.subset.ttf")?,
            })
        })
        .as_ref()
        .map_err(|name| DocumentError::Font(name))
}

#[derive(Clone, Copy)]
enum Face {
    Regular,
    Bold,
}

/// The page's drawing operations and the fonts registered for them.
struct Page<'f> {
    ops: Vec<Op>,
    regular: (FontId, &'f ParsedFont),
    bold: (FontId, &'f ParsedFont),
}

impl Page<'_> {
    fn face(&self, face: Face) -> &(FontId, &ParsedFont) {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// Draws one line of text with its baseline `y` mm below the top edge.
    fn text(&mut self, face: Face, size: f32, x: f32, y: f32, colour: (f32, f32, f32), s: &str) {
        let font = self.face(face).0.clone();
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetFillColor { col: rgb(colour) },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(PAGE_HEIGHT - y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// A thin horizontal rule across the text column, `y` mm below the top edge.
    fn rule(&mut self, y: f32) {
        let point = |x: f32| LinePoint {
            p: Point::new(Mm(x), Mm(PAGE_HEIGHT - y)),
            bezier: false,
        };
        self.ops.extend([
            Op::SetOutlineColor { col: rgb(RULE) },
            Op::SetOutlineThickness { pt: Pt(0.6) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(LEFT), point(RIGHT)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Advance width of `s` in mm (characters the font lacks count as `.notdef`).
    fn width(&self, face: Face, size: f32, s: &str) -> f32 {
        let font = self.face(face).1;
        let units: u32 = s
            .chars()
            .map(|ch| {
                let gid = font.lookup_glyph_index(u32::from(ch)).unwrap_or(0);
                u32::from(font.get_glyph_width(gid).unwrap_or(0))
            })
            .sum();
        let em = f32::from(font.units_per_em.max(1));
        // Font units -> points -> millimetres.
        units as f32 / em * size * 25.4 / 72.0
    }

    /// Greedy word wrap to `max_width` mm, breaking inside words only when one word is wider
    /// than a line; at most `max_lines` lines, the last ending in "…" if text was cut.
    fn wrap(
        &self,
        face: Face,
        size: f32,
        s: &str,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let fits = |t: &str| self.width(face, size, t) <= max_width;
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in s.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            // Break an over-long word character by character.
            for ch in word.chars() {
                current.push(ch);
                if !fits(&current) && current.chars().count() > 1 {
                    current.pop();
                    lines.push(std::mem::replace(&mut current, ch.to_string()));
                }
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                *last = self.ellipsize(face, size, last, max_width);
            }
        }
        lines
    }

    /// `line` with "…" appended, shortened until that fits `max_width` mm.
    fn ellipsize(&self, face: Face, size: f32, line: &str, max_width: f32) -> String {
        let mut kept = line.trim_end_matches('…').trim_end().to_owned();
        while !kept.is_empty() && self.width(face, size, &format!("{kept}…")) > max_width {
            kept.pop();
            kept.truncate(kept.trim_end().len());
        }
        kept.push('…');
        kept
    }
}

fn rgb((r, g, b): (f32, f32, f32)) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

//! The one place lesson markdown becomes HTML.
//!
//! Lessons are rendered once, at load time: markdown (CommonMark plus GitHub's
//! tables, footnotes, strikethrough and task lists, plus `{#id}` heading
//! attributes) goes through pulldown-cmark, every heading gets a stable `id`,
//! and the resulting HTML is sanitised with ammonia, because trainers may
//! write raw HTML in their lessons and the output is served as-is.
//!
//! Along the way the renderer collects what the rest of the library needs:
//! the table of contents, a fallback title, the links into the course's
//! `assets/` folder (so the loader can check they exist) and the plain text.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::references::References;
use crate::text::{nfc, slugify};

/// Largest lesson source we render; pulldown-cmark has quadratic cases, so
/// bigger input is refused by the loader.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// A rendered lesson body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML, safe to embed in a page as-is.
    pub html: String,
    /// h2 and h3 headings in document order (for a table of contents).
    pub toc: Vec<TocEntry>,
    /// Plain text of the first non-empty level-1 heading, if any (fallback
    /// lesson title).
    pub first_h1: Option<String>,
    /// Relative links and images that point into the course's `assets/` folder.
    pub links: Vec<LocalLink>,
    /// Plain text of the whole document (for search indexing), blocks
    /// separated by `"\n"`.
    pub text: String,
}

/// One entry of a lesson's table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// Heading level: 2 or 3.
    pub level: u8,
    /// The heading's `id` in [`Rendered::html`] (link to `#id`).
    pub id: String,
    /// The heading's plain text, whitespace collapsed.
    pub text: String,
}

/// A link or image whose destination is inside the course's `assets/` folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalLink {
    /// Path under `assets/`, e.g. `"so-do.svg"`: percent-decoded, NFC,
    /// without query or fragment. Not otherwise normalised: it may contain
    /// `..` segments, which the caller must refuse.
    pub target: String,
    /// 1-based line in the lesson file.
    pub line: usize,
}

/// Render a lesson's markdown to sanitised HTML.
///
/// `first_line`: the line number in the file where `source` begins (lessons
/// may have a front matter block before it), so [`LocalLink::line`] is a line
/// of the file.
///
/// The source is NFC-normalised first, so the HTML, the plain text and the
/// heading ids do not depend on how the trainer's editor encoded Vietnamese.
/// The caller is expected to refuse sources longer than [`MAX_SOURCE_BYTES`].
pub fn render_markdown(source: &str, first_line: usize) -> Rendered {
    let source = nfc(source);
    let lines = LineIndex::new(&source, first_line);
    let events: Vec<(Event<'_>, Range<usize>)> =
        Parser::new_ext(&source, markdown_options()).into_offset_iter().collect();

    let mut walker = Walker::new(&events);
    for (event, range) in events {
        walker.event(event, range, &lines);
    }
    let Walker { out, toc, first_h1, links, text, .. } = walker.finish();

    let mut html = String::with_capacity(source.len() + source.len() / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    let html = scroll_regions(&SANITIZER.clean(&alignment_to_classes(&html)).to_string());

    Rendered { html, toc, first_h1, links, text: text.trim_end().to_owned() }
}

/// A lesson rendered with the library's shared footnotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonRendered {
    pub rendered: Rendered,
    /// The shared footnotes the lesson cites, as their definitions were appended (so a change of one changes
    /// the lesson's hash).
    pub shared: Vec<String>,
    /// Footnote references defined neither in the lesson nor in the shared list: (label, line of the file).
    pub unknown: Vec<(String, usize)>,
}

/// Render a lesson whose `[^label]` may cite the library's shared footnotes (`courses/references.md`): a label
/// the lesson does not define takes the shared definition, appended to the source so it renders exactly like
/// the lesson's own (a definition of the lesson's own wins). A label defined nowhere stays text and is reported.
pub fn render_lesson(source: &str, first_line: usize, shared: &References) -> LessonRendered {
    let source = nfc(source);
    let undefined = undefined_labels(&source);
    if undefined.is_empty() {
        return LessonRendered {
            rendered: render_markdown(&source, first_line),
            shared: Vec::new(),
            unknown: Vec::new(),
        };
    }
    // Which of them are footnote references (not text in a code span, say): give each a placeholder definition
    // and see which the parser then reads as references.
    let mut probe = source.clone();
    for label in &undefined {
        probe.push_str(&format!("\n\n[^{label}]: -"));
    }
    let lines = LineIndex::new(&source, first_line);
    let mut cited: Vec<String> = Vec::new();
    let mut appended = Vec::new();
    let mut unknown = Vec::new();
    for (event, range) in Parser::new_ext(&probe, markdown_options()).into_offset_iter() {
        let Event::FootnoteReference(label) = event else { continue };
        let key = footnote_key(&label);
        if range.start >= source.len() || !undefined.iter().any(|l| footnote_key(l) == key) {
            continue;
        }
        match shared.get(&label) {
            Some(reference) if !cited.contains(&key) => {
                cited.push(key);
                appended.push(reference.source.clone());
            }
            Some(_) => {}
            None => unknown.push((label.to_string(), lines.line_of(range.start))),
        }
    }
    let full = if appended.is_empty() { source } else { format!("{source}\n\n{}\n", appended.join("\n\n")) };
    LessonRendered { rendered: render_markdown(&full, first_line), shared: appended, unknown }
}

/// The labels written `[^label]` in `source` that no definition of the source defines, each once, as written
/// first.
fn undefined_labels(source: &str) -> Vec<String> {
    let defined: HashSet<String> = Parser::new_ext(source, markdown_options())
        .filter_map(|event| match event {
            Event::Start(Tag::FootnoteDefinition(label)) => Some(footnote_key(&label)),
            _ => None,
        })
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut labels = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("[^") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find(']') else { break };
        let label = &rest[..end];
        if label.is_empty() || label.contains(['[', '\n']) || label.len() > 200 {
            continue;
        }
        let key = footnote_key(label);
        if !defined.contains(&key) && seen.insert(key) {
            labels.push(label.to_string());
        }
    }
    labels
}

/// A table or code block wider than a phone scrolls sideways; keyboard users must be able to reach and scroll
/// it (axe: scrollable-region-focusable). Tables get a focusable wrapper that scrolls, so the table keeps its
/// table layout; code blocks are focusable themselves. A diagram (an SVG alone in its paragraph) gets the same
/// wrapper, so a phone shows it at its own size, its text readable, and scrolls it sideways instead of shrinking
/// it (#20; the stylesheet's `.figure`). Added after sanitising: fixed markup of our own.
fn scroll_regions(html: &str) -> String {
    let html = html
        .replace("<table>", "<div class=\"scroll\" tabindex=\"0\"><table>")
        .replace("</table>", "</table></div>")
        .replace("<pre>", "<pre tabindex=\"0\">");
    figures(&html)
}

/// Each `<p><img src="….svg" …></p>` (a paragraph holding one SVG image and nothing else) becomes a focusable
/// `div.scroll.figure` around the image.
fn figures(html: &str) -> String {
    const OPEN: &str = "<p><img src=\"";
    const CLOSE: &str = "></p>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let tag = &rest[at + 3..];
        let src_end = tag[10..].find('"').map(|i| i + 10);
        // The sanitiser escapes `<` and `>` inside attribute values, so the first `>` ends the tag.
        let tag_end = tag.find('>');
        match (src_end, tag_end) {
            (Some(src_end), Some(tag_end))
                if tag[10..src_end].to_ascii_lowercase().ends_with(".svg")
                    && tag[tag_end..].starts_with(CLOSE) =>
            {
                out.push_str("<div class=\"scroll figure\" tabindex=\"0\">");
                out.push_str(&tag[..=tag_end]);
                out.push_str("</div>");
                rest = &tag[tag_end + CLOSE.len()..];
            }
            _ => {
                out.push_str(OPEN);
                rest = &rest[at + OPEN.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Render a short piece of markdown (a quiz question, option or explanation) to sanitised HTML. A single
/// paragraph comes back without its `<p>`, so an option reads inline beside its radio button.
pub fn render_fragment(source: &str) -> String {
    let html = render_markdown(source, 1).html;
    let trimmed = html.trim();
    if let Some(inner) = trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>"))
        && !inner.contains("<p>")
    {
        return inner.to_owned();
    }
    trimmed.to_owned()
}

/// Sanitise HTML a trainer wrote directly (GIFT's `[html]` format) with the same rules as lessons.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(&nfc(html)).to_string()
}

/// The markdown dialect of lessons. Never `Options::all()`: every extension
/// changes how existing text renders.
pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Maps byte offsets in the source to line numbers in the file.
struct LineIndex {
    newlines: Vec<usize>,
    first_line: usize,
}

impl LineIndex {
    fn new(source: &str, first_line: usize) -> Self {
        let newlines = source.bytes().enumerate().filter_map(|(i, b)| (b == b'\n').then_some(i)).collect();
        Self { newlines, first_line }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.first_line + self.newlines.partition_point(|&nl| nl < offset)
    }
}

/// Element ids of one document, kept unique.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    /// Explicit `{#id}`s of the document: they win over generated ids, so a
    /// trainer's link to `#their-id` keeps working even if an earlier heading
    /// happens to slugify to the same text.
    explicit: HashSet<String>,
}

impl Ids {
    /// Reserve `base` if it is free, else the first free `base-2`, `base-3`, ...
    fn unique(&mut self, base: String, is_explicit: bool) -> String {
        let free =
            |ids: &Self, id: &str| !ids.used.contains(id) && (is_explicit || !ids.explicit.contains(id));
        let id = if free(self, &base) {
            base
        } else {
            (2..)
                .map(|n| format!("{base}-{n}"))
                .find(|id| !self.used.contains(id) && !self.explicit.contains(id))
                .expect("unbounded range")
        };
        self.used.insert(id.clone());
        id
    }
}

/// A heading whose text is still being collected.
struct OpenHeading {
    /// Index of its `Start` event in `Walker::out`.
    index: usize,
    explicit_id: Option<String>,
    text: String,
}

/// A footnote, identified by its case-folded label.
struct Footnote {
    /// `id` of the definition (`fn-...`).
    id: String,
    /// Number shown to the reader: order of first appearance.
    number: usize,
    /// `id` of the first reference (`fnref-...`), target of the back link.
    first_ref: Option<String>,
}

/// Rewrites the event stream (heading ids, footnotes) and collects the
/// by-products of rendering.
struct Walker<'a> {
    out: Vec<Event<'a>>,
    ids: Ids,
    heading: Option<OpenHeading>,
    footnotes: HashMap<String, Footnote>,
    /// Labels of footnotes that are referenced at least once.
    referenced: HashSet<String>,
    /// Labels of the footnote definitions currently open.
    open_footnotes: Vec<String>,
    /// Inside inline `<script>`/`<style>`: the closing tag that ends it. The
    /// sanitiser drops their content, so the plain text must too.
    hidden_until: Option<&'static str>,
    /// Where to insert a back link (index in `out`) for which footnote.
    backlinks: Vec<(usize, String)>,
    /// The top-level footnote definitions: their events `out[start..end]` and their number. They are moved to
    /// the end of the lesson in number order, as GitHub shows them, so shared footnotes appended after the
    /// lesson's own (`render_lesson`) read in order.
    definitions: Vec<(Range<usize>, usize)>,
    toc: Vec<TocEntry>,
    first_h1: Option<String>,
    links: Vec<LocalLink>,
    text: String,
}

impl<'a> Walker<'a> {
    fn new(events: &[(Event<'a>, Range<usize>)]) -> Self {
        let mut ids = Ids::default();
        let mut referenced = HashSet::new();
        for (event, _) in events {
            match event {
                Event::Start(Tag::Heading { id: Some(id), .. }) if !id.is_empty() => {
                    ids.explicit.insert(id.to_string());
                }
                Event::FootnoteReference(label) => {
                    referenced.insert(footnote_key(label));
                }
                _ => {}
            }
        }
        Self {
            out: Vec::with_capacity(events.len()),
            ids,
            heading: None,
            footnotes: HashMap::new(),
            referenced,
            open_footnotes: Vec::new(),
            hidden_until: None,
            backlinks: Vec::new(),
            definitions: Vec::new(),
            toc: Vec::new(),
            first_h1: None,
            links: Vec::new(),
            text: String::new(),
        }
    }

    fn event(&mut self, event: Event<'a>, range: Range<usize>, lines: &LineIndex) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.block_break();
                self.heading = Some(OpenHeading {
                    index: self.out.len(),
                    explicit_id: id.filter(|id| !id.is_empty()).map(|id| id.to_string()),
                    text: String::new(),
                });
                // Placeholder until the text (and so the id) is known. Classes
                // and custom attributes from `{...}` are dropped.
                self.out.push(heading_start(level, None));
            }
            Event::End(TagEnd::Heading(level)) => {
                self.close_heading(level);
                self.out.push(event);
                self.block_break();
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                if self.hidden_until.is_none() {
                    if let Some(heading) = &mut self.heading {
                        heading.text.push_str(t);
                    }
                    self.text.push_str(t);
                }
                self.out.push(event);
            }
            Event::InlineHtml(ref html) => {
                let tag = html.trim_start().to_ascii_lowercase();
                self.hidden_until = match self.hidden_until {
                    Some(end) if tag.starts_with(end) => None,
                    Some(end) => Some(end),
                    None if tag.starts_with("<script") => Some("</script"),
                    None if tag.starts_with("<style") => Some("</style"),
                    None => None,
                };
                self.out.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(heading) = &mut self.heading {
                    heading.text.push(' ');
                }
                self.text.push(if event == Event::SoftBreak { ' ' } else { '\n' });
                self.out.push(event);
            }
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. }) => {
                if let Some(target) = asset_target(dest_url) {
                    self.links.push(LocalLink { target, line: lines.line_of(range.start) });
                }
                self.out.push(event);
            }
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            // A checklist item shows a box, not a form control: a control with no label is what
            // screen readers and axe-core flag. Only a ticked box is read out (as a check mark).
            Event::TaskListMarker(checked) => {
                let html = if checked {
                    "<span class=\"task\" aria-hidden=\"true\">☑</span><span class=\"visually-hidden\">✓</span> "
                } else {
                    "<span class=\"task\" aria-hidden=\"true\">☐</span> "
                };
                self.out.push(Event::InlineHtml(html.into()));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.block_break();
                let start = self.out.len();
                let footnote = self.footnote(&label);
                let number = footnote.number;
                let html = format!(
                    "<div class=\"footnote-definition\" id=\"{}\">\
                     <sup class=\"footnote-definition-label\">{}</sup>\n",
                    footnote.id, footnote.number
                );
                if self.open_footnotes.is_empty() {
                    self.definitions.push((start..start, number));
                }
                self.open_footnotes.push(footnote_key(&label));
                self.out.push(Event::Html(html.into()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let open = self.open_footnotes.pop();
                if let Some(key) = open.filter(|key| self.referenced.contains(key)) {
                    // Inside the last paragraph, as GitHub does.
                    let at = match self.out.last() {
                        Some(Event::End(TagEnd::Paragraph)) => self.out.len() - 1,
                        _ => self.out.len(),
                    };
                    self.backlinks.push((at, key));
                }
                self.out.push(Event::Html("</div>\n".into()));
                if self.open_footnotes.is_empty()
                    && let Some((range, _)) = self.definitions.last_mut()
                {
                    range.end = self.out.len();
                }
                self.block_break();
            }
            Event::Start(ref tag) => {
                if is_block(tag) {
                    self.block_break();
                }
                self.out.push(event);
            }
            Event::End(tag) => {
                self.out.push(event);
                if is_block_end(tag) {
                    self.block_break();
                }
            }
            Event::Rule => {
                self.block_break();
                self.out.push(event);
            }
            _ => self.out.push(event),
        }
    }

    /// Give the heading opened last its id and record it in the toc.
    fn close_heading(&mut self, level: HeadingLevel) {
        let Some(heading) = self.heading.take() else {
            return;
        };
        let text = heading.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let id = match heading.explicit_id {
            Some(explicit) => self.ids.unique(explicit, true),
            None => self.ids.unique(slugify(&text), false),
        };
        self.out[heading.index] = heading_start(level, Some(id.clone()));
        match level {
            HeadingLevel::H1 if self.first_h1.is_none() && !text.is_empty() => {
                self.first_h1 = Some(text);
            }
            HeadingLevel::H2 | HeadingLevel::H3 => self.toc.push(TocEntry { level: level as u8, id, text }),
            _ => {}
        }
    }

    /// The footnote with this label, created on first appearance.
    fn footnote(&mut self, label: &str) -> &mut Footnote {
        let number = self.footnotes.len() + 1;
        let ids = &mut self.ids;
        self.footnotes.entry(footnote_key(label)).or_insert_with(|| Footnote {
            id: ids.unique(format!("fn-{}", slugify(label)), false),
            number,
            first_ref: None,
        })
    }

    /// pulldown-cmark's own rendering of a reference has no `id`, so there
    /// would be no way back from the footnote: render it here.
    fn footnote_reference(&mut self, label: &str) {
        let ref_id = self.ids.unique(format!("fnref-{}", slugify(label)), false);
        let footnote = self.footnote(label);
        let html = format!(
            "<sup class=\"footnote-reference\" id=\"{ref_id}\"><a href=\"#{}\">{}</a></sup>",
            footnote.id, footnote.number
        );
        footnote.first_ref.get_or_insert(ref_id);
        self.out.push(Event::InlineHtml(html.into()));
    }

    /// Insert the footnotes' back links, now that every reference is known, and move the definitions to the
    /// end in number order.
    fn finish(mut self) -> Self {
        if self.backlinks.is_empty() && self.definitions.is_empty() {
            return self;
        }
        let events = std::mem::take(&mut self.out);
        let backlinks = std::mem::take(&mut self.backlinks);
        let definitions = std::mem::take(&mut self.definitions);
        let mut main = Vec::with_capacity(events.len() + backlinks.len());
        let mut notes: Vec<(usize, Vec<Event<'a>>)> =
            definitions.iter().map(|(_, n)| (*n, Vec::new())).collect();
        // `backlinks` and `definitions` are sorted by position: merge in one pass.
        let mut backlinks = backlinks.into_iter().peekable();
        let mut current = 0;
        for (index, event) in events.into_iter().map(Some).chain([None]).enumerate() {
            while definitions.get(current).is_some_and(|(range, _)| index >= range.end) {
                current += 1;
            }
            let target = match definitions.get(current) {
                Some((range, _)) if range.contains(&index) => &mut notes[current].1,
                _ => &mut main,
            };
            while let Some((_, key)) = backlinks.next_if(|(at, _)| *at == index) {
                if let Some(ref_id) = self.footnotes.get(&key).and_then(|f| f.first_ref.as_ref()) {
                    let html = format!(
                        " <a href=\"#{ref_id}\" class=\"footnote-backref\" \
                         title=\"Quay lại chỗ tham chiếu\">↩</a>"
                    );
                    target.push(Event::InlineHtml(html.into()));
                }
            }
            target.extend(event);
        }
        notes.sort_by_key(|(number, _)| *number);
        main.extend(notes.into_iter().flat_map(|(_, events)| events));
        self.out = main;
        self
    }

    /// End the current line of the plain text, if it has one.
    fn block_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }
}

fn heading_start<'a>(level: HeadingLevel, id: Option<String>) -> Event<'a> {
    Event::Start(Tag::Heading { level, id: id.map(CowStr::from), classes: Vec::new(), attrs: Vec::new() })
}

/// Footnote labels match case-insensitively, as link reference labels do.
pub(crate) fn footnote_key(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn is_block(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// The path under `assets/` a link destination points to, if it does.
fn asset_target(dest: &str) -> Option<String> {
    let rest = dest.strip_prefix("./").unwrap_or(dest);
    let rest = rest.strip_prefix("assets/")?;
    let path = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let target = nfc(&percent_decode(path));
    (!target.is_empty()).then_some(target)
}

/// Decode `%XX` escapes (a link may spell an asset's file name that way); on invalid UTF-8 the input is returned
/// unchanged.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8().map_or_else(|_| s.to_owned(), Cow::into_owned)
}

/// pulldown-cmark aligns table cells with `style`, which the sanitiser
/// removes; use classes instead (`align-left`, `align-center`, `align-right`).
fn alignment_to_classes(html: &str) -> Cow<'_, str> {
    const STYLE: &str = " style=\"text-align: ";
    if !html.contains(STYLE) {
        return Cow::Borrowed(html);
    }
    let mut html = html.to_owned();
    for align in ["left", "center", "right"] {
        html = html.replace(&format!("{STYLE}{align}\">"), &format!(" class=\"align-{align}\">"));
    }
    Cow::Owned(html)
}

/// The sanitiser: ammonia's defaults (which already drop `script`, `style`,
/// `iframe`, `on*` and `style` attributes and keep tables), narrowed to the
/// URL schemes a lesson needs and widened to what our markdown emits.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        // Task list checkboxes are for reading, never for input.
        .set_tag_attribute_value("input", "disabled", "")
        .set_tag_attribute_value("img", "loading", "lazy")
        .add_tag_attributes("div", ["id", "class"])
        .add_tag_attributes("sup", ["id", "class"])
        .add_tag_attributes("a", ["class"])
        .add_tag_attributes("span", ["class", "aria-hidden"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("th", ["class"])
        .add_tag_attributes("td", ["class"])
        .attribute_filter(filter_attribute);
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        builder.add_tag_attributes(heading, ["id"]);
    }
    builder
});

/// Only the classes our rendering emits, and only checkboxes.
fn filter_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    let allowed = match (element, attribute) {
        ("code", "class") => value
            .strip_prefix("language-")
            .is_some_and(|lang| !lang.is_empty() && !lang.contains(char::is_whitespace)),
        ("sup", "class") => matches!(value, "footnote-reference" | "footnote-definition-label"),
        ("div", "class") => value == "footnote-definition",
        ("a", "class") => value == "footnote-backref",
        ("span", "class") => matches!(value, "task" | "visually-hidden"),
        ("span", "aria-hidden") => value == "true",
        ("th" | "td", "class") => matches!(value, "align-left" | "align-center" | "align-right"),
        (_, "class") => false,
        ("input", "type") => value == "checkbox",
        _ => true,
    };
    allowed.then_some(Cow::Borrowed(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn render(source: &str) -> Rendered {
        render_markdown(source, 1)
    }

    fn toc(entries: &[(u8, &str, &str)]) -> Vec<TocEntry> {
        entries
            .iter()
            .map(|&(level, id, text)| TocEntry { level, id: id.to_owned(), text: text.to_owned() })
            .collect()
    }

    fn link(target: &str, line: usize) -> LocalLink {
        LocalLink { target: target.to_owned(), line }
    }

    #[test]
    fn options_are_the_lesson_dialect() {
        let options = markdown_options();
        assert!(options.contains(Options::ENABLE_FOOTNOTES));
        assert!(!options.contains(Options::ENABLE_OLD_FOOTNOTES));
        assert_ne!(options, Options::all());
        for option in [
            Options::ENABLE_TABLES,
            Options::ENABLE_STRIKETHROUGH,
            Options::ENABLE_TASKLISTS,
            Options::ENABLE_HEADING_ATTRIBUTES,
        ] {
            assert!(options.contains(option));
        }
        for option in [
            Options::ENABLE_SMART_PUNCTUATION,
            Options::ENABLE_YAML_STYLE_METADATA_BLOCKS,
            Options::ENABLE_MATH,
            Options::ENABLE_GFM,
            Options::ENABLE_WIKILINKS,
        ] {
            assert!(!options.contains(option));
        }
    }

    #[test]
    fn headings_get_ids() {
        let r = render(
            "# Bài 1: Mật khẩu mạnh\n\
             ## Tổng quan\n\
             ## Tổng quan\n\
             ### Tổng quan\n\
             ## Tuỳ chọn {#tuy-chon-rieng .hidden onclick=alert(1)}\n\
             #### `sudo` và quyền\n\
             ##### !!!\n",
        );
        assert_eq!(
            r.html,
            "<h1 id=\"bai-1-mat-khau-manh\">Bài 1: Mật khẩu mạnh</h1>\n\
             <h2 id=\"tong-quan\">Tổng quan</h2>\n\
             <h2 id=\"tong-quan-2\">Tổng quan</h2>\n\
             <h3 id=\"tong-quan-3\">Tổng quan</h3>\n\
             <h2 id=\"tuy-chon-rieng\">Tuỳ chọn</h2>\n\
             <h4 id=\"sudo-va-quyen\"><code>sudo</code> và quyền</h4>\n\
             <h5 id=\"muc\">!!!</h5>\n"
        );
    }

    #[test]
    fn explicit_ids_win_over_generated_ones() {
        let r = render("## Ghi chú\n\n## Khác {#ghi-chu}\n\n## Lặp lại {#ghi-chu}\n");
        assert_eq!(
            r.toc,
            toc(&[(2, "ghi-chu-2", "Ghi chú"), (2, "ghi-chu", "Khác"), (2, "ghi-chu-3", "Lặp lại"),])
        );
    }

    #[test]
    fn toc_and_first_h1() {
        let r = render(
            "Lời mở đầu.\n\n\
             #\n\n\
             # Tiêu đề *chính*\n\n\
             ## Phần   một\n\n\
             ### Chi tiết\n\n\
             #### Quá sâu\n\n\
             # Tiêu đề thứ hai\n\n\
             Phần hai\n\
             --------\n",
        );
        assert_eq!(r.first_h1.as_deref(), Some("Tiêu đề chính"));
        assert_eq!(
            r.toc,
            toc(&[(2, "phan-mot", "Phần một"), (3, "chi-tiet", "Chi tiết"), (2, "phan-hai", "Phần hai"),])
        );
        assert_eq!(render("## Chỉ có h2\n").first_h1, None);
    }

    #[test]
    fn footnotes_render_and_link_both_ways() {
        let r = render(
            "Mật khẩu[^1] và mã OTP[^Otp], lại mật khẩu[^1].\n\n\
             [^1]: Ít nhất 12 ký tự.\n\
             [^otp]: Mã dùng **một lần**.\n\
             [^thua]: Không ai nhắc tới.\n",
        );
        insta::assert_snapshot!("footnotes", r.html);
        // The label matches case-insensitively; pulldown-cmark's own writer
        // would link `#Otp` to `id="otp"`.
        assert!(r.html.contains(r##"<a href="#fn-otp" rel="noopener noreferrer">2</a>"##));
        assert!(r.html.contains(r#"<div class="footnote-definition" id="fn-otp">"#));
        assert!(r.html.contains(r#"id="fnref-1-2""#));
        assert!(r.html.contains(r##"<a href="#fnref-1" class="footnote-backref""##));
        // Unreferenced: rendered, numbered, but no back link.
        assert!(r.html.contains(
            "<div class=\"footnote-definition\" id=\"fn-thua\">\
             <sup class=\"footnote-definition-label\">3</sup>\n<p>Không ai nhắc tới.</p>\n</div>"
        ));
        assert_eq!(
            r.text,
            "Mật khẩu và mã OTP, lại mật khẩu.\nÍt nhất 12 ký tự.\nMã dùng một lần.\nKhông ai nhắc tới."
        );
    }

    #[test]
    fn footnote_ids_do_not_collide_with_headings() {
        let r = render("## fn 1\n\nXem[^1].\n\n[^1]: Chú thích.\n\n## fnref 1\n");
        assert_eq!(r.toc, toc(&[(2, "fn-1", "fn 1"), (2, "fnref-1-2", "fnref 1")]));
        assert!(r.html.contains(r##"id="fnref-1"><a href="#fn-1-2""##));
        assert!(r.html.contains(r#"<div class="footnote-definition" id="fn-1-2">"#));
    }

    #[test]
    fn footnote_defined_before_its_reference() {
        let r = render("[^a]:\n    - một\n    - hai\n\nXem[^a].\n");
        assert_eq!(
            r.html,
            "<p>Xem<sup class=\"footnote-reference\" id=\"fnref-a\">\
             <a href=\"#fn-a\" rel=\"noopener noreferrer\">1</a></sup>.</p>\n\
             <div class=\"footnote-definition\" id=\"fn-a\"><sup class=\"footnote-definition-label\">1</sup>\n\
             <ul>\n<li>một</li>\n<li>hai</li>\n</ul>\n \
             <a href=\"#fnref-a\" class=\"footnote-backref\" title=\"Quay lại chỗ tham chiếu\" \
             rel=\"noopener noreferrer\">↩</a></div>\n"
        );
    }

    fn shared(source: &str) -> References {
        let (references, problems) = super::super::references::parse(std::path::Path::new("r.md"), source);
        assert!(problems.is_empty(), "{problems:?}");
        references
    }

    #[test]
    fn shared_footnotes_render_like_local_ones_in_number_order() {
        let references = shared(
            "[^nd-45]: Nghị định số 45/2020/NĐ-CP, [văn bản](https://vanban.chinhphu.vn/).\n\
             [^khong-dung]: Không bài nào trích.\n",
        );
        let lesson = render_lesson(
            "Hồ sơ[^ND-45] và nhắc lại[^nd-45], rồi[^rieng].\n\n[^rieng]: Của bài.\n",
            3,
            &references,
        );
        assert_eq!(lesson.unknown, Vec::<(String, usize)>::new());
        assert_eq!(
            lesson.shared,
            ["[^nd-45]: Nghị định số 45/2020/NĐ-CP, [văn bản](https://vanban.chinhphu.vn/)."]
        );
        // The same as if the lesson had defined it itself, in the same place of the list.
        let local = render_markdown(
            "Hồ sơ[^ND-45] và nhắc lại[^nd-45], rồi[^rieng].\n\n[^rieng]: Của bài.\n\n\
             [^nd-45]: Nghị định số 45/2020/NĐ-CP, [văn bản](https://vanban.chinhphu.vn/).\n",
            3,
        );
        assert_eq!(lesson.rendered, local);
        let html = &lesson.rendered.html;
        let first = html.find("id=\"fn-nd-45\"").unwrap();
        let second = html.find("id=\"fn-rieng\"").unwrap();
        assert!(first < second, "footnote 1 is listed before footnote 2: {html}");
        assert!(
            html.contains("<a href=\"https://vanban.chinhphu.vn/\" rel=\"noopener noreferrer\">văn bản</a>")
        );
        assert!(html.contains("<a href=\"#fnref-nd-45\" class=\"footnote-backref\""));
        assert!(!html.contains("Không bài nào trích"));
    }

    /// An official address in `references.md` (#20) carries a query (`?pageid=...&docid=...`): it renders as a
    /// link with its `&` escaped, and a script address a trainer pastes by mistake renders as no link at all.
    #[test]
    fn shared_footnote_addresses_render_as_safe_links() {
        let references = shared(
            "[^nd]: Nghị định, [toàn văn](https://vanban.chinhphu.vn/?pageid=27160&docid=1).\n\
             [^xau]: Văn bản, [toàn văn](javascript:alert(1)).\n",
        );
        let lesson = render_lesson("Một[^nd], hai[^xau].\n", 1, &references);
        let html = &lesson.rendered.html;
        assert!(
            html.contains(
                "<a href=\"https://vanban.chinhphu.vn/?pageid=27160&amp;docid=1\" rel=\"noopener noreferrer\">\
                 toàn văn</a>"
            ),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("Văn bản, "), "the text stays: {html}");
    }

    #[test]
    fn a_local_definition_wins_over_the_shared_one() {
        let references = shared("[^luat]: Bản dùng chung.\n");
        let lesson = render_lesson("Xem[^luat].\n\n[^LUAT]: Bản của bài, Điều 2.\n", 1, &references);
        assert!(lesson.shared.is_empty());
        assert!(lesson.rendered.html.contains("Bản của bài, Điều 2."));
        assert!(!lesson.rendered.html.contains("Bản dùng chung"));
    }

    #[test]
    fn an_unknown_label_is_reported_at_each_line_and_code_is_not_a_reference() {
        let references = shared("[^co]: Có.\n");
        let lesson = render_lesson(
            "Một[^khong].\n\n`[^ma]` và\n\n```\n[^khoi]\n```\n\nHai[^co], ba[^khong].\n",
            5,
            &references,
        );
        assert_eq!(lesson.unknown, [("khong".to_string(), 5), ("khong".to_string(), 13)]);
        assert!(lesson.rendered.html.contains("Một[^khong]."));
        assert!(lesson.rendered.html.contains("<code>[^ma]</code>"));
        assert_eq!(lesson.shared, ["[^co]: Có."]);
    }

    #[test]
    fn footnote_definitions_are_listed_at_the_end_by_number() {
        let r = render("[^b]: Bê.\n\nXem[^a] và[^b].\n\n[^a]: A.\n\n## Sau\n");
        let (a, b, after) = (
            r.html.find("id=\"fn-a\"").unwrap(),
            r.html.find("id=\"fn-b\"").unwrap(),
            r.html.find("<h2").unwrap(),
        );
        assert!(after < b && b < a, "{}", r.html);
    }

    #[test]
    fn undefined_footnotes_stay_text() {
        let r = render("Xem[^khong-co].\n");
        assert_eq!(r.html, "<p>Xem[^khong-co].</p>\n");
    }

    #[test]
    fn tables() {
        let r = render(
            "| Mối đe doạ | Mức độ | Điểm |\n\
             |:-----------|:------:|-----:|\n\
             | Lừa đảo    | Cao    | 9    |\n\
             | Mã độc     | Vừa    | 5    |\n",
        );
        insta::assert_snapshot!("table", r.html);
        assert!(!r.html.contains("style"));
        assert_eq!(r.text, "Mối đe doạ\nMức độ\nĐiểm\nLừa đảo\nCao\n9\nMã độc\nVừa\n5");
    }

    #[test]
    fn strikethrough() {
        assert_eq!(
            render("Đừng ~~bấm vào liên kết~~ lạ.").html,
            "<p>Đừng <del>bấm vào liên kết</del> lạ.</p>\n"
        );
    }

    #[test]
    fn task_lists_render_boxes_not_form_controls() {
        let r = render("- [x] Bật xác thực hai lớp\n- [ ] Đổi mật khẩu\n");
        assert_eq!(
            r.html,
            "<ul>\n\
             <li><span class=\"task\" aria-hidden=\"true\">☑</span><span class=\"visually-hidden\">✓</span> \
             Bật xác thực hai lớp</li>\n\
             <li><span class=\"task\" aria-hidden=\"true\">☐</span> Đổi mật khẩu</li>\n\
             </ul>\n"
        );
        assert_eq!(r.text, "Bật xác thực hai lớp\nĐổi mật khẩu");
        assert_eq!(
            render(r#"<span class="x" aria-hidden="false" onclick="y">z</span>"#).html,
            "<p><span>z</span></p>\n"
        );
        // Raw HTML inputs are also forced to read-only checkboxes.
        assert_eq!(
            render(r#"<input type="text" name="pw" value="x" onfocus="alert(1)">"#).html,
            "<input disabled=\"\">"
        );
    }

    #[test]
    fn code_blocks_keep_their_language_class_only() {
        let r = render("```bash\nrm -rf /\n```\n\n`inline`\n\n<code class=\"x language-js\">a</code>");
        assert_eq!(
            r.html,
            "<pre tabindex=\"0\"><code class=\"language-bash\">rm -rf /\n</code></pre>\n\
             <p><code>inline</code></p>\n\
             <p><code>a</code></p>\n"
        );
        assert_eq!(r.text, "rm -rf /\ninline\na");
    }

    #[test]
    fn sanitisation_removes_active_content() {
        let attacks = [
            "<script>alert(1)</script>",
            "Chữ <script>alert(1)</script> giữa dòng.",
            "<img src=x onerror=alert(1)>",
            "[bấm](javascript:alert(1))",
            "[bấm](JAVASCRIPT:alert(1))",
            "<a href=\"JaVaScRiPt:alert(1)\">bấm</a>",
            "<a href=\"java&#x09;script:alert(1)\">bấm</a>",
            "![ảnh](javascript:alert(1))",
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<style>body { display: none }</style>",
            "<p style=\"position: fixed\" onclick=\"alert(1)\">chữ</p>",
            "<svg onload=alert(1)><circle/></svg>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<form action=\"https://evil.example/\"><button>Gửi</button></form>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">bấm</a>",
            "<!-- <script>alert(1)</script> -->",
        ];
        for attack in attacks {
            let html = render(attack).html.to_lowercase();
            for needle in [
                "<script",
                "alert",
                "javascript",
                "<iframe",
                "<style",
                "style=",
                " on",
                "<svg",
                "<object",
                "<embed",
                "<form",
                "<button",
                "data:",
                "<!--",
            ] {
                assert!(!html.contains(needle), "{needle:?} survived in {html:?} (from {attack:?})");
            }
        }
        assert_eq!(render("<img src=x onerror=alert(1)>").html, "<img src=\"x\" loading=\"lazy\">");
        assert_eq!(
            render("[bấm](javascript:alert(1))").html,
            "<p><a rel=\"noopener noreferrer\">bấm</a></p>\n"
        );
    }

    #[test]
    fn allowed_urls_survive_with_rel() {
        let r = render(
            "[web](https://example.vn/a?b=1) [thư](mailto:hotro@example.vn) \
             [gọi](tel:+84123) [mục](#muc) [tương đối](bai-2.md) [ftp](ftp://example.vn/)",
        );
        assert_eq!(
            r.html,
            "<p><a href=\"https://example.vn/a?b=1\" rel=\"noopener noreferrer\">web</a> \
             <a href=\"mailto:hotro@example.vn\" rel=\"noopener noreferrer\">thư</a> \
             <a href=\"tel:+84123\" rel=\"noopener noreferrer\">gọi</a> \
             <a href=\"#muc\" rel=\"noopener noreferrer\">mục</a> \
             <a href=\"bai-2.md\" rel=\"noopener noreferrer\">tương đối</a> \
             <a rel=\"noopener noreferrer\">ftp</a></p>\n"
        );
    }

    #[test]
    fn a_diagram_alone_in_its_paragraph_scrolls_at_its_own_size() {
        assert_eq!(
            render("![Lộ trình > 2026](assets/lo-trinh.SVG)\n\nChữ ![nhỏ](assets/a.svg)\n\n![Ảnh](assets/a.png)\n").html,
            "<div class=\"scroll figure\" tabindex=\"0\"><img src=\"assets/lo-trinh.SVG\" alt=\"Lộ trình &gt; 2026\" \
             loading=\"lazy\"></div>\n\
             <p>Chữ <img src=\"assets/a.svg\" alt=\"nhỏ\" loading=\"lazy\"></p>\n\
             <p><img src=\"assets/a.png\" alt=\"Ảnh\" loading=\"lazy\"></p>\n"
        );
    }

    #[test]
    fn images_are_lazy() {
        assert_eq!(
            render("![Sơ đồ](assets/so-do.png \"Hình 1\")").html,
            "<p><img src=\"assets/so-do.png\" alt=\"Sơ đồ\" title=\"Hình 1\" loading=\"lazy\"></p>\n"
        );
    }

    #[test]
    fn asset_links_with_lines() {
        let source = "Xem [sơ đồ](assets/so-do.svg).\n\
                      \n\
                      ![Ảnh](./assets/anh%20chup%20m%C3%A0n%20h%C3%ACnh.png?v=2#top)\n\
                      [web](https://example.vn/assets/x.png) [mục](#assets) \
                      [thư](mailto:assets@example.vn) [gốc](/assets/x.png) \
                      [khác](bai-2.md) [thư mục](assets/)\n\
                      \n\
                      - [Tài liệu][tl]\n\
                      \n\
                      [tl]: assets/tai-lieu.pdf\n\
                      \n\
                      ```\n[không phải liên kết](assets/x.png)\n```\n\
                      <a href=\"assets/html.pdf\">raw</a>\n";
        let r = render_markdown(source, 7);
        assert_eq!(
            r.links,
            vec![link("so-do.svg", 7), link("anh chup màn hình.png", 9), link("tai-lieu.pdf", 12),]
        );
        assert_eq!(render_markdown(source, 1).links[1].line, 3);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C6%A1"), "ơ");
        assert_eq!(percent_decode("bad%FF"), "bad%FF");
    }

    #[test]
    fn nfd_input_gives_nfc_output_and_the_same_slug() {
        let composed = "# Đăng nhập\n\n## Xác thực hai bước\n\nMật khẩu [^ghi-chú].\n\n\
                        [^ghi-chú]: Không chia sẻ.\n\n![Hình](assets/sơ-đồ.png)\n";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        let from_nfc = render(composed);
        let from_nfd = render(&decomposed);
        assert_eq!(from_nfd, from_nfc);
        assert_eq!(from_nfd.toc, toc(&[(2, "xac-thuc-hai-buoc", "Xác thực hai bước")]));
        assert_eq!(from_nfd.first_h1.as_deref(), Some("Đăng nhập"));
        assert!(from_nfd.html.contains(r#"<h1 id="dang-nhap">Đăng nhập</h1>"#));
        assert!(from_nfd.html.contains(r#"id="fn-ghi-chu""#));
        assert_eq!(from_nfd.links, vec![link("sơ-đồ.png", 9)]);
    }

    #[test]
    fn plain_text_has_one_block_per_line() {
        let r = render(
            "# Tiêu đề\n\n\
             Đoạn *một*\ntiếp tục.  \nDòng mới.\n\n\
             > Trích dẫn\n\n\
             - Mục A\n  - Mục con\n- Mục `B`\n\n\
             ---\n\n\
             <div>HTML <b>thô</b></div>\n\n\
             Chữ <span>trong</span> dòng <script>alert(1)</script><STYLE>p{}</STYLE>.\n",
        );
        assert_eq!(
            r.text,
            "Tiêu đề\nĐoạn một tiếp tục.\nDòng mới.\nTrích dẫn\nMục A\nMục con\nMục B\nChữ trong dòng ."
        );
    }

    #[test]
    fn empty_source() {
        assert_eq!(
            render(""),
            Rendered {
                html: String::new(),
                toc: Vec::new(),
                first_h1: None,
                links: Vec::new(),
                text: String::new(),
            }
        );
    }

    #[test]
    fn lesson_snapshot() {
        let source = "# Bài 3: Nhận diện lừa đảo qua mạng\n\
            \n\
            Kẻ gian thường giả danh **ngân hàng** hoặc *cơ quan nhà nước*[^1].\n\
            \n\
            ## Dấu hiệu nhận biết\n\
            \n\
            1. Yêu cầu cung cấp mã OTP\n\
            2. Đường dẫn lạ: `http://vietcombank-xacminh.top`\n\
            \n\
            ### Ví dụ tin nhắn\n\
            \n\
            > [CANH BAO] Tai khoan cua quy khach da bi khoa. Truy cap ngay...\n\
            \n\
            ![Ảnh chụp tin nhắn](assets/tin-nhan.png)\n\
            \n\
            ## Việc cần làm {#viec-can-lam}\n\
            \n\
            - [x] Gọi tổng đài chính thức\n\
            - [ ] Báo cho ~~người lạ~~ công an\n\
            \n\
            | Kênh | Số |\n\
            |------|---:|\n\
            | Tổng đài | 156 |\n\
            \n\
            ```text\n\
            Không bao giờ đọc mã OTP cho người khác.\n\
            ```\n\
            \n\
            <script>alert('xss')</script>\n\
            \n\
            [^1]: Theo [Cục An toàn thông tin](https://ais.gov.vn).\n";
        let r = render_markdown(source, 5);
        insta::assert_snapshot!("lesson", r.html);
        insta::assert_debug_snapshot!("lesson_rendered", (&r.toc, &r.first_h1, &r.links, &r.text));
    }
}

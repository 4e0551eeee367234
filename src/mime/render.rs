//! Rendering a message into terminal-safe text.

use chrono::{DateTime, FixedOffset, Local, TimeZone};
use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderValue, Message, MessageParser};

use super::parse::{Address, addresses};
use super::sanitize;
use super::structure::{Item, walk};

/// An attachment as listed under a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// A message ready to draw. Every string here is already sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The short header block: From, To, Cc, Date, Subject (those present).
    pub headers: Vec<(String, String)>,
    /// Every header in order, for the "full headers" toggle.
    pub all_headers: Vec<(String, String)>,
    /// Body lines, wrapped for HTML at the requested width, plain text as sent.
    pub body: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// How to render: the column budget and the time zone dates are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Column budget for HTML-to-text.
    pub width: usize,
    /// Offset east of UTC in seconds for the Date line; `None` = the machine's
    /// local zone. Tests pass `Some(0)` so snapshots do not depend on `TZ`.
    pub tz_offset: Option<i32>,
}

/// html2text cannot lay out narrower than this; narrower requests are widened.
const MIN_HTML_WIDTH: usize = 20;

/// Render a raw message. `width` is the column budget for HTML-to-text.
/// Dates are shown in the local time zone.
pub fn render(raw: &[u8], width: usize) -> Rendered {
    render_with(
        raw,
        &RenderOptions {
            width,
            tz_offset: None,
        },
    )
}

/// Render a raw message with explicit options. Never fails: whatever cannot
/// be decoded is skipped or noted in the body.
pub fn render_with(raw: &[u8], options: &RenderOptions) -> Rendered {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Rendered {
            body: vec!["(this message could not be parsed: no headers found)".to_owned()],
            ..Rendered::default()
        };
    };
    let mut rendered = Rendered {
        headers: short_headers(&message, options),
        all_headers: all_headers(&message),
        ..Rendered::default()
    };
    let mut saw_text = false;
    for item in walk(&message) {
        match item {
            Item::Plain(text) => {
                saw_text = true;
                rendered.body.extend(sanitize::text(text));
            }
            Item::Html(html) => {
                saw_text = true;
                rendered.body.extend(html_to_lines(html, options.width));
            }
            Item::Note(note) => rendered.body.push(sanitize::line(&note).into_owned()),
            Item::Attachment(mut attachment) => {
                attachment.name = sanitize::line(&attachment.name).into_owned();
                attachment.mime_type = sanitize::line(&attachment.mime_type).into_owned();
                rendered.attachments.push(attachment);
            }
            Item::ForwardStart(nested) => {
                saw_text = true;
                push_blank(&mut rendered.body);
                rendered
                    .body
                    .push("---------- Forwarded message ----------".to_owned());
                for (name, value) in short_headers(nested, options) {
                    rendered.body.push(format!("{name}: {value}"));
                }
                rendered.body.push(String::new());
            }
            Item::ForwardEnd => {
                push_blank(&mut rendered.body);
                rendered
                    .body
                    .push("---------- End of forwarded message ----------".to_owned());
            }
        }
    }
    if !saw_text {
        rendered.body.push(no_text_note(rendered.attachments.len()));
    }
    rendered
}

fn push_blank(body: &mut Vec<String>) {
    if body.last().is_some_and(|l| !l.is_empty()) {
        body.push(String::new());
    }
}

fn no_text_note(attachments: usize) -> String {
    match attachments {
        0 => "(no text part)".to_owned(),
        1 => "(no text part; 1 attachment)".to_owned(),
        n => format!("(no text part; {n} attachments)"),
    }
}

/// From, To, Cc, Date, Subject, those present, decoded and sanitized.
fn short_headers(message: &Message<'_>, options: &RenderOptions) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for (label, list) in [
        ("From", addresses(message.from())),
        ("To", addresses(message.to())),
        ("Cc", addresses(message.cc())),
    ] {
        if !list.is_empty() {
            let joined = list
                .iter()
                .map(Address::display)
                .collect::<Vec<_>>()
                .join(", ");
            headers.push((label.to_owned(), sanitize::line(&joined).into_owned()));
        }
    }
    if let Some(date) = date_line(message, options.tz_offset) {
        headers.push(("Date".to_owned(), date));
    }
    if let Some(subject) = message.subject() {
        headers.push((
            "Subject".to_owned(),
            sanitize::line(subject.trim()).into_owned(),
        ));
    }
    headers
}

/// The Date header as "Sat, 21 Nov 2026 14:03" in the requested zone; the raw
/// header text when it does not parse.
fn date_line(message: &Message<'_>, tz_offset: Option<i32>) -> Option<String> {
    if let Some(date) = message.date().filter(|d| d.is_valid()) {
        let seconds = date.to_timestamp();
        let formatted = match tz_offset {
            Some(offset) => FixedOffset::east_opt(offset)
                .and_then(|zone| zone.timestamp_opt(seconds, 0).single())
                .map(format_date),
            None => Local.timestamp_opt(seconds, 0).single().map(format_date),
        };
        if formatted.is_some() {
            return formatted;
        }
    }
    let raw = message.header_raw("Date")?;
    let cleaned = sanitize::line(raw.trim()).into_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

fn format_date<Tz: TimeZone>(date: DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    date.format("%a, %d %b %Y %H:%M").to_string()
}

/// Every header in order, RFC 2047 decoded, unfolded and sanitized.
fn all_headers(message: &Message<'_>) -> Vec<(String, String)> {
    let raw = message.raw_message();
    message
        .headers()
        .iter()
        .map(|header| {
            let start = header.offset_start as usize;
            let end = (header.offset_end as usize).min(raw.len());
            let value = raw
                .get(start..end)
                .map(decode_unstructured)
                .unwrap_or_default();
            (
                sanitize::line(header.name()).into_owned(),
                sanitize::line(value.trim()).into_owned(),
            )
        })
        .collect()
}

/// Decode encoded words and unfold one raw header value.
fn decode_unstructured(raw_value: &[u8]) -> String {
    match MessageStream::new(raw_value).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        HeaderValue::TextList(list) => list.join(" "),
        _ => String::from_utf8_lossy(raw_value).into_owned(),
    }
}

/// HTML to wrapped text, links as numbered footnotes. If the converter gives
/// up, fall back to the markup with tags dropped rather than show nothing.
fn html_to_lines(html: &str, width: usize) -> Vec<String> {
    let width = width.max(MIN_HTML_WIDTH);
    let converted = html2text::config::plain()
        .link_footnotes(true)
        .string_from_read(html.as_bytes(), width)
        .or_else(|_| {
            html2text::config::plain()
                .allow_width_overflow()
                .string_from_read(html.as_bytes(), width)
        });
    match converted {
        Ok(text) => sanitize::text(&text)
            .into_iter()
            .map(|l| l.trim_end().to_owned())
            .collect(),
        Err(_) => {
            let mut lines =
                vec!["[this HTML part could not be converted; tags stripped]".to_owned()];
            lines.extend(sanitize::text(&strip_tags(html)));
            lines
        }
    }
}

/// Crude last resort: drop everything between `<` and `>`.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

//! Walking the MIME tree: which parts are the readable body, which are
//! attachments, where forwarded messages start and end.
//!
//! Both the envelope (`has_attachments`) and the renderer use this walk, so
//! the list and the reader always agree on what counts as an attachment.

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::render::Attachment;

/// Multipart nesting deeper than this is not followed (hostile input).
const MAX_DEPTH: usize = 32;

/// One step of the walk, in reading order.
pub(crate) enum Item<'m> {
    /// A text/plain (or other inline text) body part.
    Plain(&'m str),
    /// A text/html body part, still HTML.
    Html(&'m str),
    /// Something the reader should know about the part that follows.
    Note(String),
    Attachment(Attachment),
    /// A message/rfc822 part: its header block, then its own items.
    ForwardStart(&'m Message<'m>),
    ForwardEnd,
}

/// Walk a parsed message into items.
pub(crate) fn walk<'m>(message: &'m Message<'m>) -> Vec<Item<'m>> {
    let mut items = Vec::new();
    walk_part(message, 0, 0, &mut items);
    items
}

/// Every attachment of a message, nested ones included.
pub(crate) fn collect_attachments(message: &Message<'_>) -> Vec<Attachment> {
    walk(message)
        .into_iter()
        .filter_map(|item| match item {
            Item::Attachment(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn walk_part<'m>(message: &'m Message<'m>, id: u32, depth: usize, out: &mut Vec<Item<'m>>) {
    if depth > MAX_DEPTH {
        out.push(Item::Note("[parts nested too deeply were skipped]".into()));
        return;
    }
    let Some(part) = message.parts.get(id as usize) else {
        return;
    };
    if part.is_encoding_problem {
        out.push(Item::Note(
            "[a part of this message is malformed; shown as well as it could be decoded]".into(),
        ));
    }
    match &part.body {
        PartType::Multipart(children) => walk_multipart(message, part, children, depth, out),
        PartType::Text(text) => {
            if is_attachment(part) || !is_readable_text(part) {
                out.push(Item::Attachment(attachment(part, text.len())));
            } else {
                if let Some(note) = charset_note(part) {
                    out.push(Item::Note(note));
                }
                out.push(Item::Plain(text));
            }
        }
        PartType::Html(html) => {
            if is_attachment(part) {
                out.push(Item::Attachment(attachment(part, html.len())));
            } else {
                if let Some(note) = charset_note(part) {
                    out.push(Item::Note(note));
                }
                out.push(Item::Html(html));
            }
        }
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
            out.push(Item::Attachment(attachment(part, bytes.len())));
        }
        PartType::Message(nested) => {
            let mut listed = attachment(part, nested.raw_message().len());
            if part.attachment_name().is_none() {
                let subject = nested.subject().unwrap_or("forwarded message").trim();
                listed.name = format!("{subject}.eml");
            }
            out.push(Item::Attachment(listed));
            out.push(Item::ForwardStart(nested));
            walk_part(nested, 0, depth + 1, out);
            out.push(Item::ForwardEnd);
        }
    }
}

fn walk_multipart<'m>(
    message: &'m Message<'m>,
    part: &'m MessagePart<'m>,
    children: &[u32],
    depth: usize,
    out: &mut Vec<Item<'m>>,
) {
    let subtype = part
        .content_type()
        .and_then(|ct| ct.subtype())
        .unwrap_or("mixed")
        .to_ascii_lowercase();
    match subtype.as_str() {
        "alternative" => {
            if let Some(best) = best_alternative(message, children) {
                walk_part(message, best, depth + 1, out);
            }
        }
        "related" => {
            // The root part is named by `start`, else it is the first one;
            // the rest (inline images, styles) are listed as attachments.
            let start = part
                .content_type()
                .and_then(|ct| ct.attribute("start"))
                .map(|s| s.trim_matches(|c| c == '<' || c == '>').to_owned());
            let root = start
                .and_then(|cid| {
                    children.iter().copied().find(|&c| {
                        message
                            .parts
                            .get(c as usize)
                            .and_then(|p| p.content_id())
                            .is_some_and(|id| id.trim_matches(|c| c == '<' || c == '>') == cid)
                    })
                })
                .or_else(|| children.first().copied());
            for &child in children {
                if Some(child) == root {
                    walk_part(message, child, depth + 1, out);
                } else {
                    walk_as_attachments(message, child, depth + 1, out);
                }
            }
        }
        _ => {
            for &child in children {
                walk_part(message, child, depth + 1, out);
            }
        }
    }
}

/// List a part (and its sub-parts) as attachments only, never as body text.
fn walk_as_attachments<'m>(
    message: &'m Message<'m>,
    id: u32,
    depth: usize,
    out: &mut Vec<Item<'m>>,
) {
    let mut inner = Vec::new();
    walk_part(message, id, depth, &mut inner);
    out.extend(
        inner
            .into_iter()
            .filter(|item| matches!(item, Item::Attachment(_))),
    );
}

/// In multipart/alternative, prefer plain text, then HTML; among equals the
/// last one (RFC 2046 orders alternatives from plainest to richest).
fn best_alternative(message: &Message<'_>, children: &[u32]) -> Option<u32> {
    children
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|&(index, child)| (alternative_rank(message, child, 0), index))
        .map(|(_, child)| child)
}

fn alternative_rank(message: &Message<'_>, id: u32, depth: usize) -> u8 {
    let Some(part) = message.parts.get(id as usize) else {
        return 0;
    };
    match &part.body {
        PartType::Text(_) if is_readable_text(part) && !is_attachment(part) => 3,
        PartType::Html(_) if !is_attachment(part) => 2,
        PartType::Multipart(children) if depth < MAX_DEPTH => children
            .iter()
            .map(|&c| alternative_rank(message, c, depth + 1))
            .max()
            .unwrap_or(0),
        PartType::Message(_) => 1,
        _ => 0,
    }
}

/// An explicit `attachment` disposition, or a named part without an explicit
/// `inline` one (mailers often send `text/plain; name="log.txt"` and nothing else).
fn is_attachment(part: &MessagePart<'_>) -> bool {
    match part.content_disposition() {
        Some(cd) if cd.ctype().eq_ignore_ascii_case("attachment") => true,
        Some(cd) if cd.ctype().eq_ignore_ascii_case("inline") => false,
        _ => part.attachment_name().is_some(),
    }
}

/// Text we show inline: text/plain (or no type at all), or any other text/*
/// that was not given a file name (text/enriched, text/markdown, ...).
fn is_readable_text(part: &MessagePart<'_>) -> bool {
    match part.content_type() {
        None => true,
        Some(ct) => {
            let plain = ct.ctype().eq_ignore_ascii_case("text")
                && ct.subtype().is_none_or(|s| s.eq_ignore_ascii_case("plain"));
            let calendar = ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("calendar"));
            plain || (part.attachment_name().is_none() && !calendar)
        }
    }
}

fn attachment(part: &MessagePart<'_>, size: usize) -> Attachment {
    let mime_type = part
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_else(|| "application/octet-stream".to_owned())
        .to_ascii_lowercase();
    let name = part
        .attachment_name()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| "(unnamed)".to_owned());
    Attachment {
        name,
        mime_type,
        size,
    }
}

/// A note when the declared charset is one we cannot decode: the text was
/// read as UTF-8 with replacement characters instead.
fn charset_note(part: &MessagePart<'_>) -> Option<String> {
    let charset = part.content_type()?.attribute("charset")?.trim();
    if charset.is_empty() || charset_decoder(charset.as_bytes()).is_some() {
        return None;
    }
    let normalized: String = charset
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if normalized.ends_with("utf8") {
        return None;
    }
    Some(format!(
        "[unknown charset \"{charset}\": shown as UTF-8, some characters may be wrong]"
    ))
}

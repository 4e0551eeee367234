//! `mailto:` links (RFC 6068): `mailto:a@x,b@y?cc=..&bcc=..&subject=..&body=..`,
//! read into what a new message starts from ([`Mailto::written`] for
//! `compose::begin(.., Begin::New(..))`).
//!
//! A link is text from anywhere (a web page, a message), so it only fills what the
//! user sees and can change in the editor before anything is sent: the recipients
//! (To, Cc, Bcc), the subject, the body and the message answered (In-Reply-To). It
//! never sets From, another header, or a file to attach; those are listed in
//! [`Mailto::ignored`]. A line break in a header value becomes a space (no header can
//! be injected); the body's line ends become `\n`.

use crate::mime::compose::Written;
use crate::store::NewDraft;

/// What a `mailto:` link asks for. Values are percent-decoded, UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailto {
    /// The addresses before `?` and those of `to=`, in order.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    /// The first `subject=`, on one line.
    pub subject: Option<String>,
    /// The first `body=`, lines ending in `\n`.
    pub body: Option<String>,
    /// The first `in-reply-to=` that is a message id, without `<>`.
    pub in_reply_to: Option<String>,
    /// Header fields of the link not taken (lower case, each once): unknown or
    /// refused ones (`from`, `attach`), repeated `subject`/`body`, an `in-reply-to`
    /// that is no message id.
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailtoError {
    #[error("`{}` is not a mailto: link; it must start with `mailto:`", short(.0))]
    NotMailto(String),
    #[error(
        "the mailto: link's {part} is not UTF-8 text once its %-escapes are decoded \
         (RFC 6068 asks for UTF-8)"
    )]
    NotUtf8 { part: String },
}

/// Reads a `mailto:` link. The scheme's case does not matter, nor do header names';
/// `+` is a plus sign (a space is `%20`); a `%` not followed by two hex digits is
/// kept as it is; a `#fragment` is dropped.
pub fn parse_mailto(uri: &str) -> Result<Mailto, MailtoError> {
    let trimmed = uri.trim();
    let rest = match trimmed.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &trimmed[7..],
        _ => return Err(MailtoError::NotMailto(trimmed.to_owned())),
    };
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut mailto = Mailto::default();
    // The separating commas are literal: a comma inside an address is %2C.
    for address in path.split(',') {
        push_address(&mut mailto.to, &decode(address, "address")?);
    }
    for field in query.split('&').filter(|field| !field.is_empty()) {
        let (name, value) = field.split_once('=').unwrap_or((field, ""));
        let name = decode(name, "header name")?.to_ascii_lowercase();
        let value = decode(value, &name)?;
        let taken = match name.as_str() {
            "to" => push_address(&mut mailto.to, &value),
            "cc" => push_address(&mut mailto.cc, &value),
            "bcc" => push_address(&mut mailto.bcc, &value),
            "subject" => set_once(&mut mailto.subject, one_line(&value)),
            "body" => set_once(&mut mailto.body, body_text(&value)),
            "in-reply-to" => match message_id(&value) {
                Some(id) => set_once(&mut mailto.in_reply_to, id),
                None => false,
            },
            _ => false,
        };
        if !taken && !mailto.ignored.contains(&name) {
            mailto.ignored.push(name);
        }
    }
    Ok(mailto)
}

impl Mailto {
    /// The start of a new message: the recipients, subject and body asked for (From
    /// is left to the account).
    pub fn written(&self) -> Written {
        Written {
            to: self.to.join(", "),
            cc: self.cc.join(", "),
            bcc: self.bcc.join(", "),
            subject: self.subject.clone().unwrap_or_default(),
            body: self.body.clone().unwrap_or_default(),
            ..Written::default()
        }
    }

    /// Puts the message answered into a started draft (In-Reply-To, and References
    /// when the draft has none).
    pub fn thread(&self, draft: &mut NewDraft) {
        if let Some(id) = &self.in_reply_to {
            draft.in_reply_to = Some(id.clone());
            if draft.references.is_empty() {
                draft.references = vec![id.clone()];
            }
        }
    }
}

/// Adds an address list's text (whitespace and controls folded); empty adds nothing.
/// Always "taken": an empty `cc=` is not worth a note.
fn push_address(list: &mut Vec<String>, value: &str) -> bool {
    let value = one_line(value);
    if !value.is_empty() {
        list.push(value);
    }
    true
}

fn set_once(slot: &mut Option<String>, value: String) -> bool {
    if slot.is_some() {
        return false;
    }
    *slot = Some(value);
    true
}

/// Percent-decoding to UTF-8; `part` names what for the error.
fn decode(text: &str, part: &str) -> Result<String, MailtoError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| MailtoError::NotUtf8 {
        part: part.to_owned(),
    })
}

/// A header value on one line: every run of control characters (CR, LF, tab, ESC…)
/// and spaces becomes one space, the ends trimmed.
fn one_line(value: &str) -> String {
    value
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The body with `\n` line ends (CRLF and lone CR too); control characters other
/// than tab and newline dropped.
fn body_text(value: &str) -> String {
    let unified = value.replace("\r\n", "\n").replace('\r', "\n");
    unified
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// `<id@host>` (or without `<>`) -> `id@host`; `None` when it cannot be one.
fn message_id(value: &str) -> Option<String> {
    let id = value.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id);
    let valid = !id.is_empty()
        && id.contains('@')
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    valid.then(|| id.to_owned())
}

fn short(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(uri: &str) -> Mailto {
        parse_mailto(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
    }

    #[test]
    fn rfc_6068_basic_examples() {
        assert_eq!(
            parse("mailto:chris@example.com").to,
            vec!["chris@example.com"]
        );
        let m = parse("mailto:infobot@example.com?subject=current-issue");
        assert_eq!(m.to, vec!["infobot@example.com"]);
        assert_eq!(m.subject.as_deref(), Some("current-issue"));
        let m = parse("mailto:infobot@example.com?body=send%20current-issue");
        assert_eq!(m.body.as_deref(), Some("send current-issue"));
        let m = parse("mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index");
        assert_eq!(m.body.as_deref(), Some("send current-issue\nsend index"));
        let m = parse("mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E");
        assert_eq!(
            m.in_reply_to.as_deref(),
            Some("3469A91.D10AF4C@example.com")
        );
        assert!(m.ignored.is_empty());
        let m = parse("mailto:majordomo@example.com?body=subscribe%20bamboo-l");
        assert_eq!(m.body.as_deref(), Some("subscribe bamboo-l"));
        let m = parse("mailto:joe@example.com?cc=bob@example.com&body=hello");
        assert_eq!(
            (m.to, m.cc, m.body.as_deref()),
            (
                vec!["joe@example.com".to_owned()],
                vec!["bob@example.com".to_owned()],
                Some("hello")
            )
        );
    }

    #[test]
    fn rfc_6068_addresses_with_escapes() {
        assert_eq!(
            parse("mailto:gorby%25kremvax@example.com").to,
            vec!["gorby%kremvax@example.com"]
        );
        let m = parse("mailto:unlikely%3Faddress@example.com?blat=foop");
        assert_eq!(m.to, vec!["unlikely?address@example.com"]);
        assert_eq!(m.ignored, vec!["blat"]);
        assert_eq!(
            parse("mailto:Mike%26family@example.org").to,
            vec!["Mike&family@example.org"]
        );
        assert_eq!(
            parse("mailto:%22not%40me%22@example.org").to,
            vec!["\"not@me\"@example.org"]
        );
        assert_eq!(
            parse("mailto:%22oh%5C%5Cno%22@example.org").to,
            vec!["\"oh\\\\no\"@example.org"]
        );
        assert_eq!(
            parse("mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example.org").to,
            vec!["\"\\\\\\\"it's\\ ugly\\\\\\\"\"@example.org"]
        );
    }

    #[test]
    fn rfc_6068_non_ascii() {
        let m = parse("mailto:user@example.org?subject=caf%C3%A9");
        assert_eq!(m.subject.as_deref(), Some("café"));
        // An encoded word stays as written: it is what the link says.
        let m = parse("mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D");
        assert_eq!(m.subject.as_deref(), Some("=?utf-8?Q?caf=C3=A9?="));
        let m = parse("mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body=NATTO");
        assert_eq!(m.to, vec!["user@納豆.example.org"]);
        assert_eq!(
            parse_mailto("mailto:user@example.org?subject=%a1%80"),
            Err(MailtoError::NotUtf8 {
                part: "subject".into()
            })
        );
    }

    #[test]
    fn rfc_6068_to_in_the_query_adds_to_the_path() {
        let m = parse("mailto:?to=addr1@an.example,addr2@an.example");
        assert_eq!(m.to, vec!["addr1@an.example,addr2@an.example"]);
        assert_eq!(m.written().to, "addr1@an.example,addr2@an.example");
        let m = parse("mailto:addr1@an.example?to=addr2@an.example");
        assert_eq!(m.to, vec!["addr1@an.example", "addr2@an.example"]);
        assert_eq!(m.written().to, "addr1@an.example, addr2@an.example");
        let m = parse("mailto:a@x.example,b@y.example?bcc=c@z.example&cc=");
        assert_eq!(m.to, vec!["a@x.example", "b@y.example"]);
        assert_eq!(m.bcc, vec!["c@z.example"]);
        assert!(m.cc.is_empty() && m.ignored.is_empty());
    }

    #[test]
    fn plus_is_a_plus_and_names_ignore_case() {
        let m = parse("MailTo:bob+lists@example.org?SUBJECT=1+1%202&Body=a+b");
        assert_eq!(m.to, vec!["bob+lists@example.org"]);
        assert_eq!(m.subject.as_deref(), Some("1+1 2"));
        assert_eq!(m.body.as_deref(), Some("a+b"));
    }

    #[test]
    fn a_link_cannot_set_the_sender_or_other_headers() {
        let m = parse(
            "mailto:bob@example.org?from=boss@example.org&Reply-To=eve@evil.example\
             &X-Priority=1&attach=/etc/passwd&subject=Hi&subject=Again&body=1&body=2",
        );
        assert_eq!(
            m.ignored,
            vec![
                "from",
                "reply-to",
                "x-priority",
                "attach",
                "subject",
                "body"
            ]
        );
        let written = m.written();
        assert_eq!(written.from, "");
        assert_eq!(written.subject, "Hi");
        assert_eq!(written.body, "1");
    }

    #[test]
    fn line_breaks_cannot_inject_headers() {
        let m = parse(
            "mailto:bob@example.org%0D%0ABcc:%20eve@evil.example\
             ?subject=Hi%0D%0ABcc:%20eve@evil.example%1B%5B2J&cc=a@b.example%0Ab@c.example",
        );
        assert_eq!(m.to, vec!["bob@example.org Bcc: eve@evil.example"]);
        assert_eq!(m.subject.as_deref(), Some("Hi Bcc: eve@evil.example [2J"));
        assert_eq!(m.cc, vec!["a@b.example b@c.example"]);
        assert!(m.bcc.is_empty());
        // What the editor gets has the same headers.
        let (read, _) = Written::from_text(&m.written().to_text());
        assert_eq!(read.bcc, "");
        assert_eq!(read.subject, "Hi Bcc: eve@evil.example [2J");
    }

    #[test]
    fn body_line_ends_become_newlines() {
        let m = parse("mailto:a@b.example?body=one%0D%0Atwo%0Dthree%0Afour%00%1B%09tab");
        assert_eq!(m.body.as_deref(), Some("one\ntwo\nthree\nfour\ttab"));
    }

    #[test]
    fn in_reply_to_threads_the_draft_when_it_is_a_message_id() {
        let m = parse("mailto:a@b.example?in-reply-to=%3Cm1@example.net%3E");
        let mut draft = NewDraft::default();
        m.thread(&mut draft);
        assert_eq!(draft.in_reply_to.as_deref(), Some("m1@example.net"));
        assert_eq!(draft.references, vec!["m1@example.net"]);
        for bad in [
            "in-reply-to=",
            "in-reply-to=%3Ca%20b@c%3E",
            "in-reply-to=nothing",
        ] {
            let m = parse(&format!("mailto:a@b.example?{bad}"));
            assert_eq!(m.in_reply_to, None, "{bad}");
            assert_eq!(m.ignored, vec!["in-reply-to"], "{bad}");
        }
        let mut untouched = NewDraft::default();
        parse("mailto:a@b.example").thread(&mut untouched);
        assert_eq!(untouched, NewDraft::default());
    }

    #[test]
    fn odd_but_readable_links() {
        // A stray % is kept; the fragment goes; no address at all is fine.
        let m = parse(" mailto:?subject=100%%20sure%zz#top ");
        assert!(m.to.is_empty());
        assert_eq!(m.subject.as_deref(), Some("100% sure%zz"));
        // RFC 6068 calls a second `?` wrong; it is kept in the value.
        let m = parse("mailto:joe@example.com?cc=bob@example.com?body=hello");
        assert_eq!(m.cc, vec!["bob@example.com?body=hello"]);
        assert_eq!(parse("mailto:").written(), Written::default());
        assert!(matches!(
            parse_mailto("https://example.org"),
            Err(MailtoError::NotMailto(_))
        ));
        assert!(matches!(
            parse_mailto("mail"),
            Err(MailtoError::NotMailto(_))
        ));
    }
}

//! Envelope extraction: the few headers the store indexes and the list shows.

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};

use super::structure::collect_attachments;

/// One mailbox from an address header. Strings are decoded (RFC 2047) but NOT
/// sanitized: callers that draw them go through [`crate::mime::sanitize`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub name: Option<String>,
    pub email: String,
}

/// What the store keeps about a message for lists and threading.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope {
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub subject: String,
    pub from: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// Seconds since the Unix epoch, UTC. `None` when the Date header is absent or unparsable.
    pub date: Option<i64>,
    pub has_attachments: bool,
}

/// Parse the envelope of a raw RFC 5322 message. Never fails: malformed input
/// yields whatever could be recovered (an empty subject, no date, ...).
pub fn parse_envelope(raw: &[u8]) -> Envelope {
    match MessageParser::default().parse(raw) {
        Some(message) => envelope_of(&message),
        None => Envelope::default(),
    }
}

/// The envelope from a header block alone (an IMAP sync fetches just the header
/// fields the list needs). Without the body's structure, "has attachments" is what
/// the Content-Type announces: multipart/mixed.
pub fn parse_header_envelope(header: &[u8]) -> Envelope {
    let Some(message) = MessageParser::new().parse_headers(header) else {
        return Envelope::default();
    };
    let mixed = message.content_type().is_some_and(|t| {
        t.ctype().eq_ignore_ascii_case("multipart")
            && t.subtype().is_some_and(|s| s.eq_ignore_ascii_case("mixed"))
    });
    header_fields(&message, mixed)
}

/// The envelope of an already parsed message (also used for forwarded parts).
pub(crate) fn envelope_of(message: &Message<'_>) -> Envelope {
    header_fields(message, !collect_attachments(message).is_empty())
}

fn header_fields(message: &Message<'_>, has_attachments: bool) -> Envelope {
    Envelope {
        message_id: message.message_id().map(str::to_owned),
        in_reply_to: first_id(message.in_reply_to()),
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        from: addresses(message.from()),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        date: message
            .date()
            .filter(|d| d.is_valid())
            .map(|d| d.to_timestamp()),
        has_attachments,
    }
}

/// In-Reply-To may hold several ids; the first is the parent.
fn first_id(value: &HeaderValue<'_>) -> Option<String> {
    match value {
        HeaderValue::Text(id) => Some(id.to_string()),
        HeaderValue::TextList(ids) => ids.first().map(|id| id.to_string()),
        _ => None,
    }
}

/// Flatten an address header (plain list or groups) into mailboxes.
pub(crate) fn addresses(header: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    let Some(header) = header else {
        return Vec::new();
    };
    header
        .iter()
        .filter_map(|addr| {
            let name = addr
                .name()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            let email = addr.address().map(str::trim).unwrap_or_default().to_owned();
            if name.is_none() && email.is_empty() {
                None
            } else {
                Some(Address { name, email })
            }
        })
        .collect()
}

impl Address {
    /// `Name <email>`, or just the email when there is no name. A name with
    /// a comma or semicolon is quoted so a list of addresses stays readable.
    pub fn display(&self) -> String {
        match (&self.name, self.email.is_empty()) {
            (Some(name), false) if name.contains([',', ';']) => {
                format!("\"{name}\" <{}>", self.email)
            }
            (Some(name), false) => format!("{name} <{}>", self.email),
            (Some(name), true) => name.clone(),
            (None, _) => self.email.clone(),
        }
    }
}

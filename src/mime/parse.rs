//! Envelope extraction: the few headers the store indexes and the list shows.

use mail_parser::{HeaderValue, MessageParser};

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
// Minimal version written by the store helper so the Maildir indexer can be
// tested; the mime helper's version replaces it at merge.
pub fn parse_envelope(raw: &[u8]) -> Envelope {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Envelope::default();
    };
    let in_reply_to = match message.in_reply_to() {
        HeaderValue::Text(id) => Some(id.to_string()),
        HeaderValue::TextList(ids) => ids.first().map(|id| id.to_string()),
        _ => None,
    };
    Envelope {
        message_id: message.message_id().map(str::to_owned),
        in_reply_to,
        subject: message.subject().unwrap_or_default().to_owned(),
        from: addresses(message.from()),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        date: message
            .date()
            .filter(|date| date.is_valid())
            .map(|date| date.to_timestamp()),
        has_attachments: message.attachment_count() > 0,
    }
}

fn addresses(header: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    header
        .map(|list| {
            list.iter()
                .filter_map(|addr| {
                    Some(Address {
                        name: addr.name().map(str::to_owned),
                        email: addr.address()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

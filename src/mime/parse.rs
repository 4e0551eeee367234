//! Envelope extraction: the few headers the store indexes and the list shows.

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
    let _ = raw;
    todo!("mime helper")
}

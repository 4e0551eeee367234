//! A complete message on its way out: the SMTP envelope read from its headers, and
//! the bytes that go over the wire (CRLF line ends, no Bcc).
//!
//! The outbox keeps messages *with* their Bcc header (the durable record of who gets
//! a copy) and this module turns them into what the server receives, like
//! `sendmail -t`: the envelope comes from From/Sender and To/Cc/Bcc.

use mail_parser::MessageParser;

use super::ComposeError;
use super::addresses::check_email;
use crate::mime::parse::addresses;

/// What one SMTP transaction needs.
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// `MAIL FROM`: the Sender header's address, else the first From address.
    pub envelope_from: String,
    /// `RCPT TO`, in header order (To, Cc, Bcc), each address once.
    pub recipients: Vec<String>,
    /// The message as sent: CRLF line ends, Bcc and Resent-Bcc removed.
    pub message: Vec<u8>,
}

// The message is the user's mail: sizes only.
impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("envelope_from", &self.envelope_from)
            .field("recipients", &self.recipients)
            .field("message_len", &self.message.len())
            .finish()
    }
}

/// Reads the envelope of a complete message and strips its Bcc.
pub fn prepare_for_sending(raw: &[u8]) -> Result<Outgoing, ComposeError> {
    let message = normalize_line_ends(raw);
    let header_end = header_end(&message)?;
    let parsed =
        MessageParser::default()
            .parse_headers(&message[..])
            .ok_or(ComposeError::NotAMessage {
                reason: "its header could not be read",
            })?;
    let sender = addresses(parsed.sender())
        .into_iter()
        .chain(addresses(parsed.from()))
        .find(|address| !address.email.is_empty())
        .ok_or(ComposeError::NoSender)?;
    check_email(&sender.email).map_err(|reason| ComposeError::InvalidSender {
        address: sender.email.clone(),
        reason,
    })?;
    let mut recipients: Vec<String> = Vec::new();
    for (header, list) in [
        ("To", addresses(parsed.to())),
        ("Cc", addresses(parsed.cc())),
        ("Bcc", addresses(parsed.bcc())),
    ] {
        for address in list {
            // (Empty groups such as `undisclosed-recipients:;` yield no entry at all.)
            let shown = if address.email.is_empty() {
                address.name.clone().unwrap_or_default()
            } else {
                address.email.clone()
            };
            check_email(&address.email).map_err(|reason| ComposeError::InvalidRecipient {
                header,
                address: shown,
                reason,
            })?;
            if !recipients
                .iter()
                .any(|known| known.eq_ignore_ascii_case(&address.email))
            {
                recipients.push(address.email);
            }
        }
    }
    if recipients.is_empty() {
        return Err(ComposeError::NoRecipients);
    }
    let mut wire = without_fields(&message[..header_end], &["bcc", "resent-bcc"]);
    wire.extend_from_slice(&message[header_end..]);
    Ok(Outgoing {
        envelope_from: sender.email,
        recipients,
        message: wire,
    })
}

/// A complete message from a file (`postern send --eml`), ready for the outbox: line
/// ends made CRLF, a Date and a Message-ID added when missing, and checked to have a
/// sender and at least one recipient.
pub fn message_from_eml(raw: &[u8]) -> Result<Vec<u8>, ComposeError> {
    let message = normalize_line_ends(raw);
    let outgoing = prepare_for_sending(&message)?;
    let header_end = header_end(&message)?;
    let header = &message[..header_end];
    let mut added = String::new();
    if !has_field(header, "date") {
        added.push_str(&format!("Date: {}\r\n", super::local_date()));
    }
    if !has_field(header, "message-id") {
        added.push_str(&format!(
            "Message-ID: <{}>\r\n",
            super::new_message_id(&outgoing.envelope_from)
        ));
    }
    let mut out = Vec::with_capacity(message.len() + added.len());
    out.extend_from_slice(added.as_bytes());
    out.extend_from_slice(&message);
    Ok(out)
}

/// Bare LF (and bare CR) become CRLF: SMTP and IMAP APPEND want CRLF, and lettre
/// only dot-stuffs after CRLF.
pub(super) fn normalize_line_ends(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut index = 0;
    while index < raw.len() {
        match raw[index] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if raw.get(index + 1) == Some(&b'\n') {
                    index += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        index += 1;
    }
    out
}

/// Where the header block ends: just after the empty line (or the whole message
/// when it has no body). The first line must be a header field.
fn header_end(message: &[u8]) -> Result<usize, ComposeError> {
    let first_line = message.split(|&b| b == b'\n').next().unwrap_or_default();
    if !is_field_start(first_line) {
        return Err(ComposeError::NotAMessage {
            reason: "it does not start with a header line such as `From: ...`",
        });
    }
    Ok(message
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|at| at + 2)
        .unwrap_or(message.len()))
}

/// `Name:` with a printable name and no space before the colon.
fn is_field_start(line: &[u8]) -> bool {
    match line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => line[..colon].iter().all(|&b| b.is_ascii_graphic()),
        _ => false,
    }
}

/// The fields of a CRLF header block, each with its continuation lines.
fn fields(header: &[u8]) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < header.len() {
        let line_end = header[at..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| at + p + 2)
            .unwrap_or(header.len());
        let continues = matches!(header.get(line_end), Some(b' ' | b'\t'));
        if !continues {
            fields.push(&header[start..line_end]);
            start = line_end;
        }
        at = line_end;
    }
    fields
}

fn field_name(field: &[u8]) -> &[u8] {
    let colon = field.iter().position(|&b| b == b':').unwrap_or(0);
    field[..colon].trim_ascii()
}

fn has_field(header: &[u8], lowercase_name: &str) -> bool {
    fields(header)
        .iter()
        .any(|field| field_name(field).eq_ignore_ascii_case(lowercase_name.as_bytes()))
}

fn without_fields(header: &[u8], lowercase_names: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len());
    for field in fields(header) {
        let name = field_name(field);
        if !lowercase_names
            .iter()
            .any(|drop| name.eq_ignore_ascii_case(drop.as_bytes()))
        {
            out.extend_from_slice(field);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_bcc_is_removed_whole() {
        let raw = b"From: a@x.org\r\nBcc: b@x.org,\r\n c@x.org\r\nTo: d@x.org\r\n\r\nBcc: body\r\n";
        let out = prepare_for_sending(raw).unwrap();
        assert_eq!(
            out.message,
            b"From: a@x.org\r\nTo: d@x.org\r\n\r\nBcc: body\r\n".to_vec()
        );
        assert_eq!(out.recipients, ["d@x.org", "b@x.org", "c@x.org"]);
    }

    #[test]
    fn line_ends_become_crlf() {
        assert_eq!(
            normalize_line_ends(b"a\nb\r\nc\rd"),
            b"a\r\nb\r\nc\r\nd".to_vec()
        );
    }
}

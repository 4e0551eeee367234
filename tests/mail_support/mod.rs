//! What composing tests check on the server: messages found by subject in the IMAP
//! checker's snapshots, their bytes, and their parts read back with mail-parser.

#![allow(dead_code)]

use mail_parser::{Message, MessageParser};

use super::tui_support::live::{Mail, Server, Snapshot};

/// The messages of `folder` whose subject is exactly `subject`.
pub fn exactly<'a>(snapshot: &'a Snapshot, folder: &str, subject: &str) -> Vec<&'a Mail> {
    snapshot
        .folders
        .get(folder)
        .map(|mails| mails.iter().filter(|m| m.subject == subject).collect())
        .unwrap_or_default()
}

/// Waits (bounded) until `folder` holds one message of `subject`; its bytes as
/// the server keeps them.
pub async fn arrived(server: &mut Server, folder: &str, subject: &str) -> Vec<u8> {
    let snapshot = filed(server, folder, subject).await;
    let found = exactly(&snapshot, folder, subject);
    assert_eq!(found.len(), 1, "one copy only: {snapshot:#?}");
    let uid = found[0].uid;
    server.raw(folder, uid).await
}

/// The server's snapshot once `folder` holds a message with exactly `subject`.
pub async fn filed(server: &mut Server, folder: &str, subject: &str) -> Snapshot {
    server
        .eventually(&format!("{subject:?} in {folder}"), |s| {
            !exactly(s, folder, subject).is_empty()
        })
        .await
}

pub fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| panic!("not a message:\n{}", String::from_utf8_lossy(raw)))
}

/// A header as written, unfolded, trimmed.
pub fn header(message: &Message<'_>, name: &str) -> String {
    message
        .header_raw(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of the message (its first text part), CRLF as LF.
pub fn text(message: &Message<'_>) -> String {
    message
        .body_text(0)
        .unwrap_or_else(|| panic!("no text part"))
        .replace("\r\n", "\n")
}

/// The first address of `From:`.
pub fn sender(message: &Message<'_>) -> String {
    message
        .from()
        .and_then(|from| from.first())
        .and_then(|address| address.address())
        .unwrap_or_default()
        .to_owned()
}

/// The addresses of To and Cc.
pub fn recipients(message: &Message<'_>) -> Vec<String> {
    [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|list| list.iter())
        .filter_map(|address| address.address())
        .map(str::to_owned)
        .collect()
}

/// Asserts that `message` is from `from` to exactly `to` (To and Cc, in order).
pub fn assert_addressed(message: &Message<'_>, from: &str, to: &[&str]) {
    assert_eq!(sender(message), from, "From");
    assert_eq!(recipients(message), to, "To and Cc");
}

/// Asserts that the text of `message` starts with `start`.
pub fn assert_text_starts(message: &Message<'_>, start: &str) {
    let text = text(message);
    assert!(
        text.starts_with(start),
        "the text does not start with {start:?}:\n{text}"
    );
}

/// Bytes that no text encoding would pass unchanged: every byte value, over and over.
pub fn binary(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x2545_f491;
    (0..len)
        .map(|i| {
            // A little noise (xorshift) so the base64 lines are not all alike.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (i as u32 ^ state) as u8
        })
        .collect()
}

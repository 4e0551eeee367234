//! What the mail subcommands print: one place for the text columns and the JSON
//! shapes, so scripts can rely on them. Every string from a message goes through
//! `mime::sanitize::line` before it reaches the terminal.

use chrono::{Local, TimeZone, Utc};
use serde::Serialize;

use crate::mime::sanitize;
use crate::store::{EnvelopeRow, Flags, FolderRow};

/// One message of `postern list --json`. Field names are part of the interface.
#[derive(Debug, Serialize)]
pub struct MessageJson {
    pub id: i64,
    pub folder: String,
    /// RFC 3339, UTC.
    pub date: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub from: String,
    pub subject: String,
    pub flags: Vec<&'static str>,
    pub size: u64,
    pub has_attachments: bool,
}

impl MessageJson {
    pub fn new(row: &EnvelopeRow, folder: &str) -> MessageJson {
        MessageJson {
            id: row.id.0,
            folder: sanitize::line(folder).into_owned(),
            date: Utc
                .timestamp_opt(row.date, 0)
                .single()
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            timestamp: row.date,
            from: sanitize::line(&row.from).into_owned(),
            subject: sanitize::line(&row.subject).into_owned(),
            flags: flag_names(row.flags),
            size: row.size,
            has_attachments: row.has_attachments,
        }
    }
}

/// The flags that are set, by name.
pub fn flag_names(flags: Flags) -> Vec<&'static str> {
    [
        (flags.seen, "seen"),
        (flags.flagged, "flagged"),
        (flags.answered, "answered"),
        (flags.deleted, "deleted"),
        (flags.draft, "draft"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| name)
    .collect()
}

/// `id  date  from  subject  flags`, tab-separated.
pub fn message_line(row: &EnvelopeRow) -> String {
    let flags = flag_names(row.flags);
    format!(
        "{}\t{}\t{}\t{}\t{}",
        row.id.0,
        local_time(row.date),
        sanitize::line(&row.from),
        sanitize::line(&row.subject),
        if flags.is_empty() {
            "-".to_owned()
        } else {
            flags.join(",")
        }
    )
}

/// `name  role  total  unread`, tab-separated.
pub fn folder_line(folder: &FolderRow) -> String {
    format!(
        "{}\t{}\t{}\t{}",
        sanitize::line(&folder.name),
        folder.role.map(|r| r.as_str()).unwrap_or("-"),
        folder.total,
        folder.unread
    )
}

/// Multi-line text with every line sanitized (see the `say!` macro).
pub fn terminal_safe(text: &str) -> String {
    sanitize::text(text).join("\n")
}

/// `YYYY-MM-DD HH:MM` in the local zone.
pub fn local_time(unix: i64) -> String {
    match Local.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M").to_string(),
        None => unix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{MessageJson, terminal_safe};
    use crate::store::{EnvelopeRow, FolderId, MessageId};

    #[test]
    fn server_text_in_a_message_loses_its_escape_sequences_not_its_lines() {
        let said = terminal_safe(
            "sync failed:\n  server said: \x1b]0;pwned\x07NO \x1b[31mred\x1b[0m\n\nfix: retry",
        );
        assert_eq!(said, "sync failed:\n  server said: NO red\n\nfix: retry");
    }

    #[test]
    fn json_output_is_sanitized_too() {
        let row = EnvelopeRow {
            id: MessageId(1),
            folder: FolderId(1),
            date: 0,
            from: "Eve \u{9b}31m<eve@example.test>".into(),
            to: String::new(),
            subject: "hi\x1b]0;pwned\x07 there\u{202e}".into(),
            flags: Default::default(),
            size: 1,
            has_attachments: false,
        };
        let json = MessageJson::new(&row, "In\x1b[2Jbox");
        for text in [&json.from, &json.subject, &json.folder] {
            assert!(
                !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{text:?}"
            );
        }
        assert_eq!(json.subject, "hi there");
    }
}

//! What one POP3 session should do, decided from the server's listing and what the
//! store remembers: which messages to fetch, which downloaded ones to delete.
//! Pure, so every mode is tested without a server.

use std::collections::HashMap;

use crate::proto::pop3::{MessageSize, MessageUidl};
use crate::store::Pop3Uidl;

const DAY: i64 = 24 * 60 * 60;

/// What happens to a message on the server once it is safely in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeaveMode {
    /// Leave every message on the server (the default: POP3 then behaves like a
    /// read-only view and other clients still see the mail).
    #[default]
    LeaveOnServer,
    /// Delete each message in the session that downloaded it.
    DeleteAfterDownload,
    /// Delete messages downloaded at least this many days ago (checked at each
    /// session, so a message goes in the first session after its time is up).
    DeleteAfterDays(u32),
}

/// The account's `pop3_delete` setting.
impl From<crate::config::Pop3Delete> for LeaveMode {
    fn from(delete: crate::config::Pop3Delete) -> LeaveMode {
        use crate::config::Pop3Delete;
        match delete {
            Pop3Delete::Never => LeaveMode::LeaveOnServer,
            Pop3Delete::AfterDownload => LeaveMode::DeleteAfterDownload,
            Pop3Delete::AfterDays(days) => LeaveMode::DeleteAfterDays(days),
        }
    }
}

impl LeaveMode {
    /// Whether a message downloaded at `downloaded_at` is due for deletion at `now`
    /// (both Unix seconds).
    pub fn due(self, downloaded_at: i64, now: i64) -> bool {
        match self {
            LeaveMode::LeaveOnServer => false,
            LeaveMode::DeleteAfterDownload => true,
            LeaveMode::DeleteAfterDays(days) => {
                downloaded_at.saturating_add(i64::from(days).saturating_mul(DAY)) <= now
            }
        }
    }
}

/// One message on the server: its number in this session, UIDL and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerMessage {
    pub number: u32,
    pub uidl: String,
    pub size: u64,
}

/// The session's work.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Not downloaded yet, in server order (oldest first).
    pub fetch: Vec<ServerMessage>,
    /// Downloaded in an earlier session and due for deletion now.
    pub delete: Vec<ServerMessage>,
    /// Already downloaded, left where they are.
    pub known: usize,
}

/// Joins UIDL and LIST by message number; a message missing from LIST gets size 0
/// (a size is only a hint for the buffer).
pub fn server_messages(uidls: Vec<MessageUidl>, sizes: &[MessageSize]) -> Vec<ServerMessage> {
    let size_of: HashMap<u32, u64> = sizes.iter().map(|m| (m.number, m.size)).collect();
    uidls
        .into_iter()
        .map(|m| ServerMessage {
            size: size_of.get(&m.number).copied().unwrap_or(0),
            number: m.number,
            uidl: m.uidl,
        })
        .collect()
}

/// Splits the server's messages into new ones and known ones due for deletion. A
/// UIDL listed twice (a broken server) is fetched once.
pub fn plan(on_server: &[ServerMessage], stored: &[Pop3Uidl], mode: LeaveMode, now: i64) -> Plan {
    let downloaded: HashMap<&str, i64> = stored
        .iter()
        .map(|u| (u.uidl.as_str(), u.downloaded_at))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut plan = Plan::default();
    for message in on_server {
        if !seen.insert(message.uidl.as_str()) {
            continue;
        }
        match downloaded.get(message.uidl.as_str()) {
            None => plan.fetch.push(message.clone()),
            Some(&at) => {
                plan.known += 1;
                if mode.due(at, now) {
                    plan.delete.push(message.clone());
                }
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn server(uidls: &[&str]) -> Vec<ServerMessage> {
        uidls
            .iter()
            .zip(1..)
            .map(|(uidl, number)| ServerMessage {
                number,
                uidl: (*uidl).to_owned(),
                size: 100,
            })
            .collect()
    }

    fn stored(uidl: &str, days_ago: i64) -> Pop3Uidl {
        Pop3Uidl {
            uidl: uidl.to_owned(),
            downloaded_at: NOW - days_ago * DAY,
            deleted_on_server: false,
        }
    }

    fn uidls(messages: &[ServerMessage]) -> Vec<&str> {
        messages.iter().map(|m| m.uidl.as_str()).collect()
    }

    #[test]
    fn leave_on_server_fetches_only_new_and_deletes_nothing() {
        let plan = plan(
            &server(&["a", "b", "c"]),
            &[stored("b", 400)],
            LeaveMode::LeaveOnServer,
            NOW,
        );
        assert_eq!(uidls(&plan.fetch), ["a", "c"]);
        assert!(plan.delete.is_empty());
        assert_eq!(plan.known, 1);
    }

    #[test]
    fn delete_after_download_deletes_every_known_message_still_listed() {
        let plan = plan(
            &server(&["a", "b"]),
            &[stored("a", 0), stored("gone", 3)],
            LeaveMode::DeleteAfterDownload,
            NOW,
        );
        assert_eq!(uidls(&plan.fetch), ["b"]);
        assert_eq!(uidls(&plan.delete), ["a"]);
    }

    #[test]
    fn delete_after_days_waits_for_the_age() {
        let plan = plan(
            &server(&["old", "young", "new"]),
            &[stored("old", 8), stored("young", 6)],
            LeaveMode::DeleteAfterDays(7),
            NOW,
        );
        assert_eq!(uidls(&plan.fetch), ["new"]);
        assert_eq!(uidls(&plan.delete), ["old"]);
        assert!(LeaveMode::DeleteAfterDays(7).due(NOW - 7 * DAY, NOW));
        assert!(!LeaveMode::DeleteAfterDays(7).due(NOW - 7 * DAY + 1, NOW));
        assert!(LeaveMode::DeleteAfterDays(0).due(NOW, NOW));
        assert!(!LeaveMode::DeleteAfterDays(1).due(i64::MAX - 10, i64::MAX - 1));
    }

    #[test]
    fn a_uidl_listed_twice_is_fetched_once() {
        let plan = plan(&server(&["x", "x"]), &[], LeaveMode::LeaveOnServer, NOW);
        assert_eq!(uidls(&plan.fetch), ["x"]);
    }

    #[test]
    fn sizes_join_by_number() {
        let joined = server_messages(
            vec![
                MessageUidl {
                    number: 1,
                    uidl: "a".into(),
                },
                MessageUidl {
                    number: 2,
                    uidl: "b".into(),
                },
            ],
            &[MessageSize {
                number: 2,
                size: 42,
            }],
        );
        assert_eq!(joined[0].size, 0);
        assert_eq!(joined[1].size, 42);
    }
}

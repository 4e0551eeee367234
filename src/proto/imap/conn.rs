//! A logged-in IMAP connection that runs one command at a time: it writes the command
//! with its own tag, reads responses (parsed by imap-proto through async-imap) under a
//! timeout, hands each to the caller, and keeps what the server said on its own
//! (EXISTS, EXPUNGE, VANISHED, flag changes) in [`ServerEvents`].
//!
//! After a timeout, a lost connection or unparsable data the connection is marked
//! broken: the stream may be mid-response, so no further command is sent on it.

use std::ops::RangeInclusive;
use std::time::Duration;

use async_imap::imap_proto::rfc4315::UidSetMember;
use async_imap::imap_proto::{
    AttributeValue, Capability, MailboxDatum, Response, ResponseCode, Status,
};
use tokio::io::AsyncWriteExt;

use super::ImapSession;
use super::error::ImapError;
use super::fetch::parse_flags;
use super::quote::quote;
use super::reader::{ReadError, ResponseReader};
use crate::proto::Peer;
use crate::store::Flags;

/// What the server offers after login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    list: Vec<String>,
}

impl Capabilities {
    pub fn new(list: Vec<String>) -> Capabilities {
        Capabilities { list }
    }

    pub fn has(&self, name: &str) -> bool {
        self.list.iter().any(|c| c.eq_ignore_ascii_case(name))
    }
}

/// A selected mailbox as SELECT described it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selected {
    pub mailbox: String,
    pub exists: u32,
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    /// `None` when the server has no CONDSTORE for this mailbox.
    pub highestmodseq: Option<u64>,
    pub read_only: bool,
    /// The server keeps new keywords in this mailbox (`\*` in PERMANENTFLAGS).
    /// Exchange's mailboxes do not.
    pub new_keywords: bool,
    /// The keywords it keeps already (PERMANENTFLAGS without the `\` flags).
    pub keywords: Vec<String>,
}

impl Selected {
    /// Whether `keyword` (`$Forwarded`) can be stored on messages here.
    pub fn keeps_keyword(&self, keyword: &str) -> bool {
        self.new_keywords
            || self
                .keywords
                .iter()
                .any(|k| k.eq_ignore_ascii_case(keyword))
    }
}

/// Things the server reported on its own, collected until the caller takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerEvents {
    /// The last EXISTS count.
    pub exists: Option<u32>,
    /// EXPUNGE sequence numbers (servers without QRESYNC).
    pub expunged: Vec<u32>,
    /// VANISHED UID ranges (QRESYNC).
    pub vanished: Vec<RangeInclusive<u32>>,
    /// Flags of messages by UID (FETCH responses carrying UID and FLAGS).
    pub flags: Vec<(u32, Flags)>,
    /// A FETCH without a UID arrived (a flag change the caller can only find by resync).
    pub unidentified_change: bool,
}

impl ServerEvents {
    pub fn is_empty(&self) -> bool {
        *self == ServerEvents::default()
    }
}

/// How a command ended (the tagged OK) and the response codes worth keeping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    /// APPENDUID (UIDPLUS) of APPEND or REPLACE, from the tagged OK or an untagged
    /// one: (uidvalidity, uid).
    pub append_uid: Option<(u32, u32)>,
    /// COPYUID (UIDPLUS) of COPY or MOVE: source UID -> new UID in the target.
    pub copy_uid: Vec<(u32, u32)>,
}

/// More UIDs than this in one COPYUID answer are not believed (a hostile server
/// could send `1:4294967295`).
const COPYUID_MAX: usize = 1_000_000;

fn expand(set: &[UidSetMember]) -> Vec<u32> {
    let mut uids = Vec::new();
    for member in set {
        match member {
            UidSetMember::Uid(uid) => uids.push(*uid),
            UidSetMember::UidRange(range) => {
                for uid in range.clone() {
                    if uids.len() >= COPYUID_MAX {
                        return uids;
                    }
                    uids.push(uid);
                }
            }
        }
        if uids.len() >= COPYUID_MAX {
            break;
        }
    }
    uids
}

fn copy_pairs(code: &Option<ResponseCode<'_>>) -> Vec<(u32, u32)> {
    match code {
        Some(ResponseCode::CopyUid(_, source, target)) => {
            expand(source).into_iter().zip(expand(target)).collect()
        }
        _ => Vec::new(),
    }
}

/// What a response handler did with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// The handler used it.
    Taken,
    /// Not for the handler: record it as a server event.
    Pass,
}

/// Longest server text kept in an error message.
const DETAIL_MAX: usize = 300;

/// A logged-in connection. See the module documentation.
pub struct ImapConn {
    /// Owns the stream; after login only its writer half of the job is used.
    session: ImapSession,
    reader: ResponseReader,
    peer: Peer,
    capabilities: Capabilities,
    read_timeout: Duration,
    next_tag: u64,
    broken: bool,
    qresync: bool,
    selected: Option<Selected>,
    events: ServerEvents,
}

impl std::fmt::Debug for ImapConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConn")
            .field("host", &self.peer.host)
            .field("port", &self.peer.port)
            .field("selected", &self.selected.as_ref().map(|s| &s.mailbox))
            .field("broken", &self.broken)
            .finish()
    }
}

impl ImapConn {
    /// Wraps a session from [`super::connect_oauth`] or [`super::connect_password`]
    /// and asks for its capabilities. `read_timeout` bounds every wait for the server.
    pub async fn new(
        session: ImapSession,
        host: &str,
        port: u16,
        read_timeout: Duration,
    ) -> Result<ImapConn, ImapError> {
        let mut conn = ImapConn {
            session,
            reader: ResponseReader::default(),
            peer: Peer::new(host, port),
            capabilities: Capabilities::default(),
            read_timeout,
            next_tag: 0,
            broken: false,
            qresync: false,
            selected: None,
            events: ServerEvents::default(),
        };
        let mut list = Vec::new();
        conn.run("CAPABILITY", |response| match response {
            Response::Capabilities(caps) => {
                list.extend(caps.iter().map(capability_name));
                Handled::Taken
            }
            _ => Handled::Pass,
        })
        .await?;
        conn.capabilities = Capabilities::new(list);
        Ok(conn)
    }

    /// Whether a failure left the connection unusable (no command is sent on it).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    pub fn host(&self) -> &str {
        &self.peer.host
    }

    pub fn port(&self) -> u16 {
        self.peer.port
    }

    /// The selected mailbox, if any.
    pub fn selected(&self) -> Option<&Selected> {
        self.selected.as_ref()
    }

    /// True once QRESYNC is enabled (VANISHED replaces EXPUNGE, FETCH carries UID).
    pub fn qresync_enabled(&self) -> bool {
        self.qresync
    }

    /// What the server reported on its own since the last [`ImapConn::take_events`].
    pub fn events(&self) -> &ServerEvents {
        &self.events
    }

    /// Takes what the server reported on its own since the last call.
    pub fn take_events(&mut self) -> ServerEvents {
        std::mem::take(&mut self.events)
    }

    /// Turns QRESYNC on (once) when the server offers it.
    pub async fn enable_qresync(&mut self) -> Result<bool, ImapError> {
        if self.qresync {
            return Ok(true);
        }
        if !self.capabilities.has("QRESYNC") || !self.capabilities.has("ENABLE") {
            return Ok(false);
        }
        self.run("ENABLE QRESYNC", |_| Handled::Pass).await?;
        self.qresync = true;
        Ok(true)
    }

    /// SELECT `mailbox`; with QRESYNC enabled and `known` = (uidvalidity, modseq)
    /// the server also reports what changed since (VANISHED (EARLIER) and FETCH
    /// FLAGS, collected as [`ServerEvents`]). Events pending from the previously
    /// selected mailbox are dropped.
    pub async fn select(
        &mut self,
        mailbox: &str,
        known: Option<(u32, u64)>,
    ) -> Result<Selected, ImapError> {
        let mut command = format!("SELECT {}", quote(mailbox));
        match known {
            Some((validity, modseq)) if self.qresync && modseq > 0 => {
                command.push_str(&format!(" (QRESYNC ({validity} {modseq}))"));
            }
            _ if self.capabilities.has("CONDSTORE") => command.push_str(" (CONDSTORE)"),
            _ => {}
        }
        self.selected = None;
        self.events = ServerEvents::default();
        let mut selected = Selected {
            mailbox: mailbox.to_owned(),
            ..Selected::default()
        };
        let done = self
            .run_with_codes(&command, |response| {
                match response {
                    Response::MailboxData(MailboxDatum::Exists(n)) => selected.exists = *n,
                    Response::Data {
                        status: Status::Ok,
                        outcome,
                    } => match &outcome.code {
                        Some(ResponseCode::UidValidity(v)) => selected.uidvalidity = Some(*v),
                        Some(ResponseCode::UidNext(v)) => selected.uidnext = Some(*v),
                        Some(ResponseCode::HighestModSeq(v)) => selected.highestmodseq = Some(*v),
                        Some(ResponseCode::PermanentFlags(flags)) => {
                            selected.new_keywords = flags.iter().any(|f| f == "\\*");
                            selected.keywords = flags
                                .iter()
                                .filter(|f| !f.starts_with('\\'))
                                .map(|f| f.to_string())
                                .collect();
                        }
                        _ => return Handled::Pass,
                    },
                    _ => return Handled::Pass,
                }
                Handled::Taken
            })
            .await?;
        selected.read_only = done.read_only;
        // EXISTS of SELECT itself is not news for the caller.
        self.events.exists = None;
        self.selected = Some(selected.clone());
        Ok(selected)
    }

    /// Runs `command` (without tag) and gives every response to `handler` until the
    /// tagged answer. A NO or BAD answer is [`ImapError::Refused`].
    pub async fn run(
        &mut self,
        command: &str,
        handler: impl FnMut(&Response<'_>) -> Handled,
    ) -> Result<Completion, ImapError> {
        Ok(self.run_with_codes(command, handler).await?.completion)
    }

    /// Sends `command` with a fresh tag and returns the tag.
    pub async fn send(&mut self, command: &str) -> Result<String, ImapError> {
        self.next_tag += 1;
        let tag = format!("p{}", self.next_tag);
        self.write(command, format!("{tag} {command}\r\n").as_bytes())
            .await?;
        Ok(tag)
    }

    /// Writes raw bytes (a literal, `DONE`) under the timeout.
    pub async fn write(&mut self, command: &str, bytes: &[u8]) -> Result<(), ImapError> {
        if self.broken {
            return Err(self.broken_error());
        }
        let stream = self.session.get_mut();
        let written = tokio::time::timeout(self.read_timeout, async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await;
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.lost(command, error.to_string())),
            Err(_) => Err(self.timed_out(command, self.read_timeout)),
        }
    }

    /// Reads responses until the one tagged `tag`, giving each to `handler`.
    pub async fn finish(
        &mut self,
        command: &str,
        tag: &str,
        handler: impl FnMut(&Response<'_>) -> Handled,
    ) -> Result<Completion, ImapError> {
        Ok(self
            .finish_with_codes(command, tag, handler, self.read_timeout)
            .await?
            .completion)
    }

    /// Waits up to `wait` for the next response and gives it to `handler`
    /// (IDLE: a quiet server is not an error). `Ok(false)` when nothing came.
    pub async fn wait_response(
        &mut self,
        command: &str,
        wait: Duration,
        mut handler: impl FnMut(&Response<'_>) -> Handled,
    ) -> Result<bool, ImapError> {
        if self.broken {
            return Err(self.broken_error());
        }
        if !self.read_within(command, wait).await? {
            return Ok(false);
        }
        let response = match self.reader.response() {
            Ok(response) => response,
            Err(error) => return Err(self.unreadable(command, error)),
        };
        if handler(&response) == Handled::Pass {
            note(
                &mut self.events,
                &mut self.broken,
                &self.peer,
                command,
                &response,
            )?;
        }
        Ok(true)
    }

    /// Reads until the server's go-ahead (`+ ...`) for a literal or IDLE; a tagged
    /// answer first means the command was refused.
    pub async fn wait_continuation(&mut self, command: &str) -> Result<(), ImapError> {
        loop {
            if self.broken {
                return Err(self.broken_error());
            }
            self.read(command, self.read_timeout).await?;
            let response = match self.reader.response() {
                Ok(response) => response,
                Err(error) => return Err(self.unreadable(command, error)),
            };
            match &response {
                Response::Continue(_) => return Ok(()),
                Response::Done {
                    status, outcome, ..
                } => {
                    return Err(ImapError::Refused {
                        host: self.peer.host.clone(),
                        port: self.peer.port,
                        command: command_name(command),
                        response: format!("{} {}", status_word(status), outcome_text(outcome)),
                    });
                }
                other => note(
                    &mut self.events,
                    &mut self.broken,
                    &self.peer,
                    command,
                    other,
                )?,
            }
        }
    }

    /// Logs out politely; errors are ignored (the connection is going anyway).
    pub async fn logout(mut self) {
        let _ = self.run("LOGOUT", |_| Handled::Pass).await;
    }

    async fn run_with_codes(
        &mut self,
        command: &str,
        handler: impl FnMut(&Response<'_>) -> Handled,
    ) -> Result<Tagged, ImapError> {
        let tag = self.send(command).await?;
        self.finish_with_codes(command, &tag, handler, self.read_timeout)
            .await
    }

    async fn finish_with_codes(
        &mut self,
        command: &str,
        tag: &str,
        mut handler: impl FnMut(&Response<'_>) -> Handled,
        wait: Duration,
    ) -> Result<Tagged, ImapError> {
        // MOVE reports COPYUID in an untagged OK, COPY in the tagged one; REPLACE
        // into the selected mailbox reports APPENDUID in an untagged OK (RFC 8508).
        let mut copy_uid = Vec::new();
        let mut untagged_append_uid = None;
        loop {
            if self.broken {
                return Err(self.broken_error());
            }
            self.read(command, wait).await?;
            let response = match self.reader.response() {
                Ok(response) => response,
                Err(error) => return Err(self.unreadable(command, error)),
            };
            if let Response::Done {
                tag: done_tag,
                status,
                outcome,
            } = &response
                && done_tag.0 == tag
            {
                let text = outcome_text(outcome);
                return match status {
                    Status::Ok => Ok(Tagged {
                        read_only: matches!(outcome.code, Some(ResponseCode::ReadOnly)),
                        completion: Completion {
                            append_uid: append_pair(&outcome.code).or(untagged_append_uid),
                            copy_uid: match copy_pairs(&outcome.code) {
                                pairs if pairs.is_empty() => copy_uid,
                                pairs => pairs,
                            },
                            text,
                        },
                    }),
                    _ => Err(ImapError::Refused {
                        host: self.peer.host.clone(),
                        port: self.peer.port,
                        command: command_name(command),
                        response: format!("{} {text}", status_word(status)),
                    }),
                };
            }
            if let Response::Data {
                status: Status::Ok,
                outcome,
            } = &response
                && matches!(outcome.code, Some(ResponseCode::CopyUid(..)))
            {
                copy_uid = copy_pairs(&outcome.code);
                continue;
            }
            if let Response::Data {
                status: Status::Ok,
                outcome,
            } = &response
                && let Some(pair) = append_pair(&outcome.code)
            {
                untagged_append_uid = Some(pair);
                continue;
            }
            if handler(&response) == Handled::Pass {
                note(
                    &mut self.events,
                    &mut self.broken,
                    &self.peer,
                    command,
                    &response,
                )?;
            }
        }
    }

    /// Reads the next whole response into the reader, waiting up to `wait`.
    async fn read(&mut self, command: &str, wait: Duration) -> Result<(), ImapError> {
        match self.read_within(command, wait).await? {
            true => Ok(()),
            false => Err(self.timed_out(command, wait)),
        }
    }

    /// [`ImapConn::read`] where silence is an answer: `Ok(false)` when nothing
    /// whole arrived within `wait` (what did arrive stays buffered).
    async fn read_within(&mut self, command: &str, wait: Duration) -> Result<bool, ImapError> {
        let read = self.reader.fill(self.session.get_mut());
        match tokio::time::timeout(wait, read).await {
            Ok(Ok(())) => Ok(true),
            Ok(Err(error)) => Err(self.unreadable(command, error)),
            Err(_) => Ok(false),
        }
    }

    /// A failed read as the error that breaks the connection.
    fn unreadable(&mut self, command: &str, error: ReadError) -> ImapError {
        match error {
            ReadError::Closed { partial: false } => {
                self.lost(command, "the server closed the connection".into())
            }
            ReadError::Closed { partial: true } => self.lost(
                command,
                "the server closed the connection in the middle of a response".into(),
            ),
            ReadError::Io(error) => self.lost(command, error.to_string()),
            ReadError::Garbage(detail) => {
                self.broken = true;
                ImapError::Garbage {
                    host: self.peer.host.clone(),
                    port: self.peer.port,
                    command: command_name(command),
                    detail: truncate(&detail),
                }
            }
        }
    }

    fn lost(&mut self, command: &str, detail: String) -> ImapError {
        self.broken = true;
        ImapError::ConnectionLost {
            host: self.peer.host.clone(),
            port: self.peer.port,
            command: command_name(command),
            detail,
        }
    }

    fn timed_out(&mut self, command: &str, wait: Duration) -> ImapError {
        self.broken = true;
        ImapError::Timeout {
            host: self.peer.host.clone(),
            port: self.peer.port,
            command: command_name(command),
            seconds: wait.as_secs(),
        }
    }

    fn broken_error(&self) -> ImapError {
        ImapError::Broken {
            host: self.peer.host.clone(),
            port: self.peer.port,
        }
    }

    /// An error for an answer that breaks the protocol's promises.
    pub fn unexpected(&self, command: &str, detail: impl Into<String>) -> ImapError {
        ImapError::Unexpected {
            host: self.peer.host.clone(),
            port: self.peer.port,
            command: command_name(command),
            detail: detail.into(),
        }
    }
}

/// Records a response the handler did not take.
fn note(
    events: &mut ServerEvents,
    broken: &mut bool,
    peer: &Peer,
    command: &str,
    response: &Response<'_>,
) -> Result<(), ImapError> {
    match response {
        Response::MailboxData(MailboxDatum::Exists(n)) => events.exists = Some(*n),
        Response::Expunge(seq) => events.expunged.push(*seq),
        Response::Vanished { uids, .. } => events.vanished.extend(uids.iter().cloned()),
        Response::Fetch(_, attributes) => {
            let uid = attributes.iter().find_map(|a| match a {
                AttributeValue::Uid(uid) => Some(*uid),
                _ => None,
            });
            let flags = attributes.iter().find_map(|a| match a {
                AttributeValue::Flags(flags) => Some(parse_flags(flags)),
                _ => None,
            });
            match (uid, flags) {
                (Some(uid), Some(flags)) => events.flags.push((uid, flags)),
                (None, Some(_)) => events.unidentified_change = true,
                _ => {}
            }
        }
        Response::Data {
            status: Status::Bye,
            outcome,
        } if !command.eq_ignore_ascii_case("LOGOUT") => {
            *broken = true;
            return Err(ImapError::Bye {
                host: peer.host.clone(),
                port: peer.port,
                response: outcome_text(outcome),
            });
        }
        _ => {}
    }
    Ok(())
}

/// The tagged OK and the codes of the tagged line.
struct Tagged {
    completion: Completion,
    read_only: bool,
}

fn status_word(status: &Status) -> &'static str {
    match status {
        Status::Ok => "OK",
        Status::No => "NO",
        Status::Bad => "BAD",
        Status::PreAuth => "PREAUTH",
        Status::Bye => "BYE",
    }
}

fn capability_name(capability: &Capability<'_>) -> String {
    match capability {
        Capability::Imap4rev1 => "IMAP4rev1".to_owned(),
        Capability::Auth(mechanism) => format!("AUTH={mechanism}"),
        Capability::Atom(atom) => atom.to_string(),
    }
}

fn outcome_text(outcome: &async_imap::imap_proto::Outcome<'_>) -> String {
    truncate(outcome.information.as_deref().unwrap_or_default())
}

/// (uidvalidity, uid) of an APPENDUID code (UIDPLUS).
fn append_pair(code: &Option<ResponseCode<'_>>) -> Option<(u32, u32)> {
    match code {
        Some(ResponseCode::AppendUid(validity, uids)) => {
            first_uid(uids).map(|uid| (*validity, uid))
        }
        _ => None,
    }
}

fn first_uid(uids: &[UidSetMember]) -> Option<u32> {
    uids.first().map(|member| match member {
        UidSetMember::Uid(uid) => *uid,
        UidSetMember::UidRange(range) => *range.start(),
    })
}

/// The command's first word(s) for messages: never its arguments (a search term or
/// a mailbox name is the user's business, and a literal could be huge).
fn command_name(command: &str) -> String {
    let mut words = command.split_whitespace();
    match (words.next(), words.next()) {
        (Some(first), Some(second)) if first.eq_ignore_ascii_case("UID") => {
            format!("UID {}", second.to_ascii_uppercase())
        }
        (Some(first), _) => first.to_ascii_uppercase(),
        _ => "a command".to_owned(),
    }
}

fn truncate(text: &str) -> String {
    if text.len() <= DETAIL_MAX {
        return text.to_owned();
    }
    let mut end = DETAIL_MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

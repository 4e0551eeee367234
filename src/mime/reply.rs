//! Starting a message from another: reply, reply to all, reply to the list,
//! forward (inline or attached), edit as new. Pure: the message replied to comes in
//! as bytes, a [`Draft`] comes out.
//!
//! The rules are the ones NeoMutt and aerc users expect: the reply goes to Reply-To
//! when there is one; reply to all honours Mail-Followup-To and leaves out your own
//! addresses; "Re:" and "Fwd:" are never doubled; In-Reply-To and References thread
//! the reply; it is sent from the address the message was sent to.

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders};

use super::compose::{Attachment, Draft};
use super::parse::{Address, addresses};
use super::render::render;

/// How the new message relates to the one it starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Reply,
    ReplyAll,
    ReplyList,
    Forward,
    ForwardAttached,
    EditAsNew,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("this message came from no mailing list (it has no List-Post header)")]
    NoList,
    #[error("this message cannot be read as mail: it has no headers")]
    NotAMessage,
}

/// Who you are: the addresses you send from (the first is the account's own) and
/// every address that is yours (aliases too).
#[derive(Clone, Copy)]
pub struct You<'a> {
    pub identities: &'a [Address],
    pub is_own: &'a dyn Fn(&str) -> bool,
}

impl You<'_> {
    /// The identity a reply goes out from: the one the message was sent to, else
    /// the account's own.
    fn sender_for(&self, original: &Original) -> Address {
        let addressed = original.to.iter().chain(&original.cc);
        addressed
            .filter_map(|a| {
                self.identities
                    .iter()
                    .find(|i| i.email.eq_ignore_ascii_case(&a.email))
            })
            .next()
            .or_else(|| self.identities.first())
            .cloned()
            .unwrap_or_default()
    }
}

/// What a reply or forward needs of the message it starts from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Original {
    pub message_id: Option<String>,
    pub references: Vec<String>,
    pub in_reply_to: Option<String>,
    pub from: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// Only a draft or a copy of sent mail has one.
    pub bcc: Vec<Address>,
    pub mail_followup_to: Vec<Address>,
    /// The list's posting address, from `List-Post: <mailto:...>`.
    pub list_post: Option<Address>,
    pub subject: String,
    /// The Date header as written.
    pub date: String,
    /// The body as the message view shows it (sanitized text).
    pub body: Vec<String>,
    /// Attachments with their bytes, for a forward.
    pub attachments: Vec<Attachment>,
    /// The whole message, for a forward as an attachment.
    pub raw: Vec<u8>,
}

/// The values an attribution line can use: the date, who wrote (name and
/// address), their name alone, the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub date: String,
    pub from: String,
    pub name: String,
    pub subject: String,
}

impl Original {
    /// Reads what a reply needs; the body is rendered `width` columns wide.
    pub fn parse(raw: &[u8], width: usize) -> Result<Original, ReplyError> {
        let message = MessageParser::default()
            .parse(raw)
            .ok_or(ReplyError::NotAMessage)?;
        Ok(Original {
            message_id: message.message_id().map(str::to_owned),
            references: ids(message.references()),
            in_reply_to: ids(message.in_reply_to()).into_iter().next(),
            from: addresses(message.from()),
            reply_to: addresses(message.reply_to()),
            to: addresses(message.to()),
            cc: addresses(message.cc()),
            bcc: addresses(message.bcc()),
            // Not a header mail-parser knows: read as an address list here.
            mail_followup_to: message
                .header_raw("Mail-Followup-To")
                .and_then(|raw| super::compose::parse_address_list(raw.trim()).ok())
                .unwrap_or_default(),
            list_post: list_post(&message),
            subject: message.subject().unwrap_or_default().trim().to_owned(),
            date: message
                .header_raw("Date")
                .map(|d| d.trim().to_owned())
                .unwrap_or_default(),
            body: render(raw, width).body,
            attachments: attachments(&message),
            raw: raw.to_vec(),
        })
    }

    /// For the attribution line.
    pub fn attribution(&self) -> Attribution {
        let sender = self.from.first().cloned().unwrap_or_default();
        Attribution {
            date: self.date.clone(),
            from: sender.display(),
            name: sender.name.clone().unwrap_or_else(|| sender.email.clone()),
            subject: self.subject.clone(),
        }
    }
}

/// The new message. `attribution` is the line above the quote (already filled in
/// from the template); `signature` goes at the end after the `-- ` line.
pub fn start(
    how: Start,
    original: &Original,
    you: You<'_>,
    attribution: &str,
    signature: Option<&str>,
) -> Result<Draft, ReplyError> {
    let from = you.sender_for(original);
    let mut draft = Draft::new(from);
    match how {
        Start::Reply | Start::ReplyAll | Start::ReplyList => {
            let (to, cc) = match how {
                Start::Reply => (reply_to(original), Vec::new()),
                Start::ReplyAll => reply_all(original, you),
                _ => (
                    vec![original.list_post.clone().ok_or(ReplyError::NoList)?],
                    Vec::new(),
                ),
            };
            draft.to = to;
            draft.cc = cc;
            draft.subject = prefixed("Re: ", &original.subject, &["re", "aw", "sv", "antw"]);
            draft.in_reply_to = original.message_id.clone();
            draft.references = references(original);
            draft.body = quoted(attribution, &original.body);
        }
        Start::Forward => {
            draft.subject = prefixed("Fwd: ", &original.subject, &["fwd", "fw", "wg"]);
            draft.body = forwarded(original);
            draft.attachments = original.attachments.clone();
        }
        Start::ForwardAttached => {
            draft.subject = prefixed("Fwd: ", &original.subject, &["fwd", "fw", "wg"]);
            draft.attachments = vec![Attachment {
                mime_type: "message/rfc822".into(),
                ..Attachment::from_bytes(eml_name(&original.subject), original.raw.clone())
            }];
        }
        Start::EditAsNew => {
            // A copy of what you sent: its recipients, its text, its files.
            if let Some(sender) = original.from.first().filter(|a| (you.is_own)(&a.email)) {
                draft.from = sender.clone();
            }
            draft.to = original.to.clone();
            draft.cc = original.cc.clone();
            draft.subject = original.subject.clone();
            draft.body = original.body.join("\n");
            draft.attachments = original.attachments.clone();
        }
    }
    if let Some(signature) = signature.map(str::trim_end).filter(|s| !s.is_empty())
        && how != Start::EditAsNew
    {
        if !draft.body.is_empty() && !draft.body.ends_with('\n') {
            draft.body.push('\n');
        }
        draft.body.push_str("\n-- \n");
        draft
            .body
            .push_str(signature.strip_prefix("-- \n").unwrap_or(signature));
        draft.body.push('\n');
    }
    Ok(draft)
}

/// A draft kept as a message (in a Drafts folder) as a draft to go on writing:
/// everything as it was, threading included.
pub fn recall(original: &Original) -> Draft {
    Draft {
        from: original.from.first().cloned().unwrap_or_default(),
        to: original.to.clone(),
        cc: original.cc.clone(),
        bcc: original.bcc.clone(),
        subject: original.subject.clone(),
        body: original.body.join("\n"),
        attachments: original.attachments.clone(),
        in_reply_to: original.in_reply_to.clone(),
        references: original.references.clone(),
    }
}

/// The line above an inline forwarded message.
pub const FORWARD_MARKER: &str = "---------- Forwarded message ----------";

/// Reply-To when there is one, else From.
fn reply_to(original: &Original) -> Vec<Address> {
    if original.reply_to.is_empty() {
        original.from.clone()
    } else {
        original.reply_to.clone()
    }
}

/// Everyone: Mail-Followup-To when the sender set one (it is the whole list they
/// want answers to go to), else the reply address in To and everyone else in Cc;
/// never you (and never one address twice). Replying to your own message goes to
/// the people you wrote to.
fn reply_all(original: &Original, you: You<'_>) -> (Vec<Address>, Vec<Address>) {
    let mut seen: Vec<String> = Vec::new();
    let mut keep = |list: &[Address]| -> Vec<Address> {
        list.iter()
            .filter(|a| !a.email.is_empty() && !(you.is_own)(&a.email))
            .filter(|a| {
                let key = a.email.to_ascii_lowercase();
                let new = !seen.contains(&key);
                if new {
                    seen.push(key);
                }
                new
            })
            .cloned()
            .collect()
    };
    if !original.mail_followup_to.is_empty() {
        return (keep(&original.mail_followup_to), Vec::new());
    }
    let mut to = keep(&reply_to(original));
    let mut cc = keep(&[original.to.clone(), original.cc.clone()].concat());
    if to.is_empty() {
        // Your own message: answer those it went to.
        to = std::mem::take(&mut cc);
    }
    (to, cc)
}

/// The thread so far, then the message replied to: its References (or, without
/// them, its In-Reply-To) and its Message-ID.
fn references(original: &Original) -> Vec<String> {
    let mut chain: Vec<String> = if original.references.is_empty() {
        original.in_reply_to.iter().cloned().collect()
    } else {
        original.references.clone()
    };
    chain.extend(original.message_id.iter().cloned());
    // Very long threads: the first and the last ones are what threading needs.
    const KEEP: usize = 20;
    if chain.len() > KEEP {
        let tail = chain.split_off(chain.len() - (KEEP - 1));
        chain.truncate(1);
        chain.extend(tail);
    }
    chain
}

/// `prefix` + the subject, unless it already starts with one of `already` ("Re:",
/// "RE:", "Re[2]:", "Aw:", ...).
fn prefixed(prefix: &str, subject: &str, already: &[&str]) -> String {
    let trimmed = subject.trim();
    let lower = trimmed.to_lowercase();
    let has = already.iter().any(|word| {
        lower.strip_prefix(word).is_some_and(|rest| {
            let rest =
                rest.trim_start_matches(|c: char| c == '[' || c == ']' || c.is_ascii_digit());
            rest.starts_with(':')
        })
    });
    if has {
        trimmed.to_owned()
    } else {
        format!("{prefix}{trimmed}")
    }
}

/// The attribution line, then every line of the original with `> ` (a quoted line
/// gets `>` alone, so quotes stack as `>>`), then room to write.
fn quoted(attribution: &str, body: &[String]) -> String {
    let mut text = String::new();
    if !attribution.is_empty() {
        text.push_str(attribution);
        text.push('\n');
    }
    for line in trim_blank_end(body) {
        if line.is_empty() {
            text.push('>');
        } else if line.starts_with('>') {
            text.push('>');
            text.push_str(line);
        } else {
            text.push_str("> ");
            text.push_str(line);
        }
        text.push('\n');
    }
    text.push('\n');
    text
}

/// The original's header block and text under a separator, as forwards show it.
fn forwarded(original: &Original) -> String {
    let mut text = format!("\n\n{FORWARD_MARKER}\n");
    let list = |addresses: &[Address]| {
        addresses
            .iter()
            .map(Address::display)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (name, value) in [
        ("From", list(&original.from)),
        ("Date", original.date.clone()),
        ("Subject", original.subject.clone()),
        ("To", list(&original.to)),
        ("Cc", list(&original.cc)),
    ] {
        if !value.is_empty() {
            text.push_str(&format!("{name}: {value}\n"));
        }
    }
    text.push('\n');
    for line in trim_blank_end(&original.body) {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn trim_blank_end(body: &[String]) -> &[String] {
    let end = body
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |at| at + 1);
    &body[..end]
}

/// `<subject>.eml` with nothing that could lead out of a directory.
fn eml_name(subject: &str) -> String {
    let name: String = subject
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.,()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let name = name.trim().trim_matches('.');
    format!("{}.eml", if name.is_empty() { "message" } else { name })
}

/// Message-IDs of a header, without `<>`.
fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// `List-Post: <mailto:list@example.org>` (RFC 2369); `NO` means posting is not
/// allowed.
fn list_post(message: &Message<'_>) -> Option<Address> {
    let raw = message.header_raw("List-Post")?;
    let start = raw.find("<mailto:")? + "<mailto:".len();
    let end = raw[start..].find(['>', '?'])? + start;
    let email = raw[start..end].trim();
    (!email.is_empty()).then(|| Address {
        name: None,
        email: email.to_owned(),
    })
}

/// Every attachment with its bytes.
fn attachments(message: &Message<'_>) -> Vec<Attachment> {
    message
        .attachments()
        .map(|part| {
            let name = part.attachment_name().unwrap_or("attachment").to_owned();
            let mime = part
                .content_type()
                .map(|t| match t.subtype() {
                    Some(sub) => format!("{}/{sub}", t.ctype()),
                    None => t.ctype().to_string(),
                })
                .unwrap_or_else(|| super::compose::guess_mime_type(&name));
            Attachment {
                mime_type: mime,
                ..Attachment::from_bytes(name, part.contents().to_vec())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(email: &str) -> Address {
        Address {
            name: None,
            email: email.into(),
        }
    }

    const MESSAGE: &str = "From: Ann <ann@example.org>\r\n\
        To: me@work.example, Bob <bob@example.org>\r\n\
        Cc: Carol <carol@example.org>, ME@Work.Example\r\n\
        Subject: Plans for Friday\r\n\
        Date: Tue, 10 Mar 2026 09:00:00 +0000\r\n\
        Message-ID: <m3@example.org>\r\n\
        In-Reply-To: <m2@example.org>\r\n\
        References: <m1@example.org> <m2@example.org>\r\n\
        \r\n\
        Shall we meet?\r\n\
        > earlier words\r\n\
        \r\n\
        Ann\r\n\r\n";

    fn you_are<'a>(identities: &'a [Address], own: &'a dyn Fn(&str) -> bool) -> You<'a> {
        You {
            identities,
            is_own: own,
        }
    }

    fn original(text: &str) -> Original {
        Original::parse(text.as_bytes(), 80).unwrap()
    }

    #[test]
    fn a_reply_quotes_threads_and_does_not_double_re() {
        let ids = [address("me@work.example")];
        let own = |e: &str| e.eq_ignore_ascii_case("me@work.example");
        let draft = start(
            Start::Reply,
            &original(MESSAGE),
            you_are(&ids, &own),
            "On Tue, Ann wrote:",
            Some("Me\nwork"),
        )
        .unwrap();
        assert_eq!(
            draft.to,
            vec![Address {
                name: Some("Ann".into()),
                email: "ann@example.org".into()
            }]
        );
        assert!(draft.cc.is_empty());
        assert_eq!(draft.subject, "Re: Plans for Friday");
        assert_eq!(draft.in_reply_to.as_deref(), Some("m3@example.org"));
        assert_eq!(
            draft.references,
            ["m1@example.org", "m2@example.org", "m3@example.org"]
        );
        assert_eq!(
            draft.body,
            "On Tue, Ann wrote:\n> Shall we meet?\n>> earlier words\n>\n> Ann\n\n\n-- \nMe\nwork\n"
        );
        for subject in ["Re: x", "RE: x", "Re[2]: x", "Aw: x", "re:x"] {
            assert_eq!(prefixed("Re: ", subject, &["re", "aw"]), subject.trim());
        }
        assert_eq!(prefixed("Re: ", "Regarding x", &["re"]), "Re: Regarding x");
        assert_eq!(prefixed("Fwd: ", "Fw: x", &["fwd", "fw"]), "Fw: x");
    }

    #[test]
    fn reply_to_and_reply_all_pick_the_right_people_and_never_you() {
        let ids = [address("me@work.example"), address("me@alias.example")];
        let own = |e: &str| {
            ["me@work.example", "me@alias.example"]
                .iter()
                .any(|o| o.eq_ignore_ascii_case(e))
        };
        let with_reply_to = MESSAGE.replace(
            "Subject:",
            "Reply-To: Plans <plans@example.org>\r\nSubject:",
        );
        let you = you_are(&ids, &own);
        let reply = start(Start::Reply, &original(&with_reply_to), you, "", None).unwrap();
        assert_eq!(reply.to[0].email, "plans@example.org");
        let all = start(Start::ReplyAll, &original(MESSAGE), you, "", None).unwrap();
        let emails = |list: &[Address]| list.iter().map(|a| a.email.clone()).collect::<Vec<_>>();
        assert_eq!(emails(&all.to), ["ann@example.org"]);
        assert_eq!(emails(&all.cc), ["bob@example.org", "carol@example.org"]);
        // Sent from the address it was sent to.
        let to_alias = MESSAGE.replace("To: me@work.example,", "To: me@alias.example,");
        let reply = start(Start::Reply, &original(&to_alias), you, "", None).unwrap();
        assert_eq!(reply.from.email, "me@alias.example");
        // Mail-Followup-To is the whole list.
        let followup = MESSAGE.replace(
            "Subject:",
            "Mail-Followup-To: list@example.org, me@work.example\r\nSubject:",
        );
        let all = start(Start::ReplyAll, &original(&followup), you, "", None).unwrap();
        assert_eq!(emails(&all.to), ["list@example.org"]);
        assert!(all.cc.is_empty());
        // Your own message: to the people you wrote to.
        let mine = MESSAGE.replace("From: Ann <ann@example.org>", "From: me@work.example");
        let all = start(Start::ReplyAll, &original(&mine), you, "", None).unwrap();
        assert_eq!(emails(&all.to), ["bob@example.org", "carol@example.org"]);
    }

    #[test]
    fn reply_to_the_list_uses_list_post() {
        let ids = [address("me@work.example")];
        let own = |_: &str| false;
        let you = you_are(&ids, &own);
        let listed = MESSAGE.replace(
            "Subject:",
            "List-Post: <mailto:rust-users@lists.example.org?subject=help>\r\nSubject:",
        );
        let reply = start(Start::ReplyList, &original(&listed), you, "", None).unwrap();
        assert_eq!(reply.to[0].email, "rust-users@lists.example.org");
        assert_eq!(
            start(Start::ReplyList, &original(MESSAGE), you, "", None).unwrap_err(),
            ReplyError::NoList
        );
    }

    #[test]
    fn forwards_keep_the_files_or_carry_the_whole_message() {
        let ids = [address("me@work.example")];
        let own = |_: &str| false;
        let you = you_are(&ids, &own);
        let with_file = "From: Ann <ann@example.org>\r\nTo: me@work.example\r\nSubject: Fwd: report\r\n\
            MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
            Content-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/pdf\r\n\
            Content-Disposition: attachment; filename=\"q3.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            JVBERi0xLjQK\r\n--b--\r\n";
        let forward = start(Start::Forward, &original(with_file), you, "", None).unwrap();
        assert_eq!(forward.subject, "Fwd: report", "not doubled");
        assert!(forward.to.is_empty());
        assert!(
            forward
                .body
                .contains("---------- Forwarded message ----------\nFrom: Ann <ann@example.org>")
        );
        assert!(forward.body.contains("See attached."));
        assert_eq!(forward.attachments.len(), 1);
        assert_eq!(forward.attachments[0].filename, "q3.pdf");
        assert_eq!(forward.attachments[0].mime_type, "application/pdf");
        let attached = start(Start::ForwardAttached, &original(with_file), you, "", None).unwrap();
        assert_eq!(attached.attachments[0].mime_type, "message/rfc822");
        assert_eq!(attached.attachments[0].filename, "Fwd_ report.eml");
        assert!(attached.in_reply_to.is_none());
    }

    #[test]
    fn edit_as_new_copies_what_was_sent() {
        let ids = [address("me@work.example")];
        let own = |e: &str| e == "me@work.example";
        let you = you_are(&ids, &own);
        let sent = MESSAGE.replace("From: Ann <ann@example.org>", "From: Me <me@work.example>");
        let copy = start(Start::EditAsNew, &original(&sent), you, "", Some("sig")).unwrap();
        assert_eq!(copy.from.name.as_deref(), Some("Me"));
        assert_eq!(copy.subject, "Plans for Friday");
        assert!(copy.body.starts_with("Shall we meet?"));
        assert!(
            !copy.body.contains("-- \n"),
            "the signature is in the text already"
        );
        assert!(copy.in_reply_to.is_none());
    }

    #[test]
    fn a_long_thread_keeps_its_first_and_last_references() {
        let refs: Vec<String> = (0..40).map(|n| format!("<r{n}@x>")).collect();
        let text = MESSAGE.replace(
            "References: <m1@example.org> <m2@example.org>",
            &format!("References: {}", refs.join(" ")),
        );
        let chain = references(&original(&text));
        assert_eq!(chain.len(), 20);
        assert_eq!(chain[0], "r0@x");
        assert_eq!(chain[19], "m3@example.org");
        assert_eq!(chain[18], "r39@x");
    }
}

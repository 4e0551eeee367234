//! What to say before a message goes: mistakes that stop it (an address that does
//! not parse, nobody to send to) and likely slips the user may send anyway (no
//! subject, no text, "attached" but nothing attached).

use crate::store::NewDraft;

use super::build::{DraftError, to_mime};

/// The verdict on a draft about to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    /// It cannot be sent until these are mended.
    pub errors: Vec<String>,
    /// It can be sent, but the user should say so.
    pub warnings: Vec<String>,
}

impl Checked {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.warnings.is_empty()
    }
}

/// Words that say a file goes with the message.
const ATTACHMENT_WORDS: [&str; 8] = [
    "attach",
    "attached",
    "attachment",
    "attachments",
    "enclosed",
    "anbei",
    "anhang",
    "pièce",
];

pub fn check(draft: &NewDraft) -> Checked {
    let mut checked = Checked::default();
    match to_mime(draft) {
        Ok(message) => {
            if message.to.is_empty() && message.cc.is_empty() && message.bcc.is_empty() {
                checked
                    .errors
                    .push("there is no recipient: give an address in To, Cc or Bcc".into());
            }
        }
        Err(DraftError::Address { field, error }) => checked.errors.push(format!(
            "{field}: `{}` is not an address ({})",
            error.item, error.reason
        )),
        Err(error) => checked.errors.push(error.to_string()),
    }
    let written = &draft.written;
    if written.subject.trim().is_empty() {
        checked.warnings.push("there is no subject".into());
    }
    let own_text = own_lines(&written.body);
    if own_text.iter().all(|line| line.trim().is_empty()) && draft.files.is_empty() {
        checked.warnings.push("the message has no text".into());
    }
    if draft.files.is_empty() && mentions_attachment(&own_text) {
        checked
            .warnings
            .push("the text mentions an attachment, but nothing is attached".into());
    }
    checked
}

/// The lines the user wrote: above the signature, not quoted, and not the
/// attribution line over a quote ("On Monday, Bob wrote:").
fn own_lines(body: &str) -> Vec<&str> {
    let lines: Vec<&str> = body.lines().take_while(|line| *line != "-- ").collect();
    let quoted = |i: usize| lines.get(i).is_some_and(|line| line.starts_with('>'));
    lines
        .iter()
        .enumerate()
        .filter(|(i, line)| {
            let attribution = line.trim_end().ends_with(':') && quoted(i + 1);
            !quoted(*i) && !attribution
        })
        .map(|(_, line)| *line)
        .collect()
}

fn mentions_attachment(lines: &[&str]) -> bool {
    lines.iter().any(|line| {
        line.split(|c: char| !c.is_alphanumeric()).any(|word| {
            ATTACHMENT_WORDS
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::compose::Written;
    use crate::store::{DraftFile, DraftFileSource};

    fn draft(to: &str, subject: &str, body: &str) -> NewDraft {
        NewDraft {
            written: Written {
                from: "Ada <ada@example.org>".into(),
                to: to.into(),
                subject: subject.into(),
                body: body.into(),
                ..Written::default()
            },
            ..NewDraft::default()
        }
    }

    #[test]
    fn a_finished_message_is_clean() {
        assert!(check(&draft("bob@example.org", "Hi", "Hello Bob\n")).is_clean());
    }

    #[test]
    fn an_address_that_does_not_parse_is_named_with_its_field() {
        let checked = check(&draft("bob@example.org, carol at example", "Hi", "x"));
        assert_eq!(checked.errors.len(), 1);
        assert!(
            checked.errors[0].starts_with("To: `carol at example`"),
            "{checked:?}"
        );
    }

    #[test]
    fn nobody_to_send_to_is_an_error() {
        let checked = check(&draft("", "Hi", "x"));
        assert!(checked.errors[0].contains("no recipient"), "{checked:?}");
    }

    #[test]
    fn slips_are_warnings() {
        let body = "On Monday, Bob wrote:\n> quoted only\n-- \nAda\n";
        let checked = check(&draft("bob@example.org", " ", body));
        assert_eq!(
            checked.warnings,
            vec!["there is no subject", "the message has no text"]
        );
        let checked = check(&draft(
            "bob@example.org",
            "Report",
            "The report is attached.\n",
        ));
        assert_eq!(
            checked.warnings,
            vec!["the text mentions an attachment, but nothing is attached"]
        );
    }

    #[test]
    fn attachment_words_in_the_quote_or_with_a_file_are_fine() {
        let mut with_file = draft("bob@example.org", "Report", "See attached.\n");
        with_file.files.push(DraftFile {
            filename: "r.pdf".into(),
            mime_type: "application/pdf".into(),
            source: DraftFileSource::Bytes(vec![1]),
        });
        assert!(check(&with_file).is_clean());
        let quoted = draft(
            "bob@example.org",
            "Re: x",
            "Thanks!\n> see the attachment\n",
        );
        assert!(check(&quoted).is_clean());
    }
}

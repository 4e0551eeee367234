//! A message as the user's editor sees it: the headers they may change on top
//! (From, To, Cc, Bcc, Subject), a blank line, the body. Written before the editor
//! starts, read back when it exits; nothing else about the message (threading,
//! attachments) is in the text, so an edit cannot break it.

/// The parts of a message a person writes, as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Written {
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: String,
}

/// What is wrong with an edited text; the rest of it was still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextProblem {
    /// 1-based line of the text.
    pub line: usize,
    pub message: String,
}

const HEADERS: [&str; 5] = ["From", "To", "Cc", "Bcc", "Subject"];

impl Written {
    /// The text for the editor.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for (name, value) in [
            ("From", &self.from),
            ("To", &self.to),
            ("Cc", &self.cc),
            ("Bcc", &self.bcc),
            ("Subject", &self.subject),
        ] {
            text.push_str(name);
            text.push_str(": ");
            text.push_str(&one_line(value));
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.body);
        text
    }

    /// Reads an edited text back. Header lines may come in any order and continue
    /// on lines that start with a space; a header postern does not edit here, or a
    /// line that is no header before the blank line, is a problem (with its line)
    /// and the text from there on is taken as the body, so nothing typed is lost.
    pub fn from_text(text: &str) -> (Written, Vec<TextProblem>) {
        let mut written = Written::default();
        let mut problems = Vec::new();
        let mut lines = text.split_inclusive('\n').enumerate().peekable();
        let mut current: Option<&str> = None;
        let mut body_from = text.len();
        let mut offset = 0;
        while let Some((index, line)) = lines.next() {
            let content = line.trim_end_matches(['\n', '\r']);
            if content.is_empty() {
                body_from = offset + line.len();
                break;
            }
            if content.starts_with([' ', '\t'])
                && let Some(name) = current
            {
                let field = written.field(name);
                field.push(' ');
                field.push_str(content.trim());
                offset += line.len();
                continue;
            }
            let header = content.split_once(':').and_then(|(name, value)| {
                HEADERS
                    .iter()
                    .find(|h| h.eq_ignore_ascii_case(name.trim()))
                    .map(|h| (*h, value.trim()))
            });
            match header {
                Some((name, value)) => {
                    let field = written.field(name);
                    if !field.is_empty() && !value.is_empty() {
                        problems.push(TextProblem {
                            line: index + 1,
                            message: format!("{name} is written twice; the second is kept"),
                        });
                    }
                    *field = value.to_owned();
                    current = Some(name);
                }
                None => {
                    problems.push(TextProblem {
                        line: index + 1,
                        message: format!(
                            "\"{}\" is not one of the headers edited here ({}); it and what follows are kept as the body",
                            short(content),
                            HEADERS.join(", ")
                        ),
                    });
                    body_from = offset;
                    break;
                }
            }
            offset += line.len();
            if lines.peek().is_none() {
                body_from = text.len();
            }
        }
        written.body = text[body_from.min(text.len())..].to_owned();
        (written, problems)
    }

    fn field(&mut self, name: &str) -> &mut String {
        match name {
            "From" => &mut self.from,
            "To" => &mut self.to,
            "Cc" => &mut self.cc,
            "Bcc" => &mut self.bcc,
            _ => &mut self.subject,
        }
    }
}

/// A header value on one line: what an editor shows must parse back the same.
fn one_line(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn short(line: &str) -> String {
    let cut: String = line.chars().take(40).collect();
    if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written() -> Written {
        Written {
            from: "Me <me@work.example>".into(),
            to: "Ann <ann@example.org>, bob@example.org".into(),
            cc: String::new(),
            bcc: "boss@example.org".into(),
            subject: "Re: Plans for Friday".into(),
            body: "Yes.\n\nOn Tue, Ann wrote:\n> Shall we?\n\nSubject: not a header here\n".into(),
        }
    }

    #[test]
    fn the_text_reads_back_as_it_was_written() {
        let text = written().to_text();
        assert!(
            text.starts_with("From: Me <me@work.example>\nTo: Ann"),
            "{text}"
        );
        assert_eq!(Written::from_text(&text), (written(), Vec::new()));
    }

    #[test]
    fn edits_in_any_order_with_continuations_are_read() {
        let text = "subject: New\nTO: ann@example.org,\n  bob@example.org\nFrom: me@work.example\n\nbody\n";
        let (read, problems) = Written::from_text(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(read.to, "ann@example.org, bob@example.org");
        assert_eq!(read.subject, "New");
        assert_eq!(read.body, "body\n");
    }

    #[test]
    fn a_line_that_is_no_header_keeps_everything_as_the_body() {
        let text = "To: ann@example.org\nDear Ann,\nthe body.\n";
        let (read, problems) = Written::from_text(text);
        assert_eq!(read.to, "ann@example.org");
        assert_eq!(read.body, "Dear Ann,\nthe body.\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 2);
        let (read, _) = Written::from_text("X-Mailer: me\n\nhi\n");
        assert_eq!(read.body, "X-Mailer: me\n\nhi\n", "nothing typed is lost");
    }

    #[test]
    fn a_newline_in_a_value_cannot_start_a_header() {
        let mut injected = written();
        injected.subject = "hi\r\nBcc: everyone@example.org".into();
        let (read, _) = Written::from_text(&injected.to_text());
        assert_eq!(read.subject, "hi Bcc: everyone@example.org");
        assert_eq!(read.bcc, "boss@example.org");
    }

    #[test]
    fn headers_only_or_nothing_at_all() {
        let (read, problems) = Written::from_text("To: a@b.example");
        assert_eq!((read.to.as_str(), read.body.as_str()), ("a@b.example", ""));
        assert!(problems.is_empty());
        assert_eq!(Written::from_text(""), (Written::default(), Vec::new()));
    }
}

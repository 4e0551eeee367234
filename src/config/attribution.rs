//! The attribution line written above a quoted reply (`[compose] attribution`), such as
//! "On {date}, {from} wrote:". Pure text work: [`check_attribution`] says what is wrong
//! with a template, [`fill_attribution`] writes the line.
//!
//! A template is text with placeholders in braces; `{{` and `}}` write a literal brace.
//! Each placeholder is replaced once, by its value as given: a value that itself holds
//! `{from}` is written as it is, never expanded again.

use super::resolve::suggest;

/// The attribution used when `[compose]` does not set one.
pub const DEFAULT_ATTRIBUTION: &str = "On {date}, {from} wrote:";

/// The placeholder names, as written between the braces.
pub const PLACEHOLDERS: [&str; 4] = ["date", "from", "name", "subject"];

/// What the placeholders stand for, for the message replied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributionValues<'a> {
    /// `{date}`: when the message was sent, as the caller chooses to write it.
    pub date: &'a str,
    /// `{from}`: its sender, as the caller writes it (e.g. `Ada <ada@example.org>`).
    pub from: &'a str,
    /// `{name}`: the sender's name, or their address when the message gives no name.
    pub name: &'a str,
    /// `{subject}`: its subject.
    pub subject: &'a str,
}

/// One thing wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionError {
    /// Byte offset in the template where the problem starts.
    pub offset: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholder {
    Date,
    From,
    Name,
    Subject,
}

impl Placeholder {
    fn from_name(name: &str) -> Option<Placeholder> {
        match name {
            "date" => Some(Placeholder::Date),
            "from" => Some(Placeholder::From),
            "name" => Some(Placeholder::Name),
            "subject" => Some(Placeholder::Subject),
            _ => None,
        }
    }

    fn value<'a>(self, values: &AttributionValues<'a>) -> &'a str {
        match self {
            Placeholder::Date => values.date,
            Placeholder::From => values.from,
            Placeholder::Name => values.name,
            Placeholder::Subject => values.subject,
        }
    }
}

/// A piece of a template, with the text it was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'t> {
    Text(&'t str),
    /// `{{` or `}}`.
    Brace(char),
    Placeholder(Placeholder),
    /// `{word}` with a word that is no placeholder.
    Unknown(&'t str),
    /// A `{` that no `}` closes.
    Unclosed,
    /// A `}` that is neither `}}` nor the end of a placeholder.
    LoneClose,
}

/// The pieces of `template` with their byte offsets; never fails, mistakes are pieces.
fn pieces<'t>(template: &'t str) -> Vec<(usize, &'t str, Piece<'t>)> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    let bytes = template.as_bytes();
    let flush = |out: &mut Vec<(usize, &'t str, Piece<'t>)>, start: usize, end: usize| {
        if start < end {
            let text = &template[start..end];
            out.push((start, text, Piece::Text(text)));
        }
    };
    while at < bytes.len() {
        let next = bytes.get(at + 1).copied();
        match bytes[at] {
            b'{' if next == Some(b'{') => {
                flush(&mut out, text_start, at);
                out.push((at, &template[at..at + 2], Piece::Brace('{')));
                at += 2;
                text_start = at;
            }
            b'}' if next == Some(b'}') => {
                flush(&mut out, text_start, at);
                out.push((at, &template[at..at + 2], Piece::Brace('}')));
                at += 2;
                text_start = at;
            }
            b'{' => {
                flush(&mut out, text_start, at);
                let rest = &template[at + 1..];
                match rest.find(['{', '}']) {
                    Some(end) if rest.as_bytes()[end] == b'}' => {
                        let name = &rest[..end];
                        let written = &template[at..at + end + 2];
                        let piece = Placeholder::from_name(name)
                            .map_or(Piece::Unknown(name), Piece::Placeholder);
                        out.push((at, written, piece));
                        at += end + 2;
                    }
                    _ => {
                        out.push((at, &template[at..at + 1], Piece::Unclosed));
                        at += 1;
                    }
                }
                text_start = at;
            }
            b'}' => {
                flush(&mut out, text_start, at);
                out.push((at, &template[at..at + 1], Piece::LoneClose));
                at += 1;
                text_start = at;
            }
            _ => at += 1,
        }
    }
    flush(&mut out, text_start, bytes.len());
    out
}

/// `{date}, {from}, {name} and {subject}`.
fn placeholder_list() -> String {
    let names: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
    match names.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.join(""),
    }
}

/// Every mistake in `template`: unknown placeholders (with the closest one suggested),
/// braces that do not pair, and line breaks or other control characters (the
/// attribution is one line). An empty template is valid: no attribution line.
pub fn check_attribution(template: &str) -> Result<(), Vec<AttributionError>> {
    let mut errors = Vec::new();
    if let Some((offset, _)) = template.char_indices().find(|(_, c)| c.is_control()) {
        errors.push(AttributionError {
            offset,
            message: "the attribution is one line: it cannot hold a line break, tab or other \
                      control character"
                .to_owned(),
        });
    }
    for (offset, written, piece) in pieces(template) {
        let message = match piece {
            Piece::Unknown(name) => match suggest(name, &PLACEHOLDERS) {
                Some(best) => format!(
                    "unknown placeholder `{written}`, did you mean `{{{best}}}`? (the \
                     placeholders are {}; write {{{{ and }}}} for a literal brace)",
                    placeholder_list()
                ),
                None => format!(
                    "unknown placeholder `{written}`; the placeholders are {} (write {{{{ and \
                     }}}} for a literal brace)",
                    placeholder_list()
                ),
            },
            Piece::Unclosed => "this `{` opens a placeholder that no `}` closes; write {{ for a \
                                literal brace, or a placeholder such as {date}"
                .to_owned(),
            Piece::LoneClose => {
                "a `}` that closes no placeholder; write }} for a literal brace".to_owned()
            }
            Piece::Text(_) | Piece::Brace(_) | Piece::Placeholder(_) => continue,
        };
        errors.push(AttributionError { offset, message });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort_by_key(|e| e.offset);
        Err(errors)
    }
}

/// The attribution line for a reply: each placeholder replaced by its value, `{{` and
/// `}}` by a single brace. Values are inserted as they are (a subject holding `{from}`
/// stays `{from}`). A template that [`check_attribution`] refuses still gives a line:
/// its mistakes are written as they stand.
pub fn fill_attribution(template: &str, values: &AttributionValues) -> String {
    let mut line = String::with_capacity(template.len());
    for (_, written, piece) in pieces(template) {
        match piece {
            Piece::Text(text) => line.push_str(text),
            Piece::Brace(brace) => line.push(brace),
            Piece::Placeholder(placeholder) => line.push_str(placeholder.value(values)),
            Piece::Unknown(_) | Piece::Unclosed | Piece::LoneClose => line.push_str(written),
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: AttributionValues<'static> = AttributionValues {
        date: "Mon, 3 Mar 2025 10:00",
        from: "Ada Lovelace <ada@example.org>",
        name: "Ada Lovelace",
        subject: "Engines",
    };

    fn errors(template: &str) -> Vec<AttributionError> {
        match check_attribution(template) {
            Ok(()) => panic!("expected {template:?} to be refused"),
            Err(errors) => errors,
        }
    }

    #[test]
    fn every_placeholder_is_filled() {
        assert_eq!(
            fill_attribution(DEFAULT_ATTRIBUTION, &VALUES),
            "On Mon, 3 Mar 2025 10:00, Ada Lovelace <ada@example.org> wrote:"
        );
        assert_eq!(
            fill_attribution("{name} on \"{subject}\" ({date}), {from}:{name}", &VALUES),
            "Ada Lovelace on \"Engines\" (Mon, 3 Mar 2025 10:00), Ada Lovelace \
             <ada@example.org>:Ada Lovelace"
        );
        assert_eq!(fill_attribution("", &VALUES), "");
        assert_eq!(fill_attribution("plain text", &VALUES), "plain text");
        assert_eq!(
            fill_attribution("Grüße, {name}!", &VALUES),
            "Grüße, Ada Lovelace!"
        );
        for template in [DEFAULT_ATTRIBUTION, "", "{{x}} {subject}", "Grüße {name}"] {
            assert_eq!(check_attribution(template), Ok(()), "{template:?}");
        }
    }

    #[test]
    fn double_braces_are_literal_braces() {
        assert_eq!(
            fill_attribution("{{date}} is {date} {{{name}}} }}{{", &VALUES),
            "{date} is Mon, 3 Mar 2025 10:00 {Ada Lovelace} }{"
        );
        assert_eq!(check_attribution("{{date}} {{{name}}} }}{{"), Ok(()));
    }

    #[test]
    fn values_are_not_expanded_again() {
        let values = AttributionValues {
            subject: "about {from} and {{braces}}",
            name: "{subject}",
            ..VALUES
        };
        assert_eq!(
            fill_attribution("{name} wrote about {subject}", &values),
            "{subject} wrote about about {from} and {{braces}}"
        );
    }

    #[test]
    fn unknown_placeholders_are_refused_with_a_suggestion() {
        let found = errors("On {dat}, {from} wrote:");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 3);
        assert_eq!(
            found[0].message,
            "unknown placeholder `{dat}`, did you mean `{date}`? (the placeholders are \
             {date}, {from}, {name} and {subject}; write {{ and }} for a literal brace)"
        );
        let found = errors("{sender} wrote");
        assert!(
            found[0]
                .message
                .starts_with("unknown placeholder `{sender}`; the placeholders are {date}"),
            "{found:?}"
        );
        assert!(
            errors("{Subject}")[0]
                .message
                .contains("did you mean `{subject}`?")
        );
        assert!(
            errors("{}")[0]
                .message
                .contains("unknown placeholder `{}`;")
        );
        // Refused, but filling still gives the text as written.
        assert_eq!(
            fill_attribution("{dat} {name}", &VALUES),
            "{dat} Ada Lovelace"
        );
    }

    #[test]
    fn unpaired_braces_and_line_breaks_are_refused() {
        let found = errors("On {date, {from} wrote: }");
        let located: Vec<usize> = found.iter().map(|e| e.offset).collect();
        assert_eq!(located, [3, 24], "{found:?}");
        assert!(found[0].message.contains("no `}` closes"), "{found:?}");
        assert!(
            found[1].message.contains("write }} for a literal brace"),
            "{found:?}"
        );
        assert!(errors("{date")[0].message.contains("no `}` closes"));
        assert!(errors("On {date}\nwrote:")[0].message.contains("one line"));
        assert_eq!(fill_attribution("a } b {", &VALUES), "a } b {");
    }
}

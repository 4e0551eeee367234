//! Address completion in postern's own editor, as the model keeps it: which
//! request's answer is awaited, the candidates shown under the field and the one
//! picked; and the text rules: the address being typed is what follows the last
//! comma before the cursor, and an accepted one replaces it as `Name <email>, `.
//! Plain data: the requests go out as effects (`update::complete`).

use crate::engine::RequestId;
use crate::mime::{Address, sanitize};
use crate::tui::writer::Field;

/// The popup's state. Nothing shown when there are no candidates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// The latest request; answers to any other are stale and dropped.
    pub request: Option<RequestId>,
    /// The field and the text the request was made for.
    pub field: Option<Field>,
    pub typed: String,
    pub candidates: Vec<Address>,
    /// The candidate picked with Tab / Down / Ctrl-n, if any.
    pub selected: Option<usize>,
}

impl Completion {
    /// Whether the popup is drawn (and takes its keys).
    pub fn is_shown(&self) -> bool {
        !self.candidates.is_empty()
    }

    /// Asked again: what was shown stays until the answer replaces it.
    pub fn ask(&mut self, request: RequestId, field: Field, typed: String) {
        self.request = Some(request);
        self.field = Some(field);
        self.typed = typed;
    }

    /// An answer: taken when it is for the latest request. The pick stays on the
    /// same address when it is still there (a second answer reorders the list).
    pub fn answered(&mut self, request: RequestId, candidates: Vec<Address>) -> bool {
        if self.request != Some(request) {
            return false;
        }
        let picked = self
            .selected
            .and_then(|i| self.candidates.get(i))
            .map(|a| a.email.to_lowercase());
        self.selected = picked.and_then(|email| {
            candidates
                .iter()
                .position(|a| a.email.to_lowercase() == email)
        });
        self.candidates = candidates;
        true
    }

    /// Closed: nothing shown, and answers still on their way are dropped.
    pub fn close(&mut self) {
        *self = Completion::default();
    }

    /// Picks the next candidate (the first when none is picked), wrapping.
    pub fn next(&mut self) {
        let n = self.candidates.len();
        if n > 0 {
            self.selected = Some(self.selected.map_or(0, |i| (i + 1) % n));
        }
    }

    /// Picks the previous candidate (the last when none is picked), wrapping.
    pub fn previous(&mut self) {
        let n = self.candidates.len();
        if n > 0 {
            self.selected = Some(self.selected.map_or(n - 1, |i| (i + n - 1) % n));
        }
    }

    pub fn picked(&self) -> Option<&Address> {
        self.selected.and_then(|i| self.candidates.get(i))
    }
}

/// Whether addresses are completed in `field`.
pub fn completes(field: Field) -> bool {
    matches!(field, Field::To | Field::Cc | Field::Bcc)
}

/// The address being typed in `text` with the cursor at character `cursor`: what
/// follows the last comma (or semicolon) before it, leading spaces left out.
/// `None` when nothing is typed there yet.
pub fn typed_at(text: &str, cursor: usize) -> Option<String> {
    let before: String = text.chars().take(cursor).collect();
    let start = before.rfind([',', ';']).map_or(0, |at| at + 1);
    let typed = before[start..].trim_start();
    (!typed.trim().is_empty()).then(|| typed.to_owned())
}

/// `text` with the address being typed at `cursor` (and the rest of that list
/// item) replaced by `address` and a `, `: the new text and where the cursor goes
/// (just after it), in characters.
pub fn accept(text: &str, cursor: usize, address: &Address) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    let is_separator = |c: &char| matches!(c, ',' | ';');
    let start = chars[..cursor]
        .iter()
        .rposition(is_separator)
        .map_or(0, |at| at + 1);
    // The rest of the item goes too, and its separator; what follows stays.
    let end = chars[cursor..]
        .iter()
        .position(is_separator)
        .map_or(chars.len(), |at| cursor + at + 1);
    let head: String = chars[..start].iter().collect();
    let tail: String = chars[end..].iter().collect();
    let tail = tail.trim_start();
    let gap = if start > 0 { " " } else { "" };
    let inserted = format!("{gap}{}, ", written(address));
    let cursor = head.chars().count() + inserted.chars().count();
    (format!("{head}{inserted}{tail}"), cursor)
}

/// How an address is written into a header: its name made safe (it comes from
/// mail or an address book) and quoted when it needs to be.
pub fn written(address: &Address) -> String {
    let email = sanitize::line(address.email.trim()).into_owned();
    let name = address
        .name
        .as_deref()
        .map(|name| {
            sanitize::line(name)
                .replace(['"', '<', '>'], "")
                .trim()
                .to_owned()
        })
        .filter(|name| !name.is_empty());
    match name {
        None => email,
        Some(name) if name.contains([',', ';', '(', ')', ':', '@', '.', '[', ']', '\\']) => {
            format!("\"{name}\" <{email}>")
        }
        Some(name) => format!("{name} <{email}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> Address {
        Address {
            name: Some("Ada Lovelace".into()),
            email: "ada@example.org".into(),
        }
    }

    #[test]
    fn the_typed_address_follows_the_last_comma_before_the_cursor() {
        assert_eq!(typed_at("ad", 2).as_deref(), Some("ad"));
        assert_eq!(typed_at("bob@x.org, ad", 13).as_deref(), Some("ad"));
        assert_eq!(typed_at("bob@x.org, ", 11), None);
        assert_eq!(typed_at("Ada Lo", 6).as_deref(), Some("Ada Lo"));
        assert_eq!(typed_at("ad, bob", 2).as_deref(), Some("ad"));
        assert_eq!(typed_at("", 0), None);
    }

    #[test]
    fn an_accepted_address_replaces_what_was_typed() {
        assert_eq!(
            accept("ad", 2, &ada()),
            ("Ada Lovelace <ada@example.org>, ".into(), 32)
        );
        let (text, cursor) = accept("bob@x.org, ad", 13, &ada());
        assert_eq!(text, "bob@x.org, Ada Lovelace <ada@example.org>, ");
        assert_eq!(cursor, text.chars().count());
        let (text, cursor) = accept("ad, cy@x.org", 2, &ada());
        assert_eq!(text, "Ada Lovelace <ada@example.org>, cy@x.org");
        assert_eq!(cursor, 32);
    }

    #[test]
    fn names_are_cleaned_and_quoted_when_needed() {
        let odd = Address {
            name: Some("Lovelace, Ada \u{1b}[2J\"".into()),
            email: "ada@example.org".into(),
        };
        assert_eq!(written(&odd), "\"Lovelace, Ada\" <ada@example.org>");
        let bare = Address {
            name: None,
            email: "ada@example.org".into(),
        };
        assert_eq!(written(&bare), "ada@example.org");
    }

    #[test]
    fn stale_answers_are_dropped_and_the_pick_follows_its_address() {
        let mut c = Completion::default();
        c.ask(RequestId(1), Field::To, "a".into());
        c.ask(RequestId(2), Field::To, "ad".into());
        assert!(!c.answered(RequestId(1), vec![ada()]));
        let bob = Address {
            name: None,
            email: "bob@x.org".into(),
        };
        assert!(c.answered(RequestId(2), vec![bob.clone(), ada()]));
        c.next();
        c.next();
        assert_eq!(c.picked(), Some(&ada()));
        assert!(c.answered(RequestId(2), vec![ada(), bob]));
        assert_eq!(c.picked(), Some(&ada()));
        c.previous();
        assert_eq!(c.selected, Some(1));
        c.close();
        assert!(!c.is_shown());
        assert!(!c.answered(RequestId(2), vec![ada()]));
    }
}

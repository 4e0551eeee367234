//! The one gate between mail text and the terminal.

use std::borrow::Cow;

/// Make one line of mail-derived text safe to draw: no escape sequences,
/// no control characters, no line breaks.
///
/// Placeholder from the tui branch (drops every control character, so an ESC
/// can no longer start a sequence); the mime helper's version replaces it.
pub fn line(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(text.chars().filter(|c| !c.is_control()).collect())
    } else {
        Cow::Borrowed(text)
    }
}

//! Between `Written`'s strings and the text areas' lines, and what is let in.
//!
//! A text area holds a field as lines. The body is split at its `\n`s and joined
//! back with them, so it comes out byte for byte as it went in (a trailing
//! newline is a last empty line; a `\r` before a `\n` stays on its line). A
//! header is one line: a line break in a header value is how a header gets
//! injected, so one is folded to a space when the writer starts, as the external
//! editor's text does (`Written::to_text`).
//!
//! Pasted text comes from anywhere (a web page, another terminal): it passes
//! through `mime::sanitize` before it is inserted, so no escape sequence or
//! control character gets into the mail, and none to the screen.

use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::mime::sanitize;

/// Undo steps kept per field: the text area's default (50) is about a line of
/// typing, since every typed character is a step.
const UNDO_STEPS: usize = 10_000;

/// A text area for one field, holding `lines`, that draws no cursor of its own
/// (the terminal cursor is placed instead, so exactly one shows) and no
/// underlined cursor line.
pub(super) fn area(lines: Vec<String>, wrap: WrapMode) -> TextArea<'static> {
    let mut area = TextArea::new(lines);
    area.set_max_histories(UNDO_STEPS);
    area.set_cursor_style(ratatui::style::Style::default());
    area.set_cursor_line_style(ratatui::style::Style::default());
    area.set_wrap_mode(wrap);
    area
}

/// The body's lines: split at every `\n`, nothing else touched.
pub(super) fn body_lines(body: &str) -> Vec<String> {
    body.split('\n').map(str::to_owned).collect()
}

/// A header value on one line: unchanged unless it holds a line break, which
/// becomes a space (with the spaces around it).
pub(super) fn header_line(value: &str) -> String {
    if !value.contains(['\r', '\n']) {
        return value.to_owned();
    }
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field's text from its text area's lines.
pub(super) fn joined(lines: &[String]) -> String {
    lines.join("\n")
}

/// Pasted text made fit for the body: escape sequences and control characters
/// gone, line breaks (CRLF, CR, the Unicode separators) as `\n`, tabs as spaces
/// to 8-column stops (as `sanitize::text` shows them everywhere else).
pub(super) fn pasted_body(text: &str) -> String {
    let mut out = sanitize::text(text).join("\n");
    // `sanitize::text` ends the last line at a trailing break; a paste that ended
    // with one should leave the cursor on the line after it.
    if text.ends_with(['\n', '\r']) {
        out.push('\n');
    }
    out
}

/// Pasted text made fit for a header: one line, cleaned as [`pasted_body`] is,
/// a trailing line break (copied with an address) dropped.
pub(super) fn pasted_header(text: &str) -> String {
    sanitize::line(text.trim_end_matches(['\r', '\n'])).into_owned()
}

/// The cursor as a character offset into the field's text (a line break counts
/// as one character).
pub(super) fn offset(lines: &[String], (row, col): (usize, usize)) -> usize {
    lines
        .iter()
        .take(row)
        .map(|line| line.chars().count() + 1)
        .sum::<usize>()
        + col
}

/// Where a character offset into `text` is, as (row, column in characters);
/// past the end is the end.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let (mut row, mut col) = (0, 0);
    for c in text.chars().take(offset) {
        if c == '\n' {
            row += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    (row, col)
}

/// Puts the cursor at (row, column). The text area jumps in `u16`s: a position
/// beyond that (a body of 65 536 lines) ends up as far as it can go.
pub(super) fn jump(area: &mut TextArea<'_>, (row, col): (usize, usize)) {
    let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    area.move_cursor(CursorMove::Jump(clamp(row), clamp(col)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_splits_and_joins_exactly() {
        for body in ["", "\n", "a", "a\n", "a\r\nb\r\n", "\n\nx\n\n", "ö🙂\nz"] {
            assert_eq!(joined(&body_lines(body)), body, "{body:?}");
        }
    }

    #[test]
    fn a_header_is_one_line() {
        assert_eq!(header_line("  Ann <a@x.example> "), "  Ann <a@x.example> ");
        assert_eq!(
            header_line("hi\r\nBcc: everyone@example.org"),
            "hi Bcc: everyone@example.org"
        );
    }

    #[test]
    fn pasted_text_loses_its_escapes_and_keeps_its_lines() {
        assert_eq!(
            pasted_body("\u{1b}[31mred\u{1b}[0m\r\nnext\n"),
            "red\nnext\n"
        );
        assert_eq!(pasted_body("a\tb"), "a       b");
        assert_eq!(pasted_body("\n"), "\n");
        assert_eq!(pasted_body(""), "");
        assert_eq!(pasted_header("ann@example.org\n"), "ann@example.org");
        assert_eq!(pasted_header("a\nb\u{7}"), "a b");
    }

    #[test]
    fn offsets_and_positions_agree() {
        let text = "ab\nö\n\nxyz";
        let lines = body_lines(text);
        for (at, place) in [
            (0, (0, 0)),
            (2, (0, 2)),
            (3, (1, 0)),
            (6, (3, 0)),
            (9, (3, 3)),
        ] {
            assert_eq!(position(text, at), place);
            assert_eq!(offset(&lines, place), at);
        }
        assert_eq!(position(text, 99), (3, 3));
    }
}

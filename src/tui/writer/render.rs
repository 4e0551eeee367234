//! Drawing the writer: the header fields on top (`To:      …`), a rule, the body
//! soft-wrapped to the width, the key hint on the last line. The focused field's
//! name is drawn in the cursor style and the terminal cursor is put in it.
//!
//! The text areas draw their lines as they are, and a body can hold whatever
//! the user was sent or pasted before postern cleaned pastes (a reply quotes
//! mail). ratatui leaves control characters out of its cells today, but that is
//! a detail of two crates postern does not own, so every cell the writer drew
//! passes through `mime::sanitize::line`, the one gate between mail text and the
//! terminal, before the frame goes out. (The raw text is kept: the cursor
//! arithmetic is the text area's, and the mail is what was written.)

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::{Field, Writer};
use crate::mime::sanitize;
use crate::tui::theme::Theme;
use crate::tui::view::text::{safe, truncate};

/// Columns of a header's name, "Subject: " being the longest.
const LABEL_WIDTH: u16 = 9;

impl Writer {
    /// Draws the writer into `area` and puts the terminal cursor in the focused
    /// field. Rows are given to the hint, the headers and the rule first; the
    /// body has what is left.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let headers = Field::HEADERS.len() as u16;
        let [head, rule, body, hint] = Layout::vertical([
            Constraint::Length(headers),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut focused = None;
        for (row, field) in (0..head.height).zip(Field::HEADERS) {
            let line = Rect::new(head.x, head.y + row, head.width, 1);
            let input = self.header(frame, line, field, theme);
            if field == self.focus {
                focused = Some(input);
            }
        }
        let ruled = "─".repeat(usize::from(rule.width));
        let rule_style = if self.focus == Field::Body {
            theme.border(true)
        } else {
            theme.muted
        };
        frame.render_widget(Paragraph::new(Span::styled(ruled, rule_style)), rule);
        frame.render_widget(self.area(Field::Body), body);
        if self.focus == Field::Body {
            focused = Some(body);
        }
        let hint_text = truncate(&safe(&self.hint), usize::from(hint.width));
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(hint_text, theme.muted))),
            hint,
        );
        scrub(frame, area);
        if let Some(input) = focused {
            place_cursor(frame, self.area(self.focus), input);
        }
    }

    /// Where [`Writer::render`] into `area` draws `field`'s text (a header's), so
    /// the caller can put something under it (the address completion popup).
    pub fn input_area(area: Rect, field: Field) -> Option<Rect> {
        let row = Field::HEADERS.iter().position(|f| *f == field)?;
        let row = u16::try_from(row).ok()?;
        if row >= area.height {
            return None;
        }
        let label_width = LABEL_WIDTH.min(area.width);
        Some(Rect::new(
            area.x + label_width,
            area.y + row,
            area.width - label_width,
            1,
        ))
    }

    /// One header line: its name, then its text area. Returns where the text
    /// area was drawn.
    fn header(&self, frame: &mut Frame, line: Rect, field: Field, theme: &Theme) -> Rect {
        let label_width = LABEL_WIDTH.min(line.width);
        let label = Rect::new(line.x, line.y, label_width, 1);
        let input = Rect::new(line.x + label_width, line.y, line.width - label_width, 1);
        let style = if field == self.focus {
            theme.cursor
        } else {
            theme.header
        };
        let name = format!("{}:", field.name());
        frame.render_widget(Paragraph::new(Span::styled(name, style)), label);
        frame.render_widget(self.area(field), input);
        input
    }
}

/// Puts the terminal cursor where the text area's cursor was drawn, as it
/// scrolled while drawing; nowhere when that is outside `input` (a field too
/// small to show).
fn place_cursor(frame: &mut Frame, area: &TextArea<'_>, input: Rect) {
    let cursor = area.screen_cursor();
    let (top, left) = area.scroll_offset();
    let row = cursor.row.checked_sub(usize::from(top));
    let col = cursor.col.checked_sub(usize::from(left));
    let (Some(row), Some(col)) = (row, col) else {
        return;
    };
    if input.width == 0 || row >= usize::from(input.height) {
        return;
    }
    // A cursor just past a full-width row is drawn in its last column.
    let col = col.min(usize::from(input.width) - 1);
    let (Ok(row), Ok(col)) = (u16::try_from(row), u16::try_from(col)) else {
        return;
    };
    frame.set_cursor_position(Position::new(input.x + col, input.y + row));
}

/// Every cell of `area` made safe to send to the terminal.
fn scrub(frame: &mut Frame, area: Rect) {
    let buffer = frame.buffer_mut();
    let area = area.intersection(buffer.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buffer[(x, y)];
            if let Cow::Owned(clean) = sanitize::line(cell.symbol()) {
                let symbol = if clean.is_empty() { " " } else { &clean };
                cell.set_symbol(symbol);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    /// ratatui happens to leave these out of its cells today; the scrub does not
    /// rely on it.
    #[test]
    fn the_scrub_cleans_whatever_a_cell_was_given() {
        let mut terminal = Terminal::new(TestBackend::new(4, 1)).unwrap();
        terminal
            .draw(|frame| {
                let buffer = frame.buffer_mut();
                buffer[(0, 0)].set_symbol("\u{1b}");
                buffer[(1, 0)].set_symbol("a\u{202e}");
                buffer[(2, 0)].set_symbol("\u{9b}");
                buffer[(3, 0)].set_symbol("é");
                scrub(frame, frame.area());
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        let cells: Vec<&str> = (0..4).map(|x| buffer[(x, 0)].symbol()).collect();
        assert_eq!(cells, [" ", "a", " ", "é"]);
    }
}

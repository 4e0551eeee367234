//! The address completion popup: the candidates under the field being typed in,
//! the picked one in the cursor style. Names and addresses come from mail and from
//! an address book command, so each passes through the sanitizer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::completion::{Completion, written};
use crate::tui::theme::Theme;
use crate::tui::view::text::{fit, safe, width};
use crate::tui::writer::Writer;

/// The popup's keys, in its bottom border.
const KEYS: &str = " Tab next · Enter take · Esc close ";

/// Draws `completion` under its field of the writer drawn in `writer_area`.
pub fn draw(theme: &Theme, completion: &Completion, frame: &mut Frame, writer_area: Rect) {
    let Some(field) = completion.field else {
        return;
    };
    if !completion.is_shown() {
        return;
    }
    let Some(input) = Writer::input_area(writer_area, field) else {
        return;
    };
    let lines: Vec<String> = completion
        .candidates
        .iter()
        .map(|address| safe(&written(address)).into_owned())
        .collect();
    let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0);
    let below = writer_area.bottom().saturating_sub(input.bottom());
    // Wide enough for the key hint in its border when the field is.
    let w = u16::try_from(widest.max(width(KEYS) + 2) + 2)
        .unwrap_or(u16::MAX)
        .min(input.width);
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(below);
    if h < 3 || w < 3 {
        return;
    }
    let popup = Rect::new(input.x, input.bottom(), w, h);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title_bottom(Line::from(Span::styled(KEYS, theme.muted)));
    let inside = block.inner(popup);
    frame.render_widget(block, popup);
    let columns = usize::from(inside.width);
    let shown: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(scroll(completion.selected, usize::from(inside.height)))
        .take(usize::from(inside.height))
        .map(|(i, line)| {
            let style = if completion.selected == Some(i) {
                theme.cursor
            } else {
                theme.base()
            };
            Line::from(Span::styled(fit(line, columns), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inside);
}

/// The first row shown, so that the picked one is in view.
fn scroll(selected: Option<usize>, rows: usize) -> usize {
    selected.map_or(0, |i| (i + 1).saturating_sub(rows))
}

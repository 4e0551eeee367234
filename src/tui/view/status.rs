//! The status line: where you are, and errors or hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::model::{Model, Status};
use super::super::theme;
use super::text::{fit_right, safe, truncate, width};

const HINTS: &str = "? help  q quit";

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let columns = usize::from(area.width);
    let mut place = String::from(" ");
    if let Some(account) = model.account() {
        place.push_str(&safe(&account.name));
        if let Some(view) = model.view() {
            if let Some(folder) = view.folder() {
                place.push_str(" › ");
                place.push_str(&safe(&folder.name));
            }
            if let Some(list) = view.list().filter(|l| l.loaded) {
                let at = if list.rows.is_empty() {
                    0
                } else {
                    list.cursor + 1
                };
                place.push_str(&format!("  {at}/{}", list.total));
            }
        }
    }
    place.push_str("  ");
    let place = truncate(&place, columns);
    let room = columns.saturating_sub(width(&place));
    let (text, style) = match &model.status {
        Status::Error(e) => (truncate(&safe(e), room), theme::error()),
        Status::Info(i) => (truncate(&safe(i), room), theme::info()),
        Status::None => (fit_right(HINTS, room), theme::muted()),
    };
    let line = Line::from(vec![
        Span::styled(place, theme::header_name()),
        Span::styled(text, style),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

//! The status line: where you are, and errors or hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::keymap::{self, Action};
use super::super::model::{Focus, Model, Status};
use super::super::theme;
use super::text::{fit_right, safe, truncate, width};

/// The few keys worth a reminder where the focus is; labels come from the keymap.
fn hints(focus: Focus) -> String {
    let wanted: &[(Action, &str)] = match focus {
        Focus::Folders => &[
            (Action::Forward, "messages"),
            (Action::Refresh, "refresh"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Focus::List => &[
            (Action::Forward, "open"),
            (Action::NextFolder, "next folder"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Focus::Message => &[
            (Action::Down, "scroll"),
            (Action::ToggleHeaders, "headers"),
            (Action::Back, "close"),
            (Action::Help, "help"),
        ],
    };
    let parts: Vec<String> = wanted
        .iter()
        .filter_map(|(action, what)| keymap::first_key(*action).map(|k| format!("{k} {what}")))
        .collect();
    format!("{} ", parts.join("  "))
}

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
        Status::Busy(i) | Status::Info(i) => (truncate(&safe(i), room), theme::info()),
        Status::None => (fit_right(&hints(model.focus), room), theme::muted()),
    };
    let line = Line::from(vec![
        Span::styled(place, theme::header_name()),
        Span::styled(text, style),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

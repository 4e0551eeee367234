//! The status line: where you are, and errors or hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::model::{Focus, Model, Status};
use super::text::{fit_right, safe, truncate, width};
use crate::keys::{Action, Keymap};

/// The few keys worth a reminder where the focus is; labels come from the keymap.
fn hints(keys: &Keymap, focus: Focus) -> String {
    let wanted: &[(Action, &str)] = match focus {
        Focus::Folders => &[
            (Action::Open, "messages"),
            (Action::Refresh, "refresh"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Focus::List => &[
            (Action::Open, "open"),
            (Action::Delete, "delete"),
            (Action::Move, "move"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Focus::Message => &[
            (Action::Down, "scroll"),
            (Action::Flag, "flag"),
            (Action::Close, "close"),
            (Action::Help, "help"),
        ],
    };
    let context = focus.context();
    let parts: Vec<String> = wanted
        .iter()
        .filter_map(|(action, what)| {
            keys.first_key(context, *action)
                .map(|k| format!("{k} {what}"))
        })
        .collect();
    format!("{} ", parts.join("  "))
}

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let theme = model.theme();
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
                let at = if list.rows().is_empty() {
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
        // An explanation's lines (what, cause, fix) on one line.
        Status::Error(e) => (
            truncate(&safe(&e.replace("\n  ", " — ")), room),
            theme.error,
        ),
        Status::Busy(i) | Status::Info(i) => (truncate(&safe(i), room), theme.info),
        Status::None => (
            fit_right(&hints(model.keys(), model.main.focus), room),
            theme.muted,
        ),
    };
    let line = Line::from(vec![
        Span::styled(place, theme.header),
        Span::styled(text, style),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

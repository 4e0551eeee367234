//! The status line: where you are, and errors or hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::super::model::{Focus, Model, Status};
use super::text::{fit_right, safe, truncate, width, wrap};
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
    // Key labels come from the user's config: drawn through the same gate as mail.
    format!("{} ", safe(&parts.join("  ")))
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
    let undo_key = model
        .keys()
        .first_key(model.main.focus.context(), Action::Undo)
        .unwrap_or_else(|| "undo".into());
    let countdown = crate::tui::update::countdown(model, &undo_key);
    let (text, style) = match (&model.status, countdown) {
        // Undo send counts down over anything but an error.
        (Status::None | Status::Busy(_) | Status::Info(_), Some(countdown)) => {
            (truncate(&safe(&countdown), room), theme.info)
        }
        (status, _) => match status {
            // An explanation's lines (what, cause, fix) on one line.
            Status::Error(e) => (
                truncate(&safe(&e.replace("\n  ", " — ")), room),
                theme.error,
            ),
            Status::Busy(i) | Status::Info(i) => (truncate(&safe(i), room), theme.info),
            Status::None => {
                let hint = match model.layers.last() {
                    Some(layer) => format!("{} ", layer.hint(model.keys())),
                    None => hints(model.keys(), model.main.focus),
                };
                (fit_right(&hint, room), theme.muted)
            }
        },
    };
    let line = Line::from(vec![
        Span::styled(place, theme.header),
        Span::styled(text, style),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    if let Status::Error(e) = &model.status
        && width(&e.replace("\n  ", " — ")) > room
    {
        explanation(model, e, frame, area);
    }
}

/// An error too long for the status line: its lines (what happened, the likely
/// cause, the fix) over the bottom of the screen, the status line included, until
/// the next key.
fn explanation(model: &Model, error: &str, frame: &mut Frame, status: Rect) {
    let columns = usize::from(status.width);
    let lines: Vec<String> = error
        .lines()
        .flat_map(|line| wrap(&safe(line.trim_start()), columns.saturating_sub(2).max(1)))
        .take(usize::from(status.y + 1).min(6))
        .collect();
    let height = lines.len() as u16;
    let area = Rect::new(status.x, status.y + 1 - height, status.width, height);
    frame.render_widget(Clear, area);
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|line| Line::from(Span::styled(format!(" {line}"), model.theme().error)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

//! Where each pane goes, as a pure function of the terminal size and model state.
//! Shared by `update` (page sizes, the width to render a message for) and `view`.

use ratatui::layout::Rect;

use super::model::{Focus, Model};

/// Below this many columns the message view takes the whole width.
pub const NARROW_BELOW: u16 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    pub tabs: Rect,
    pub folders: Option<Rect>,
    pub list: Option<Rect>,
    pub message: Option<Rect>,
    pub status: Rect,
}

impl Panes {
    pub fn compute(size: (u16, u16), message_open: bool, focus: Focus) -> Panes {
        let (w, h) = size;
        let full = Rect::new(0, 0, w, h);
        let tabs = Rect::new(0, 0, w, h.min(1));
        let status = Rect::new(0, h.saturating_sub(1), w, h.min(1));
        let body_h = h.saturating_sub(2);
        let body = Rect::new(0, 1.min(h), w, body_h).intersection(full);

        if w < NARROW_BELOW {
            if message_open && focus == Focus::Message {
                return Panes {
                    tabs,
                    folders: None,
                    list: None,
                    message: Some(body),
                    status,
                };
            }
            let fw = (w / 4).clamp(12.min(w), 22);
            let (folders, list) = split_columns(body, fw);
            return Panes {
                tabs,
                folders: Some(folders),
                list: Some(list),
                message: None,
                status,
            };
        }

        let fw = (w / 5).clamp(18, 30);
        let (folders, right) = split_columns(body, fw);
        if !message_open {
            return Panes {
                tabs,
                folders: Some(folders),
                list: Some(right),
                message: None,
                status,
            };
        }
        // List over message: subjects keep their full width.
        let list_h = (right.height * 2 / 5).max(5.min(right.height));
        let list = Rect::new(right.x, right.y, right.width, list_h);
        let message = Rect::new(
            right.x,
            right.y + list_h,
            right.width,
            right.height - list_h,
        );
        Panes {
            tabs,
            folders: Some(folders),
            list: Some(list),
            message: Some(message),
            status,
        }
    }

    pub fn of(model: &Model) -> Panes {
        Panes::compute(model.size, model.open_message().is_some(), model.main.focus)
    }
}

fn split_columns(area: Rect, left_width: u16) -> (Rect, Rect) {
    let lw = left_width.min(area.width);
    (
        Rect::new(area.x, area.y, lw, area.height),
        Rect::new(area.x + lw, area.y, area.width - lw, area.height),
    )
}

/// The area inside a pane's border.
pub fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// Rows of envelopes visible in the list pane.
pub fn list_rows(model: &Model) -> usize {
    Panes::of(model)
        .list
        .map_or(1, |r| usize::from(inner(r).height).max(1))
}

/// Lines of text visible in the message pane, and its width, were a message
/// open and focused.
pub fn message_area(model: &Model) -> (usize, u16) {
    let panes = Panes::compute(model.size, true, Focus::Message);
    let area = panes.message.map(inner).unwrap_or_default();
    (usize::from(area.height).max(1), area.width.max(1))
}

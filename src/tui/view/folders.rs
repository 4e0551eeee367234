//! The folder pane: name (indented by hierarchy), role, unread count.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::store::FolderRow;

use super::super::layout::inner;
use super::super::model::{AccountView, Focus, Model};
use super::super::theme::Theme;
use super::text::{fit, fit_right, safe};
use super::{focused, pane_block};
use crate::engine::OutboxStatus;

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let has_focus = focused(model, Focus::Folders);
    let theme = model.theme();
    frame.render_widget(pane_block(theme, "Folders".into(), has_focus), area);
    let body = inner(area);
    let Some(view) = model.view() else {
        return;
    };
    if !view.folders_loaded {
        frame.render_widget(Paragraph::new(Span::styled("loading…", theme.muted)), body);
        return;
    }
    let height = usize::from(body.height);
    let top = (view.folder_cursor + 1).saturating_sub(height);
    let columns = usize::from(body.width);
    let names: HashSet<&str> = view.folders.iter().map(|f| f.name.as_str()).collect();
    let mut lines: Vec<Line> = view
        .folders
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, folder)| {
            let selected = i == view.folder_cursor;
            folder_line(theme, folder, &names, columns, (selected, has_focus))
        })
        .collect();
    if !view.outbox.is_empty() && lines.len() < height {
        lines.push(outbox_line(theme, view, columns, has_focus));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

/// "Outbox" and how many wait; in the error colour when one failed for good or
/// may have been sent (the user has to act).
fn outbox_line(
    theme: &Theme,
    view: &AccountView,
    columns: usize,
    has_focus: bool,
) -> Line<'static> {
    let stuck = view
        .outbox
        .iter()
        .any(|e| matches!(e.status, OutboxStatus::Failed | OutboxStatus::MaybeSent));
    let count = view.outbox.len().to_string();
    let label = if stuck { "Outbox (failed)" } else { "Outbox" };
    let name_w = columns.saturating_sub(count.len() + 1);
    let text = format!("{} {count}", fit(label, name_w));
    let mut style = if stuck { theme.error } else { theme.unread };
    if view.on_outbox() {
        style = style.patch(if has_focus {
            theme.cursor
        } else {
            theme.cursor_inactive
        });
    }
    Line::from(Span::styled(text, style))
}

/// `(selected, has_focus)`: whether this is the cursor's folder, and whether the pane
/// has the focus.
fn folder_line(
    theme: &Theme,
    folder: &FolderRow,
    names: &HashSet<&str>,
    columns: usize,
    (selected, has_focus): (bool, bool),
) -> Line<'static> {
    // A child is drawn indented under its parent; without the parent in the
    // list its full path is the only way to tell where it lives.
    let (depth, leaf) = match folder.name.rsplit_once('/') {
        Some((parent, leaf)) if names.contains(parent) => {
            (folder.name.matches('/').count(), safe(leaf))
        }
        _ => (0, safe(&folder.name)),
    };
    let mut label = format!("{}{leaf}", "  ".repeat(depth));
    // Say the role only when the name does not (localized names, odd names).
    if let Some(role) = folder.role {
        let word = role.as_str();
        if !leaf.to_lowercase().contains(word) {
            label.push_str(&format!(" ({word})"));
        }
    }
    let count = if folder.unread > 0 {
        folder.unread.to_string()
    } else {
        String::new()
    };
    let count_w = count.len().min(columns / 2);
    let name_w = columns.saturating_sub(count_w + usize::from(count_w > 0));
    let text = if count_w > 0 {
        format!("{} {}", fit(&label, name_w), fit_right(&count, count_w))
    } else {
        fit(&label, columns)
    };
    let mut style = if folder.unread > 0 {
        theme.unread
    } else {
        theme.base()
    };
    if selected {
        style = style.patch(if has_focus {
            theme.cursor
        } else {
            theme.cursor_inactive
        });
    }
    Line::from(Span::styled(text, style))
}

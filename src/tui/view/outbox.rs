//! The outbox layer: one line per message not sent yet (state, recipients,
//! subject), the selected one's last failure under them, and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layers::boxed;
use super::text::{fit, safe, truncate};
use crate::engine::OutboxStatus;
use crate::tui::layer::OutboxList;
use crate::tui::theme::Theme;

/// Width of the state column ("maybe sent").
const STATE: usize = 10;

pub fn draw(theme: &Theme, list: &OutboxList, hint: &str, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4).min(110);
    let h = area.height.saturating_sub(4);
    let inside = boxed(theme, frame, area, (w, h), "Outbox: not sent yet");
    let columns = usize::from(inside.width);
    let mut lines = Vec::new();
    if list.entries.is_empty() {
        lines.push(Line::from(Span::styled(
            "nothing waits to be sent",
            theme.muted,
        )));
    }
    let to_w = (columns / 3).max(8);
    for (i, entry) in list.entries.iter().enumerate() {
        let state_style = match entry.status {
            OutboxStatus::Failed | OutboxStatus::MaybeSent => theme.error,
            OutboxStatus::Retrying => theme.unread,
            OutboxStatus::Waiting { .. } | OutboxStatus::Queued => theme.base(),
        };
        let subject_w = columns.saturating_sub(STATE + to_w + 2);
        let mut spans = vec![
            Span::styled(fit(entry.status.label(), STATE), state_style),
            Span::raw(" "),
            Span::raw(fit(&safe(&entry.to), to_w)),
            Span::raw(" "),
            Span::raw(fit(&safe(&entry.subject), subject_w)),
        ];
        if i == list.cursor {
            spans = spans
                .into_iter()
                .map(|s| {
                    let style = s.style.patch(theme.cursor);
                    s.style(style)
                })
                .collect();
        }
        lines.push(Line::from(spans));
    }
    if let Some(error) = list.selected().and_then(|e| e.error.as_deref()) {
        lines.push(Line::from(""));
        for line in error.lines() {
            lines.push(Line::from(Span::styled(
                truncate(&safe(line), columns),
                theme.error,
            )));
        }
    }
    let rows = usize::from(inside.height);
    let body = rows.saturating_sub(1);
    let mut shown: Vec<Line> = lines.into_iter().take(body).collect();
    while shown.len() < body {
        shown.push(Line::from(""));
    }
    shown.push(Line::from(Span::styled(
        truncate(hint, columns),
        theme.muted,
    )));
    frame.render_widget(Paragraph::new(shown), inside);
}

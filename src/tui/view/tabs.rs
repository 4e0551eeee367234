//! The top bar: one tab per account with its unread total.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::model::Model;
use super::text::{safe, truncate, width};

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    let mut used = 0;
    let budget = usize::from(area.width);
    for (i, account) in model.main.accounts.iter().enumerate() {
        let unread = model
            .main
            .views
            .get(&account.id)
            .filter(|v| v.folders_loaded)
            .map(|v| v.unread())
            .filter(|n| *n > 0)
            .map_or(String::new(), |n| format!(" ({n})"));
        let label = format!(" {} {}{} ", i + 1, safe(&account.name), unread);
        let label = truncate(&label, budget.saturating_sub(used));
        used += width(&label);
        let style = if model.main.current == Some(i) {
            model.theme().tab_active()
        } else {
            model.theme().base()
        };
        spans.push(Span::styled(label, style));
        if used < budget {
            spans.push(Span::raw(" "));
            used += 1;
        }
    }
    if model.main.accounts.is_empty() {
        spans.push(Span::styled(
            " postern: no accounts yet ",
            model.theme().muted,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

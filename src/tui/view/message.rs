//! The message view: header block, body, attachment list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::mime::Rendered;

use super::super::layout::inner;
use super::super::model::{Focus, Model};
use super::super::theme;
use super::text::{fit, human_size, width, wrap};
use super::{focused, pane_block};

/// Every line the message shows at `columns` wide, scrolled or not.
/// `update` counts these to keep the scroll offset in range.
pub fn lines(rendered: &Rendered, full_headers: bool, columns: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let headers = if full_headers {
        &rendered.all_headers
    } else {
        &rendered.headers
    };
    for (name, value) in headers {
        let label = format!("{name}: ");
        let room = columns.saturating_sub(width(&label)).max(1);
        for (i, piece) in wrap(value, room).into_iter().enumerate() {
            let lead = if i == 0 {
                Span::styled(label.clone(), theme::header_name())
            } else {
                Span::raw(" ".repeat(width(&label)))
            };
            out.push(Line::from(vec![lead, Span::raw(piece)]));
        }
    }
    out.push(Line::from(Span::styled(
        "─".repeat(columns),
        theme::muted(),
    )));
    for body_line in &rendered.body {
        out.extend(wrap(body_line, columns).into_iter().map(Line::from));
    }
    if !rendered.attachments.is_empty() {
        out.push(Line::from(""));
        out.push(Line::from(Span::styled(
            format!("Attachments ({})", rendered.attachments.len()),
            theme::header_name(),
        )));
        let longest = rendered.attachments.iter().map(|a| width(&a.name)).max();
        let name_w = longest.unwrap_or(0).min(columns / 2).max(1);
        for a in &rendered.attachments {
            let text = format!(
                "  {} {}  {}",
                fit(&a.name, name_w),
                a.mime_type,
                human_size(a.size as u64)
            );
            out.push(Line::from(fit(&text, columns)));
        }
    }
    out
}

/// How many lines [`lines`] gives.
pub fn line_count(rendered: &Rendered, full_headers: bool, columns: usize) -> usize {
    lines(rendered, full_headers, columns).len()
}

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let has_focus = focused(model, Focus::Message);
    let body = inner(area);
    let Some(open) = model.open_message() else {
        frame.render_widget(pane_block("Message".into(), has_focus), area);
        return;
    };
    let Some(rendered) = open.rendered.as_deref() else {
        frame.render_widget(pane_block("Message".into(), has_focus), area);
        frame.render_widget(
            Paragraph::new(Span::styled("loading…", theme::muted())),
            body,
        );
        return;
    };
    let all = lines(rendered, model.full_headers, usize::from(body.width));
    let height = usize::from(body.height);
    let scroll = open.scroll.min(all.len().saturating_sub(height));
    let title = if all.len() > height {
        let shown = (scroll + height).min(all.len());
        format!("Message {}/{}", shown, all.len())
    } else {
        "Message".to_string()
    };
    frame.render_widget(pane_block(title, has_focus), area);
    let visible: Vec<Line> = all.into_iter().skip(scroll).take(height).collect();
    frame.render_widget(Paragraph::new(visible), body);
}

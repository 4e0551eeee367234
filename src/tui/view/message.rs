//! The message view: header block, body, attachment list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::mime::Rendered;

use super::super::layout::inner;
use super::super::model::{Focus, MessageLayout, Model};
use super::super::theme::Theme;
use super::text::{fit, human_size, width, wrap, wrap_count};
use super::{focused, pane_block};

/// The header block and the rule under it.
fn head_lines<'a>(
    theme: &'a Theme,
    rendered: &'a Rendered,
    full_headers: bool,
    columns: usize,
) -> impl Iterator<Item = Line<'static>> + 'a {
    headers(rendered, full_headers)
        .iter()
        .flat_map(move |(name, value)| {
            let label = format!("{name}: ");
            let label_w = width(&label);
            wrap(value, value_room(columns, label_w))
                .into_iter()
                .enumerate()
                .map(move |(i, piece)| {
                    let lead = if i == 0 {
                        Span::styled(label.clone(), theme.header)
                    } else {
                        Span::raw(" ".repeat(label_w))
                    };
                    Line::from(vec![lead, Span::raw(piece)])
                })
        })
        .chain(std::iter::once(Line::from(Span::styled(
            "─".repeat(columns),
            theme.muted,
        ))))
}

fn headers(rendered: &Rendered, full_headers: bool) -> &[(String, String)] {
    if full_headers {
        &rendered.all_headers
    } else {
        &rendered.headers
    }
}

fn value_room(columns: usize, label_w: usize) -> usize {
    columns.saturating_sub(label_w).max(1)
}

/// Count the screen lines of every part of the message at `columns` wide.
pub fn layout(rendered: &Rendered, full_headers: bool, columns: usize) -> MessageLayout {
    let head = headers(rendered, full_headers)
        .iter()
        .map(|(name, value)| {
            let label_w = width(name) + 2;
            wrap_count(value, value_room(columns, label_w))
        })
        .sum::<usize>()
        + 1;
    let mut body_starts = Vec::with_capacity(rendered.body.len() + 1);
    let mut at = 0;
    body_starts.push(at);
    for line in &rendered.body {
        at += wrap_count(line, columns);
        body_starts.push(at);
    }
    MessageLayout {
        columns,
        full_headers,
        head,
        body_starts,
        tail: attachment_count(rendered),
    }
}

/// The `height` screen lines from line `scroll` on, shaping only those. Quoted
/// lines (`>`) are drawn in the quoted style.
pub fn visible_lines(
    theme: &Theme,
    rendered: &Rendered,
    layout: &MessageLayout,
    scroll: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let columns = layout.columns;
    let mut out = Vec::with_capacity(height.min(layout.total()));
    if scroll < layout.head {
        out.extend(
            head_lines(theme, rendered, layout.full_headers, columns)
                .skip(scroll)
                .take(height),
        );
    }
    let body_rows = layout.body_rows();
    let body_from = scroll.saturating_sub(layout.head);
    if out.len() < height && body_from < body_rows {
        // The body line holding screen line `body_from`, and how far into it.
        let first = layout
            .body_starts
            .partition_point(|&s| s <= body_from)
            .saturating_sub(1);
        let start = layout.body_starts.get(first).copied().unwrap_or(0);
        let skip = body_from.saturating_sub(start);
        let need = height - out.len();
        out.extend(
            rendered
                .body
                .get(first..)
                .unwrap_or_default()
                .iter()
                .flat_map(|line| {
                    let style = if line.trim_start().starts_with('>') {
                        theme.quoted
                    } else {
                        theme.base()
                    };
                    wrap(line, columns)
                        .into_iter()
                        .map(move |piece| Line::from(Span::styled(piece, style)))
                })
                .skip(skip)
                .take(need),
        );
    }
    if out.len() < height {
        let tail_from = scroll.saturating_sub(layout.head + body_rows);
        let need = height - out.len();
        out.extend(
            attachment_lines(theme, rendered, columns)
                .into_iter()
                .skip(tail_from)
                .take(need),
        );
    }
    out
}

fn attachment_lines(theme: &Theme, rendered: &Rendered, columns: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if rendered.attachments.is_empty() {
        return out;
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        format!("Attachments ({})", rendered.attachments.len()),
        theme.header,
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
    out
}

/// Lines of the attachment list: a blank, a heading, one per attachment.
fn attachment_count(rendered: &Rendered) -> usize {
    match rendered.attachments.len() {
        0 => 0,
        n => n + 2,
    }
}

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let has_focus = focused(model, Focus::Message);
    let theme = model.theme();
    let body = inner(area);
    let Some(open) = model.open_message() else {
        frame.render_widget(pane_block(theme, "Message".into(), has_focus), area);
        return;
    };
    let Some(rendered) = open.rendered.as_deref() else {
        frame.render_widget(pane_block(theme, "Message".into(), has_focus), area);
        frame.render_widget(Paragraph::new(Span::styled("loading…", theme.muted)), body);
        return;
    };
    let columns = usize::from(body.width);
    // `update` keeps a layout for the model's size; the frame may differ.
    let fresh;
    let layout = match &open.layout {
        Some(l) if l.fits(columns, model.main.full_headers) => l,
        _ => {
            fresh = layout(rendered, model.main.full_headers, columns);
            &fresh
        }
    };
    let total = layout.total();
    let height = usize::from(body.height);
    let scroll = open.scroll.min(total.saturating_sub(height));
    let title = if total > height {
        let shown = (scroll + height).min(total);
        format!("Message {shown}/{total}")
    } else {
        "Message".to_string()
    };
    frame.render_widget(pane_block(theme, title, has_focus), area);
    let visible = visible_lines(theme, rendered, layout, scroll, height);
    frame.render_widget(Paragraph::new(visible), body);
}

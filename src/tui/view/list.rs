//! The message list: flags, date, from, subject.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::store::EnvelopeRow;

use super::super::layout::inner;
use super::super::model::{Focus, Model};
use super::super::theme;
use super::text::{display_from, fit, fit_right, safe, short_date, width};
use super::{focused, pane_block};

/// Columns of the flags field: N(ew) F(lagged) A(nswered) @(attachment).
const FLAGS_W: usize = 4;

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let has_focus = focused(model, Focus::List);
    let view = model.view();
    let title = view
        .and_then(|v| v.folder())
        .map_or("Messages".to_string(), |f| safe(&f.name).into_owned());
    frame.render_widget(pane_block(title, has_focus), area);
    let body = inner(area);
    let Some(list) = view.and_then(|v| v.list()) else {
        return;
    };
    if !list.loaded {
        frame.render_widget(
            Paragraph::new(Span::styled("loading…", theme::muted())),
            body,
        );
        return;
    }
    if list.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no messages", theme::muted())),
            body,
        );
        return;
    }
    let height = usize::from(body.height);
    // The model keeps `top` in range; clamp again in case the frame is
    // smaller than the size the model last heard of.
    let mut top = list.top.min(list.cursor);
    if list.cursor >= top + height {
        top = list.cursor + 1 - height.max(1);
    }
    let columns = usize::from(body.width);
    let visible = || list.rows.iter().enumerate().skip(top).take(height);
    let dates: Vec<String> = visible()
        .map(|(_, row)| short_date(row.date, model.clock))
        .collect();
    // As wide as the widest date on screen: "14:02" leaves more room than "2024-11-21".
    let date_w = dates.iter().map(|d| width(d)).max().unwrap_or(0);
    let lines: Vec<Line> = visible()
        .zip(dates)
        .map(|((i, row), date)| {
            let selected = i == list.cursor;
            let columns = Columns {
                total: columns,
                date: date_w,
            };
            row_line(row, &date, columns, selected, has_focus)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

fn flags(row: &EnvelopeRow) -> String {
    let f = row.flags;
    [
        if f.seen { ' ' } else { 'N' },
        if f.flagged { 'F' } else { ' ' },
        if f.answered { 'A' } else { ' ' },
        if row.has_attachments { '@' } else { ' ' },
    ]
    .iter()
    .collect()
}

#[derive(Clone, Copy)]
struct Columns {
    total: usize,
    date: usize,
}

fn row_line(
    row: &EnvelopeRow,
    date: &str,
    columns: Columns,
    selected: bool,
    has_focus: bool,
) -> Line<'static> {
    let from_w = (columns.total / 4).clamp(8, 24);
    let fixed = FLAGS_W + 1 + columns.date + 1 + from_w + 1;
    let subject_w = columns.total.saturating_sub(fixed);
    let from = safe(&row.from);
    let subject = safe(&row.subject);
    let text = format!(
        "{} {} {} {}",
        fit(&flags(row), FLAGS_W),
        fit_right(date, columns.date),
        fit(display_from(&from), from_w),
        fit(&subject, subject_w),
    );
    let mut style = if row.flags.seen {
        theme::base()
    } else {
        theme::unread()
    };
    if row.flags.flagged {
        style = style.patch(theme::flagged());
    }
    if selected {
        style = style.patch(if has_focus {
            theme::selected()
        } else {
            theme::selected_unfocused()
        });
    }
    Line::from(Span::styled(fit(&text, columns.total), style))
}

//! The message list: flags, date, from (to, in Sent and Drafts), subject.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::store::{EnvelopeRow, FolderRole};

use super::super::layout::inner;
use super::super::model::{Focus, Model};
use super::super::theme::Theme;
use super::text::{display_from, fit, fit_right, safe, short_date, width};
use super::{focused, pane_block};

/// Columns of the flags field: * (tagged) N(ew) F(lagged) A(nswered) @(attachment).
const FLAGS_W: usize = 5;

pub fn draw(model: &Model, frame: &mut Frame, area: Rect) {
    let has_focus = focused(model, Focus::List);
    let view = model.view();
    let theme = model.theme();
    let folder = view.and_then(|v| v.folder());
    let list = view.and_then(|v| v.list());
    let mut title = folder.map_or("Messages".to_string(), |f| safe(&f.name).into_owned());
    if let Some(tagged) = list.map(|l| l.tag_count()).filter(|n| *n > 0) {
        title.push_str(&format!(" — {tagged} tagged"));
    }
    frame.render_widget(pane_block(theme, title, has_focus), area);
    let body = inner(area);
    let Some(list) = list else {
        return;
    };
    if !list.loaded {
        frame.render_widget(Paragraph::new(Span::styled("loading…", theme.muted)), body);
        return;
    }
    if list.rows().is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no messages", theme.muted)),
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
    // Sent and Drafts: who it went to is what tells messages apart.
    let recipients =
        folder.is_some_and(|f| matches!(f.role, Some(FolderRole::Sent | FolderRole::Drafts)));
    let columns = usize::from(body.width);
    let visible = || list.visible(top, height);
    let dates: Vec<String> = visible()
        .map(|(_, row)| short_date(row.date, model.clock))
        .collect();
    // As wide as the widest date on screen: "14:02" leaves more room than "2024-11-21".
    let date_w = dates.iter().map(|d| width(d)).max().unwrap_or(0);
    let lines: Vec<Line> = visible()
        .zip(dates)
        .map(|((i, row), date)| {
            let shape = Row {
                columns: Columns {
                    total: columns,
                    date: date_w,
                },
                selected: i == list.cursor,
                has_focus,
                tagged: list.is_tagged(row.id),
                recipients,
            };
            row_line(theme, row, &date, shape)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

fn flags(row: &EnvelopeRow, tagged: bool) -> String {
    let f = row.flags;
    [
        if tagged { '*' } else { ' ' },
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

/// How one row is drawn.
#[derive(Clone, Copy)]
struct Row {
    columns: Columns,
    selected: bool,
    has_focus: bool,
    tagged: bool,
    /// Show "To: ..." instead of the sender.
    recipients: bool,
}

fn row_line(theme: &Theme, row: &EnvelopeRow, date: &str, shape: Row) -> Line<'static> {
    let columns = shape.columns;
    let from_w = (columns.total / 4).clamp(8, 24);
    let fixed = FLAGS_W + 1 + columns.date + 1 + from_w + 1;
    let subject_w = columns.total.saturating_sub(fixed);
    let who = if shape.recipients {
        let first = row.to.split(", ").next().unwrap_or_default();
        format!("To: {}", display_from(&safe(first)))
    } else {
        display_from(&safe(&row.from)).to_owned()
    };
    let subject = safe(&row.subject);
    let text = format!(
        "{} {} {} {}",
        fit(&flags(row, shape.tagged), FLAGS_W),
        fit_right(date, columns.date),
        fit(&who, from_w),
        fit(&subject, subject_w),
    );
    let mut style = if row.flags.seen {
        theme.base()
    } else {
        theme.unread
    };
    if row.flags.flagged {
        style = style.patch(theme.flagged);
    }
    if shape.tagged {
        style = style.patch(theme.tagged);
    }
    if shape.selected {
        style = style.patch(if shape.has_focus {
            theme.cursor
        } else {
            theme.cursor_inactive
        });
    }
    Line::from(Span::styled(fit(&text, columns.total), style))
}

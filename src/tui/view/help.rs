//! The help overlay, generated from the keymap table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::keymap;
use super::super::theme;
use super::text::{fit, width};

pub fn draw(frame: &mut Frame, area: Rect) {
    let rows = keymap::help_rows();
    let key_w = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let desc_w = rows.iter().map(|(_, d)| width(d)).max().unwrap_or(0);
    let entry_w = key_w + desc_w + 4;
    // Too tall for the terminal but room for two: flow the keys into two columns.
    let columns = if rows.len() + 2 > usize::from(area.height)
        && 2 * entry_w + 4 <= usize::from(area.width)
    {
        2
    } else {
        1
    };
    let per_column = rows.len().div_ceil(columns);
    let want_w = (columns * entry_w + 2 + 2 * (columns - 1)) as u16;
    let want_h = per_column as u16 + 2;
    let w = want_w.min(area.width);
    let h = want_h.min(area.height);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let entry = |(keys, description): &(String, &str)| {
        [
            Span::styled(format!(" {} ", fit(keys, key_w)), theme::header_name()),
            Span::raw(format!(" {}", fit(description, desc_w))),
        ]
    };
    let lines: Vec<Line> = (0..per_column)
        .map(|row| {
            let mut spans: Vec<Span> = entry(&rows[row]).into();
            if let Some(right) = rows.get(row + per_column).filter(|_| columns == 2) {
                spans.push(Span::raw("  "));
                spans.extend(entry(right));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme::border(true))
                .title(" Keys — ? or Esc closes "),
        ),
        popup,
    );
}

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
    let want_w = (key_w + desc_w + 6) as u16;
    let want_h = rows.len() as u16 + 2;
    let w = want_w.min(area.width);
    let h = want_h.min(area.height);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let lines: Vec<Line> = rows
        .iter()
        .map(|(keys, description)| {
            Line::from(vec![
                Span::styled(format!(" {} ", fit(keys, key_w)), theme::header_name()),
                Span::raw(format!(" {description}")),
            ])
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

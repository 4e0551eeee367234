//! The layers that ask something or show something: pickers, prompts, questions,
//! a command's output. Each is a box over the middle of the screen.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::layer::{Confirm, Output, Picker, Prompt, TextInput};
use super::super::theme::Theme;
use super::text::{fit, safe, truncate, width, wrap_words};

/// A centred box of at most `w`x`h`, cleared, framed and titled; returns its inside.
pub(super) fn boxed(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    size: (u16, u16),
    title: &str,
) -> Rect {
    let w = size.0.min(area.width);
    let h = size.1.min(area.height);
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, popup);
    let title = truncate(
        &format!(" {} ", safe(title)),
        usize::from(w.saturating_sub(2)),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.header));
    let inside = block.inner(popup);
    frame.render_widget(block, popup);
    inside
}

/// A text field's line, with the terminal cursor placed on it.
fn input_line(frame: &mut Frame, input: &TextInput, label: &str, area: Rect) -> Line<'static> {
    let text = safe(input.text()).into_owned();
    let label = format!("{label} ");
    let before: String = text.chars().take(input.cursor()).collect();
    let x = area.x + (width(&label) + width(&before)) as u16;
    if x < area.x + area.width && area.height > 0 {
        frame.set_cursor_position(Position::new(x, area.y));
    }
    Line::from(vec![Span::raw(label), Span::raw(text)])
}

pub fn picker(theme: &Theme, picker: &Picker, frame: &mut Frame, area: Rect) {
    let matches = picker.matches();
    let widest = matches
        .iter()
        .map(|(_, name)| width(name))
        .max()
        .unwrap_or(0);
    let w = (widest.max(width(&picker.title)) + 8).clamp(30, 70) as u16;
    let h = (matches.len() + 4).clamp(5, 20) as u16;
    let inside = boxed(theme, frame, area, (w, h), &picker.title);
    if inside.height == 0 {
        return;
    }
    let filter = Rect::new(inside.x, inside.y, inside.width, 1);
    let line = input_line(frame, &picker.filter, "filter:", filter);
    frame.render_widget(Paragraph::new(line), filter);
    let rows = usize::from(inside.height.saturating_sub(1));
    let top = (picker.cursor + 1).saturating_sub(rows);
    let columns = usize::from(inside.width);
    let lines: Vec<Line> = if matches.is_empty() {
        vec![Line::from(Span::styled("no folder matches", theme.muted))]
    } else {
        matches
            .iter()
            .enumerate()
            .skip(top)
            .take(rows)
            .map(|(i, (_, name))| {
                let style = if i == picker.cursor {
                    theme.cursor
                } else {
                    theme.base()
                };
                Line::from(Span::styled(fit(&safe(name), columns), style))
            })
            .collect()
    };
    let list = Rect::new(inside.x, inside.y + 1, inside.width, inside.height - 1);
    frame.render_widget(Paragraph::new(lines), list);
}

pub fn prompt(theme: &Theme, prompt: &Prompt, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(8).clamp(20, 90);
    let inside = boxed(theme, frame, area, (w, 3), &prompt.label);
    let line = input_line(frame, &prompt.input, ">", inside);
    frame.render_widget(Paragraph::new(line), inside);
}

/// `hint` says which keys answer (from the keymap).
pub fn confirm(theme: &Theme, confirm: &Confirm, hint: &str, frame: &mut Frame, area: Rect) {
    let question = safe(&confirm.question).into_owned();
    let w = (width(&question) + 4).clamp(30, 80) as u16;
    // As high as the question and the keys need, so neither is cut off.
    let columns = usize::from(w.min(area.width).saturating_sub(2));
    let mut lines: Vec<Line> = wrap_words(&question, columns)
        .into_iter()
        .map(Line::from)
        .collect();
    lines.push(Line::from(""));
    lines.extend(
        wrap_words(&safe(hint), columns)
            .into_iter()
            .map(|line| Line::from(Span::styled(line, theme.muted))),
    );
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let inside = boxed(theme, frame, area, (w, h), "Are you sure?");
    frame.render_widget(Paragraph::new(lines), inside);
}

pub fn output(theme: &Theme, output: &Output, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4);
    let h = area.height.saturating_sub(2);
    let inside = boxed(theme, frame, area, (w, h), &output.title);
    let rows = usize::from(inside.height);
    let columns = usize::from(inside.width);
    let lines: Vec<Line> = output
        .lines
        .iter()
        .skip(output.scroll)
        .take(rows)
        .map(|line| Line::from(truncate(&safe(line), columns)))
        .collect();
    frame.render_widget(Paragraph::new(lines), inside);
}

//! The review screen: the message as it will go, what to mend or confirm, the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layers::boxed;
use super::text::{human_size, safe, truncate};
use crate::keys::{Action, Context, Keymap};
use crate::tui::layer::{Review, ReviewMode};
use crate::tui::theme::Theme;

/// Body lines shown under the headers.
const PREVIEW_LINES: usize = 8;

pub fn draw(theme: &Theme, keys: &Keymap, review: &Review, frame: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2);
    let inside = boxed(theme, frame, area, (w, h), "Review before sending");
    let columns = usize::from(inside.width);
    let cut = |text: &str| truncate(&safe(text), columns);
    let written = &review.draft.written;
    let mut lines = Vec::new();
    for (name, value) in [
        ("From", &written.from),
        ("To", &written.to),
        ("Cc", &written.cc),
        ("Bcc", &written.bcc),
        ("Subject", &written.subject),
    ] {
        if value.trim().is_empty() && matches!(name, "Cc" | "Bcc") {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{name:>8}: "), theme.header),
            Span::raw(cut(value)),
        ]));
    }
    lines.push(Line::from(Span::styled("─".repeat(columns), theme.muted)));
    let body: Vec<&str> = written.body.lines().collect();
    for line in body.iter().take(PREVIEW_LINES) {
        lines.push(Line::from(cut(line)));
    }
    if body.len() > PREVIEW_LINES {
        let more = body.len() - PREVIEW_LINES;
        lines.push(Line::from(Span::styled(
            format!("… {more} more lines"),
            theme.muted,
        )));
    }
    lines.push(Line::from(Span::styled("─".repeat(columns), theme.muted)));
    if review.draft.files.is_empty() {
        lines.push(Line::from(Span::styled("no files attached", theme.muted)));
    }
    for (i, file) in review.draft.files.iter().enumerate() {
        let size = review
            .sizes
            .get(i)
            .copied()
            .flatten()
            .map_or_else(|| "?".to_owned(), human_size);
        let text = cut(&format!("📎 {}  {}  {size}", file.filename, file.mime_type));
        let style = if i == review.file {
            theme.cursor
        } else {
            theme.base()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    for error in &review.checked.errors {
        lines.push(Line::from(Span::styled(
            cut(&format!("✗ {error}")),
            theme.error,
        )));
    }
    for warning in &review.checked.warnings {
        lines.push(Line::from(Span::styled(
            cut(&format!("! {warning}")),
            theme.info,
        )));
    }
    for problem in &review.text_problems {
        let text = format!("! line {} of the text: {}", problem.line, problem.message);
        lines.push(Line::from(Span::styled(cut(&text), theme.info)));
    }
    let rows = usize::from(inside.height);
    // The keys stay on the last line however long the rest is.
    lines.truncate(rows.saturating_sub(2));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        cut(&hint(keys, review.mode)),
        theme.muted,
    )));
    frame.render_widget(Paragraph::new(lines), inside);
}

fn hint(keys: &Keymap, mode: ReviewMode) -> String {
    let key = |action| {
        keys.first_key(Context::Review, action)
            .unwrap_or_else(|| "?".into())
    };
    match mode {
        ReviewMode::Sending => "queueing…".to_owned(),
        ReviewMode::Quitting => format!(
            "{} postpone (keep it in Drafts) · {} discard · any other key: go on writing",
            key(Action::Postpone),
            key(Action::Discard)
        ),
        ReviewMode::Keys => format!(
            "{} send · {} edit · {} attach · {} detach · {} from · {} postpone · {} quit",
            key(Action::Send),
            key(Action::Edit),
            key(Action::Attach),
            key(Action::Detach),
            key(Action::ChangeFrom),
            key(Action::Postpone),
            key(Action::Quit)
        ),
    }
}

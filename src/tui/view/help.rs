//! The help layer, built from the effective key tables: what works everywhere on
//! the main screen, what only in the list, the message or the folders, and the keys
//! of the layers. The user's `[keys]` show here as they are.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use ratatui::widgets::Paragraph;

use super::super::layer::Help;
use super::super::model::Model;
use super::layers::boxed;
use super::text::{fit, safe, width};
use crate::keys::{Action, Chord, Context, Keymap};

/// One line of help: keys and what they do, or a section title.
enum Row {
    Title(String),
    Keys(String, &'static str),
}

/// The help's rows, from `keys`. A binding the three panes share is listed once
/// under "Everywhere"; the rest under the pane or layer that has it.
fn rows(keys: &Keymap) -> Vec<Row> {
    let panes = [Context::List, Context::Message, Context::Folders];
    let everywhere: Vec<(Action, Vec<Chord>)> = keys
        .rows(Context::List)
        .into_iter()
        .filter(|(action, chords)| {
            panes
                .iter()
                .all(|&pane| keys.keys_for(pane, *action) == *chords)
        })
        .collect();
    let shared: HashSet<Action> = everywhere.iter().map(|(a, _)| *a).collect();
    let mut rows = Vec::new();
    let mut section = |title: &str, entries: Vec<(Action, Vec<Chord>)>| {
        if entries.is_empty() {
            return;
        }
        rows.push(Row::Title(title.to_owned()));
        rows.extend(entries.into_iter().map(|(action, chords)| {
            let labels: Vec<String> = chords.iter().map(|c| c.label()).collect();
            Row::Keys(safe(&labels.join(" ")).into_owned(), description(action))
        }));
    };
    section("Everywhere", account_keys_once(everywhere));
    for (title, context) in [
        ("Message list", Context::List),
        ("Open message", Context::Message),
        ("Folders", Context::Folders),
    ] {
        let own = keys
            .rows(context)
            .into_iter()
            .filter(|(action, _)| !shared.contains(action))
            .collect();
        section(title, own);
    }
    for (title, context) in [
        ("Folder picker (typing filters)", Context::Picker),
        ("Prompt (typing is text)", Context::Prompt),
        ("Questions", Context::Confirm),
        ("A command's output", Context::Output),
        ("Review before sending", Context::Review),
        ("This help", Context::Help),
    ] {
        section(title, keys.rows(context));
    }
    rows
}

/// `account-1`..`account-9` as one row.
fn account_keys_once(entries: Vec<(Action, Vec<Chord>)>) -> Vec<(Action, Vec<Chord>)> {
    let mut out: Vec<(Action, Vec<Chord>)> = Vec::new();
    for (action, chords) in entries {
        if let Action::Account(_) = action
            && let Some((_, all)) = out
                .iter_mut()
                .find(|(a, _)| matches!(a, Action::Account(_)))
        {
            all.extend(chords);
            continue;
        }
        out.push((action, chords));
    }
    out
}

fn description(action: Action) -> &'static str {
    action.description()
}

/// How many lines the help has (for its scrolling).
pub fn line_count(keys: &Keymap) -> usize {
    rows(keys).len()
}

pub fn draw(model: &Model, help: &Help, frame: &mut Frame, area: Rect) {
    let theme = model.theme();
    let rows = rows(model.keys());
    let key_w = rows
        .iter()
        .filter_map(|row| match row {
            Row::Keys(keys, _) => Some(width(keys)),
            Row::Title(_) => None,
        })
        .max()
        .unwrap_or(0)
        .min(28);
    let desc_w = rows
        .iter()
        .filter_map(|row| match row {
            Row::Keys(_, d) => Some(width(d)),
            Row::Title(_) => None,
        })
        .max()
        .unwrap_or(0);
    let w = (key_w + desc_w + 6) as u16;
    let h = (rows.len() + 2) as u16;
    // Too long for the screen: say how far down this is, and that it scrolls.
    let fits = usize::from(h) <= usize::from(area.height);
    let room = usize::from(area.height.saturating_sub(2));
    let scroll = help.scroll.min(rows.len().saturating_sub(room));
    let keys = model.keys();
    let key = |action| {
        keys.first_key(Context::Help, action)
            .unwrap_or_else(|| "?".into())
    };
    let close = keys
        .keys_for(Context::Help, Action::Close)
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(" or ");
    let title = if fits {
        format!("Keys — {close} closes")
    } else {
        let shown = (scroll + room).min(rows.len());
        format!(
            "Keys {shown}/{} — {} {} scroll; {close} closes",
            rows.len(),
            key(Action::Down),
            key(Action::PageDown)
        )
    };
    let inside = boxed(theme, frame, area, (w, h), &title);
    let height = usize::from(inside.height);
    let columns = usize::from(inside.width);
    let lines: Vec<Line> = rows
        .iter()
        .skip(scroll)
        .take(height)
        .map(|row| match row {
            Row::Title(title) => Line::from(Span::styled(fit(title, columns), theme.header)),
            Row::Keys(keys, description) => Line::from(vec![
                Span::styled(format!(" {} ", fit(keys, key_w)), theme.header),
                Span::raw(fit(description, columns.saturating_sub(key_w + 3))),
            ]),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inside);
}

//! Styles. Restrained on purpose: modifiers (bold, reverse, dim) carry most of
//! the meaning so the UI reads on dark and light terminals alike; the few
//! colours are the basic ANSI ones, which every palette maps to something legible.

use ratatui::style::{Color, Modifier, Style};

pub fn base() -> Style {
    Style::default()
}

pub fn unread() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// The selection in a pane that does not have focus.
pub fn selected_unfocused() -> Style {
    Style::default().add_modifier(Modifier::UNDERLINED)
}

pub fn border(focused: bool) -> Style {
    if focused {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::DIM)
    }
}

pub fn title(focused: bool) -> Style {
    if focused {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    }
}

pub fn muted() -> Style {
    Style::default().add_modifier(Modifier::DIM)
}

pub fn header_name() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

pub fn flagged() -> Style {
    Style::default().fg(Color::Yellow)
}

pub fn tab_active() -> Style {
    Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

pub fn bar() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn info() -> Style {
    Style::default().add_modifier(Modifier::ITALIC)
}

//! Styles, from the `[theme]` table (`config::theme`: defaults there, in one place
//! with the docs) turned into ratatui's. With `NO_COLOR` set, every colour is
//! dropped and the modifiers (bold, reverse, dim) carry the meaning alone.
//! Pane borders, pane titles and tabs are not themed: they are structure, drawn
//! with modifiers only.

use ratatui::style::{Color, Modifier, Style};

use crate::config::theme::{self as config, Element};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub unread: Style,
    pub flagged: Style,
    pub tagged: Style,
    pub cursor: Style,
    pub cursor_inactive: Style,
    pub quoted: Style,
    pub error: Style,
    pub info: Style,
    pub muted: Style,
    pub header: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(&config::Theme::default(), false)
    }
}

impl Theme {
    /// The configured theme; `no_color` (the `NO_COLOR` convention) drops colours.
    pub fn new(theme: &config::Theme, no_color: bool) -> Theme {
        let style = |element| {
            let mut spec = theme.style(element);
            if no_color {
                spec = spec.without_color();
            }
            convert(spec)
        };
        Theme {
            unread: style(Element::Unread),
            flagged: style(Element::Flagged),
            tagged: style(Element::Tagged),
            cursor: style(Element::Cursor),
            cursor_inactive: style(Element::CursorInactive),
            quoted: style(Element::Quoted),
            error: style(Element::Error),
            info: style(Element::Info),
            muted: style(Element::Muted),
            header: style(Element::Header),
        }
    }

    pub fn base(&self) -> Style {
        Style::default()
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        }
    }

    pub fn tab_active(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}

/// Whether the environment asks for no colour (<https://no-color.org>: set and not
/// empty).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

fn convert(spec: config::Style) -> Style {
    let mut style = Style::default();
    if let Some(fg) = spec.fg {
        style = style.fg(color(fg));
    }
    if let Some(bg) = spec.bg {
        style = style.bg(color(bg));
    }
    for (on, modifier) in [
        (spec.bold, Modifier::BOLD),
        (spec.dim, Modifier::DIM),
        (spec.italic, Modifier::ITALIC),
        (spec.underlined, Modifier::UNDERLINED),
        (spec.reversed, Modifier::REVERSED),
        (spec.crossed_out, Modifier::CROSSED_OUT),
    ] {
        if on {
            style = style.add_modifier(modifier);
        }
    }
    style
}

fn color(color: config::Color) -> Color {
    match color {
        config::Color::Black => Color::Black,
        config::Color::Red => Color::Red,
        config::Color::Green => Color::Green,
        config::Color::Yellow => Color::Yellow,
        config::Color::Blue => Color::Blue,
        config::Color::Magenta => Color::Magenta,
        config::Color::Cyan => Color::Cyan,
        config::Color::Gray => Color::Gray,
        config::Color::DarkGray => Color::DarkGray,
        config::Color::LightRed => Color::LightRed,
        config::Color::LightGreen => Color::LightGreen,
        config::Color::LightYellow => Color::LightYellow,
        config::Color::LightBlue => Color::LightBlue,
        config::Color::LightMagenta => Color::LightMagenta,
        config::Color::LightCyan => Color::LightCyan,
        config::Color::White => Color::White,
        config::Color::Indexed(n) => Color::Indexed(n),
        config::Color::Rgb(r, g, b) => Color::Rgb(r, g, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_the_modifiers_only() {
        let theme = Theme::new(&config::Theme::default(), true);
        assert_eq!(theme.flagged, Style::default());
        assert_eq!(theme.error, Style::default().add_modifier(Modifier::BOLD));
        assert_eq!(
            theme.cursor,
            Style::default().add_modifier(Modifier::REVERSED)
        );
        let coloured = Theme::default();
        assert_eq!(coloured.flagged, Style::default().fg(Color::Yellow));
    }

    #[test]
    fn the_users_styles_replace_the_defaults() {
        let mut configured = config::Theme::default();
        configured.set(
            Element::Unread,
            config::Style::parse("bold white on blue").unwrap(),
        );
        let theme = Theme::new(&configured, false);
        assert_eq!(
            theme.unread,
            Style::default()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD)
        );
    }
}

//! `[theme]`: the named elements of the interface and the styles they are drawn in,
//! as the config writes them (`flagged = "bold yellow"`, `cursor = "black on cyan"`).
//!
//! UI-neutral on purpose: the TUI turns these into its terminal library's styles, so
//! `config` can check a `[theme]` table without importing one.

use std::fmt;

use toml::Spanned;
use toml::de::DeValue;

use super::locate::{join, quote_key};
use super::resolve::{Problems, suggest};

/// A terminal colour: one of the 16 ANSI colours (which every palette maps to something
/// legible), a 256-colour index, or a true colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Color {
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
    /// `color0` to `color255`.
    Indexed(u8),
    /// `#rrggbb`.
    Rgb(u8, u8, u8),
}

/// The 16 named colours as the config writes them.
const NAMED_COLORS: [(&str, Color); 16] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark-gray", Color::DarkGray),
    ("light-red", Color::LightRed),
    ("light-green", Color::LightGreen),
    ("light-yellow", Color::LightYellow),
    ("light-blue", Color::LightBlue),
    ("light-magenta", Color::LightMagenta),
    ("light-cyan", Color::LightCyan),
    ("white", Color::White),
];

/// The terminal's own colour (foreground or background): no colour set.
const DEFAULT_COLOR: &str = "default";
/// A plain style, written alone.
const PLAIN: &str = "none";
const ON: &str = "on";

impl Color {
    /// How the config writes it: `red`, `color42`, `#ff8700`.
    pub fn label(self) -> String {
        match self {
            Color::Indexed(n) => format!("color{n}"),
            Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
            named => NAMED_COLORS
                .iter()
                .find(|(_, c)| *c == named)
                .map_or_else(|| format!("{named:?}"), |(name, _)| (*name).to_owned()),
        }
    }
}

/// Text attributes and colours; `None` colours are the terminal's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub fg: Option<Color>,
    pub bg: Option<Color>,
    pub bold: bool,
    pub dim: bool,
    pub italic: bool,
    pub underlined: bool,
    pub reversed: bool,
    pub crossed_out: bool,
}

/// The modifiers as the config writes them, in label order.
const MODIFIERS: [&str; 6] = [
    "bold",
    "dim",
    "italic",
    "underlined",
    "reversed",
    "crossed-out",
];

/// A word of a style string that names a colour.
enum ColorWord {
    /// `default`: the terminal's colour.
    Default,
    Color(Color),
}

impl Style {
    const fn plain() -> Style {
        Style {
            fg: None,
            bg: None,
            bold: false,
            dim: false,
            italic: false,
            underlined: false,
            reversed: false,
            crossed_out: false,
        }
    }

    /// The same style with no colours, modifiers kept (for `NO_COLOR`).
    pub fn without_color(self) -> Style {
        Style {
            fg: None,
            bg: None,
            ..self
        }
    }

    fn modifier_mut(&mut self, name: &str) -> Option<&mut bool> {
        match name {
            "bold" => Some(&mut self.bold),
            "dim" => Some(&mut self.dim),
            "italic" => Some(&mut self.italic),
            "underlined" => Some(&mut self.underlined),
            "reversed" => Some(&mut self.reversed),
            "crossed-out" => Some(&mut self.crossed_out),
            _ => None,
        }
    }

    fn modifiers(self) -> [bool; 6] {
        [
            self.bold,
            self.dim,
            self.italic,
            self.underlined,
            self.reversed,
            self.crossed_out,
        ]
    }

    /// Parses a style as the config writes it: space-separated words, any case, such as
    /// `"bold yellow"`, `"black on light-cyan"`, `"#ff8700 on color236"` or `"none"`.
    /// The error says what to write instead.
    pub fn parse(text: &str) -> Result<Style, String> {
        let words: Vec<String> = text
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        match words.as_slice() {
            [] => {
                return Err(format!(
                    "the style is empty; write words such as \"bold yellow\", or \"{PLAIN}\" \
                     for a plain style"
                ));
            }
            [only] if only == PLAIN => return Ok(Style::plain()),
            _ => {}
        }
        let mut style = Style::plain();
        let mut fg: Option<&str> = None;
        let mut bg: Option<&str> = None;
        let mut words = words.iter();
        while let Some(word) = words.next() {
            if word == ON {
                let next = words.next();
                let color = match next.map(|w| color_word(w)) {
                    Some(Ok(Some(color))) => color,
                    Some(Err(message)) => return Err(message),
                    Some(Ok(None)) | None => return Err(on_without_color(next)),
                };
                if let Some(first) = bg {
                    return Err(format!(
                        "two background colours (\"on {first}\" and \"on {}\"); keep one",
                        next.map_or("", String::as_str)
                    ));
                }
                bg = next.map(String::as_str);
                style.bg = color.into_color();
            } else if let Some(flag) = style.modifier_mut(word) {
                *flag = true;
            } else if let Some(color) = color_word(word)? {
                if let Some(first) = fg {
                    return Err(format!(
                        "two foreground colours (\"{first}\" and \"{word}\"); keep one, and \
                         write \"on <colour>\" for the background"
                    ));
                }
                fg = Some(word);
                style.fg = color.into_color();
            } else if word == PLAIN {
                return Err(format!(
                    "\"{PLAIN}\" means a plain style and is written alone"
                ));
            } else {
                return Err(unknown_word(word));
            }
        }
        Ok(style)
    }
}

impl ColorWord {
    fn into_color(self) -> Option<Color> {
        match self {
            ColorWord::Default => None,
            ColorWord::Color(color) => Some(color),
        }
    }
}

/// `Ok(None)`: the word is not a colour at all; `Err`: it is one, badly written.
fn color_word(word: &str) -> Result<Option<ColorWord>, String> {
    if word == DEFAULT_COLOR {
        return Ok(Some(ColorWord::Default));
    }
    if let Some((_, color)) = NAMED_COLORS.iter().find(|(name, _)| *name == word) {
        return Ok(Some(ColorWord::Color(*color)));
    }
    if let Some(hex) = word.strip_prefix('#') {
        return rgb(hex)
            .map(|(r, g, b)| Some(ColorWord::Color(Color::Rgb(r, g, b))))
            .ok_or_else(|| {
                format!(
                    "\"{word}\" is not a colour; write #rrggbb with six hex digits, such as \
                     \"#ff8700\""
                )
            });
    }
    let number = word
        .strip_prefix("colour")
        .or_else(|| word.strip_prefix("color"))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if let Some(number) = number {
        return match number.parse::<u8>() {
            Ok(n) => Ok(Some(ColorWord::Color(Color::Indexed(n)))),
            Err(_) => Err(format!(
                "\"{word}\": colour numbers go from color0 to color255"
            )),
        };
    }
    Ok(None)
}

fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |at: usize| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

fn on_without_color(next: Option<&String>) -> String {
    match next {
        Some(word) => {
            format!("`on` must be followed by a colour, not \"{word}\" (e.g. \"white on blue\")")
        }
        None => "`on` needs a colour after it, e.g. \"white on blue\"".to_owned(),
    }
}

fn unknown_word(word: &str) -> String {
    let mut known: Vec<&str> = MODIFIERS.to_vec();
    known.extend(NAMED_COLORS.iter().map(|(name, _)| *name));
    known.extend([ON, DEFAULT_COLOR, PLAIN]);
    match suggest(word, &known) {
        Some(best) => format!("unknown word \"{word}\", did you mean \"{best}\"?"),
        None => format!(
            "unknown word \"{word}\"; a style is modifiers ({}), a colour (a name such as \
             red or light-blue, #rrggbb, or color0 to color255) and \"on <colour>\" for the \
             background",
            MODIFIERS.join(", ")
        ),
    }
}

/// As the config writes it; parses back to the same style.
impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = MODIFIERS
            .iter()
            .zip(self.modifiers())
            .filter(|(_, on)| *on)
            .map(|(name, _)| (*name).to_owned())
            .collect();
        if let Some(fg) = self.fg {
            words.push(fg.label());
        }
        if let Some(bg) = self.bg {
            words.push(format!("{ON} {}", bg.label()));
        }
        if words.is_empty() {
            f.write_str(PLAIN)
        } else {
            f.write_str(&words.join(" "))
        }
    }
}

/// A part of the interface with a style of its own (`[theme]` keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Element {
    Unread,
    Flagged,
    Tagged,
    Cursor,
    CursorInactive,
    Quoted,
    Error,
    Info,
    Muted,
    Header,
}

impl Element {
    pub const ALL: [Element; 10] = [
        Element::Unread,
        Element::Flagged,
        Element::Tagged,
        Element::Cursor,
        Element::CursorInactive,
        Element::Quoted,
        Element::Error,
        Element::Info,
        Element::Muted,
        Element::Header,
    ];

    /// The key in `[theme]`.
    pub fn name(self) -> &'static str {
        match self {
            Element::Unread => "unread",
            Element::Flagged => "flagged",
            Element::Tagged => "tagged",
            Element::Cursor => "cursor",
            Element::CursorInactive => "cursor-inactive",
            Element::Quoted => "quoted",
            Element::Error => "error",
            Element::Info => "info",
            Element::Muted => "muted",
            Element::Header => "header",
        }
    }

    pub fn from_name(name: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|e| e.name() == name)
    }

    /// postern's own look: modifiers carry most of the meaning, and the few colours
    /// are basic ANSI ones, legible on dark and light terminals alike.
    pub fn default_style(self) -> Style {
        let plain = Style::plain();
        match self {
            Element::Unread | Element::Header => Style {
                bold: true,
                ..plain
            },
            Element::Flagged => Style {
                fg: Some(Color::Yellow),
                ..plain
            },
            Element::Tagged => Style {
                fg: Some(Color::Cyan),
                bold: true,
                ..plain
            },
            Element::Cursor => Style {
                reversed: true,
                ..plain
            },
            Element::CursorInactive => Style {
                underlined: true,
                ..plain
            },
            Element::Quoted => Style {
                fg: Some(Color::Green),
                ..plain
            },
            Element::Error => Style {
                fg: Some(Color::Red),
                bold: true,
                ..plain
            },
            Element::Info => Style {
                italic: true,
                ..plain
            },
            Element::Muted => Style { dim: true, ..plain },
        }
    }

    /// What it colours, for docs and help.
    pub fn description(self) -> &'static str {
        match self {
            Element::Unread => "messages not read yet, in the list",
            Element::Flagged => "flagged messages, in the list",
            Element::Tagged => "tagged messages, in the list",
            Element::Cursor => "the selected line of the pane with focus",
            Element::CursorInactive => "the selected line of a pane without focus",
            Element::Quoted => "quoted lines (\"> ...\") in a message",
            Element::Error => "errors in the status line",
            Element::Info => "information in the status line",
            Element::Muted => "secondary text: dates, counts, hints, unfocused borders",
            Element::Header => {
                "names and headings: header names in a message (From:, Subject:), the keys in the help, box titles, where you are in the status line"
            }
        }
    }
}

/// The styles the user wrote in `[theme]`; every other element keeps its default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Theme {
    overrides: Vec<(Element, Style)>,
}

impl Theme {
    /// The style to draw `element` in: the user's, else the default.
    pub fn style(&self, element: Element) -> Style {
        self.overrides
            .iter()
            .find(|(e, _)| *e == element)
            .map_or_else(|| element.default_style(), |(_, style)| *style)
    }

    /// Replace the style of `element`.
    pub fn set(&mut self, element: Element, style: Style) {
        self.overrides.retain(|(e, _)| *e != element);
        self.overrides.push((element, style));
    }
}

/// The `[theme]` table: every problem is reported, the good lines still apply.
pub(super) fn resolve(problems: &mut Problems<'_>, value: &Spanned<DeValue<'_>>) -> Theme {
    let mut theme = Theme::default();
    let Some(table) = value.get_ref().as_table() else {
        problems.at(
            value.span(),
            "theme",
            format!(
                "expected a [theme] table of element = \"style\" lines, found {}",
                value.get_ref().type_str()
            ),
        );
        return theme;
    };
    let names: Vec<&str> = Element::ALL.iter().map(|e| e.name()).collect();
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let Some(element) = Element::from_name(name) else {
            let shown = quote_key(name);
            let message = match suggest(name, &names) {
                Some(best) => format!("unknown element `{shown}`, did you mean `{best}`?"),
                None => format!("unknown element `{shown}`; elements: {}", names.join(", ")),
            };
            problems.at(key.span(), "theme", message);
            continue;
        };
        let path = join("theme", name);
        let DeValue::String(text) = value.get_ref() else {
            problems.at(
                value.span(),
                &path,
                format!(
                    "expected a style string like \"bold yellow\", found {}",
                    value.get_ref().type_str()
                ),
            );
            continue;
        };
        match Style::parse(text) {
            Ok(style) => theme.set(element, style),
            Err(message) => problems.at(value.span(), &path, message),
        }
    }
    theme
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_parse_in_any_case_and_order() {
        assert_eq!(
            Style::parse("Bold YELLOW on Blue"),
            Ok(Style {
                fg: Some(Color::Yellow),
                bg: Some(Color::Blue),
                bold: true,
                ..Style::default()
            })
        );
        assert_eq!(
            Style::parse("on #FF8700  italic color42"),
            Ok(Style {
                fg: Some(Color::Indexed(42)),
                bg: Some(Color::Rgb(0xff, 0x87, 0x00)),
                italic: true,
                ..Style::default()
            })
        );
        assert_eq!(Style::parse("none"), Ok(Style::default()));
        assert_eq!(
            Style::parse("default on default underlined"),
            Ok(Style {
                underlined: true,
                ..Style::default()
            })
        );
        assert_eq!(
            Style::parse("dim reversed crossed-out dark-gray colour255"),
            Err("two foreground colours (\"dark-gray\" and \"colour255\"); keep one, and write \"on <colour>\" for the background".into())
        );
    }

    #[test]
    fn every_default_labels_and_parses_back() {
        for element in Element::ALL {
            let style = element.default_style();
            assert_eq!(Style::parse(&style.to_string()), Ok(style), "{element:?}");
            assert_eq!(Element::from_name(element.name()), Some(element));
        }
        let all = Style {
            fg: Some(Color::LightMagenta),
            bg: Some(Color::Rgb(1, 2, 3)),
            bold: true,
            dim: true,
            italic: true,
            underlined: true,
            reversed: true,
            crossed_out: true,
        };
        assert_eq!(
            all.to_string(),
            "bold dim italic underlined reversed crossed-out light-magenta on #010203"
        );
        assert_eq!(Style::parse(&all.to_string()), Ok(all));
        assert_eq!(Style::default().to_string(), "none");
    }

    #[test]
    fn mistakes_are_explained() {
        let error = |text: &str| Style::parse(text).unwrap_err();
        assert_eq!(
            error("bolt"),
            "unknown word \"bolt\", did you mean \"bold\"?"
        );
        assert!(
            error("bright-red").contains("\"light-red\""),
            "{}",
            error("bright-red")
        );
        assert!(error("sparkly").contains("a style is modifiers"));
        assert!(error("#12345").contains("six hex digits"));
        assert!(error("#12345g").contains("six hex digits"));
        assert!(error("#+12345").contains("six hex digits"));
        assert!(error("color256").contains("color0 to color255"));
        assert!(error("red blue").contains("two foreground colours"));
        assert!(error("red on").contains("`on` needs a colour"));
        assert!(error("on bold").contains("not \"bold\""));
        assert!(error("on red on blue").contains("two background colours"));
        assert!(error("").contains("empty"));
        assert!(error("none bold").contains("written alone"));
    }

    #[test]
    fn a_theme_replaces_only_what_it_sets() {
        let mut theme = Theme::default();
        assert_eq!(
            theme.style(Element::Flagged),
            Element::Flagged.default_style()
        );
        theme.set(Element::Flagged, Style::default());
        theme.set(
            Element::Flagged,
            Style {
                bold: true,
                ..Style::default()
            },
        );
        assert!(theme.style(Element::Flagged).bold);
        assert_eq!(theme.style(Element::Flagged).fg, None);
        assert_eq!(
            theme.style(Element::Cursor),
            Element::Cursor.default_style()
        );
        assert_eq!(
            Element::Error.default_style().without_color(),
            Style {
                bold: true,
                ..Style::default()
            }
        );
    }
}

//! Text shaping shared by the panes: width-aware truncation, dates, sizes.

use std::borrow::Cow;

use chrono::{DateTime, Datelike};
use unicode_width::UnicodeWidthChar;

use crate::mime::sanitize;

use super::super::msg::Clock;

/// Mail-derived text made safe to draw (the single gate, in `mime::sanitize`).
pub fn safe(text: &str) -> Cow<'_, str> {
    sanitize::line(text)
}

/// Display width of a string, in terminal columns.
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Cut `text` to at most `max` columns, ending in "…" when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` cut and then padded with spaces to exactly `columns` columns.
pub fn fit(text: &str, columns: usize) -> String {
    let mut out = truncate(text, columns);
    let pad = columns.saturating_sub(width(&out));
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Right-aligned variant of [`fit`].
pub fn fit_right(text: &str, columns: usize) -> String {
    let cut = truncate(text, columns);
    let pad = columns.saturating_sub(width(&cut));
    let mut out: String = std::iter::repeat_n(' ', pad).collect();
    out.push_str(&cut);
    out
}

/// Split a line into pieces of at most `max` columns (hard wrap).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max && used > 0 {
            lines.push(std::mem::take(&mut current));
            used = 0;
        }
        current.push(c);
        used += w;
    }
    lines.push(current);
    lines
}

/// Split a line into lines of at most `max` columns at spaces (the spaces where
/// it is split are dropped); a word longer than a line is split as [`wrap`] does.
pub fn wrap_words(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let fits = if current.is_empty() {
            width(word) <= max
        } else {
            width(&current) + 1 + width(word) <= max
        };
        if fits {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        let mut pieces = wrap(word, max);
        current = pieces.pop().unwrap_or_default();
        lines.extend(pieces);
    }
    lines.push(current);
    lines
}

/// How many lines [`wrap`] makes of `text`, without building them.
pub fn wrap_count(text: &str, max: usize) -> usize {
    let max = max.max(1);
    let mut lines = 1;
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max && used > 0 {
            lines += 1;
            used = 0;
        }
        used += w;
    }
    lines
}

/// A list date: "14:02" today, "Nov 21" this year, "2024-11-21" before.
pub fn short_date(date: i64, clock: Clock) -> String {
    let offset = i64::from(clock.utc_offset);
    let (Some(when), Some(now)) = (
        DateTime::from_timestamp(date.saturating_add(offset), 0),
        DateTime::from_timestamp(clock.now.saturating_add(offset), 0),
    ) else {
        return "?".into();
    };
    let (when, now) = (when.naive_utc(), now.naive_utc());
    if when.date() == now.date() {
        when.format("%H:%M").to_string()
    } else if when.year() == now.year() {
        when.format("%b %e").to_string()
    } else {
        when.format("%Y-%m-%d").to_string()
    }
}

/// "Name <addr>" shows as "Name"; a bare address as itself.
pub fn display_from(from: &str) -> &str {
    let from = from.trim();
    if let Some(open) = from.rfind('<')
        && from.ends_with('>')
    {
        let name = from[..open].trim().trim_matches('"').trim();
        if !name.is_empty() {
            return name;
        }
        return &from[open + 1..from.len() - 1];
    }
    from
}

/// "812 B", "4.2 KiB", "13 MiB".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap_words;

    #[test]
    fn words_go_to_the_next_line_whole() {
        assert_eq!(
            wrap_words("Open it now? (n keeps it)", 12),
            ["Open it now?", "(n keeps it)"]
        );
        assert_eq!(wrap_words("a  b", 10), ["a b"]);
        assert_eq!(wrap_words("", 10), [""]);
    }

    #[test]
    fn a_word_longer_than_a_line_is_split() {
        assert_eq!(
            wrap_words("to abcdefghij x", 4),
            ["to", "abcd", "efgh", "ij x"]
        );
    }
}

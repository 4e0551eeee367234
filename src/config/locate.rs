//! Turning byte offsets in the config text into line:column and dotted key paths.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A key as it must be written in a dotted path: bare if it can be, quoted otherwise.
pub(crate) fn quote_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// `parent.key`, or just `key` at the top level.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        quote_key(key)
    } else {
        format!("{parent}.{}", quote_key(key))
    }
}

/// The dotted path of the deepest key in `table` whose key or value covers `span`,
/// prefixed by `parent`; `parent` itself when none does. Names the key behind a serde error.
/// Sub-tables are searched even when their own span does not cover `span`: a `[a.b]`
/// header's span is the header line, not the keys below it.
pub(crate) fn key_path_at(table: &DeTable<'_>, parent: &str, span: &Range<usize>) -> String {
    find_key_path(table, parent, span).unwrap_or_else(|| parent.to_string())
}

fn find_key_path(table: &DeTable<'_>, parent: &str, span: &Range<usize>) -> Option<String> {
    for (key, value) in table.iter() {
        let path = join(parent, key.get_ref());
        if let DeValue::Table(inner) = value.get_ref()
            && let Some(deeper) = find_key_path(inner, &path, span)
        {
            return Some(deeper);
        }
        let covers = value.span().start <= span.start && span.end <= value.span().end;
        let on_key = key.span().start <= span.start && span.end <= key.span().end;
        if covers || on_key {
            return Some(path);
        }
    }
    None
}

/// The entry named `name` in `table`, if any.
pub(crate) fn get<'a, 'i>(
    table: &'a DeTable<'i>,
    name: &str,
) -> Option<&'a toml::Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(key, _)| key.get_ref().as_ref() == name)
        .map(|(_, value)| value)
}

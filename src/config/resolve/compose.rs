//! The top-level `[compose]` table: `editor`, `send_delay`, `attribution` and
//! `address_book_command`. Keys are checked like an account's (unknown ones refused
//! with a suggestion, typos read as the suggested key), then each value on its own.

use std::ops::Range;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use super::super::fields::field_names;
use super::super::raw::RawCompose;
use super::super::{ComposeSettings, EditorSetting, MAX_SEND_DELAY, check_attribution};
use super::{Problems, check_keys, command, friendly_type_error, join, key_path_at, recover_table};

const TABLE: &str = "compose";
/// `editor = "builtin"`: postern's own editor.
const BUILTIN: &str = "builtin";

/// The settings `[compose]` describes; the defaults for whatever has problems (they are
/// reported, so the config is refused anyway).
pub(super) fn resolve(
    problems: &mut Problems<'_>,
    value: &Spanned<DeValue<'_>>,
) -> ComposeSettings {
    let mut settings = ComposeSettings::default();
    let Some(table) = value.get_ref().as_table() else {
        problems.at(
            value.span(),
            TABLE,
            format!(
                "expected a [compose] table of settings such as send_delay = 10, found {}",
                value.get_ref().type_str()
            ),
        );
        return settings;
    };
    check_keys(problems, table, TABLE, field_names::<RawCompose>());
    let mut known = value.clone();
    if let DeValue::Table(inner) = known.get_mut() {
        recover_table(inner, field_names::<RawCompose>());
    }
    let raw = match RawCompose::deserialize(ValueDeserializer::from(known)) {
        Ok(raw) => raw,
        Err(error) => {
            let span = error.span().unwrap_or_else(|| value.span());
            let key_path = key_path_at(table, TABLE, &span);
            problems.at(span, &key_path, friendly_type_error(error.message()));
            return settings;
        }
    };
    if let Some(editor) = raw.editor.as_ref().and_then(|e| self::editor(problems, e)) {
        settings.editor = Some(editor);
    }
    if let Some(delay) = raw
        .send_delay
        .as_ref()
        .and_then(|d| send_delay(problems, d))
    {
        settings.send_delay = delay;
    }
    if let Some(attribution) = raw
        .attribution
        .as_ref()
        .and_then(|a| attribution(problems, a))
    {
        settings.attribution = attribution;
    }
    settings.address_book_command = raw
        .address_book_command
        .as_ref()
        .and_then(|c| command(problems, c, &join(TABLE, "address_book_command")));
    settings
}

fn editor(problems: &mut Problems<'_>, raw: &Spanned<String>) -> Option<EditorSetting> {
    let written = raw.get_ref().trim();
    if written.is_empty() {
        problems.at(
            raw.span(),
            &join(TABLE, "editor"),
            "the editor is empty; write a command such as \"vim\", \"builtin\" for postern's \
             own editor, or remove `editor` to use $VISUAL or $EDITOR",
        );
        return None;
    }
    if written.eq_ignore_ascii_case(BUILTIN) {
        return Some(EditorSetting::Builtin);
    }
    Some(EditorSetting::Command(raw.get_ref().clone()))
}

fn send_delay(problems: &mut Problems<'_>, raw: &Spanned<i64>) -> Option<Duration> {
    let seconds = *raw.get_ref();
    match u64::try_from(seconds) {
        Ok(n) if n <= MAX_SEND_DELAY.as_secs() => Some(Duration::from_secs(n)),
        _ => {
            problems.at(
                raw.span(),
                &join(TABLE, "send_delay"),
                format!(
                    "{seconds} seconds is out of range; use 0 (send at once) to {}",
                    MAX_SEND_DELAY.as_secs()
                ),
            );
            None
        }
    }
}

fn attribution(problems: &mut Problems<'_>, raw: &Spanned<String>) -> Option<String> {
    let template = raw.get_ref();
    let Err(errors) = check_attribution(template) else {
        return Some(template.clone());
    };
    let span = raw.span();
    let inside = written_verbatim(problems.text, &span, template);
    for error in errors {
        // Point at the mistake itself when the string is written without escapes, so
        // that offsets in the value are offsets in the file; else at the string.
        let at = if inside {
            span.start + 1 + error.offset
        } else {
            span.start
        };
        problems.at(at..at, &join(TABLE, "attribution"), error.message);
    }
    None
}

/// Whether the string at `span` in `text` is `value` between single quote characters.
fn written_verbatim(text: &str, span: &Range<usize>, value: &str) -> bool {
    let Some(written) = text.get(span.clone()) else {
        return false;
    };
    let mut chars = written.chars();
    let quoted = matches!(
        (chars.next(), chars.next_back()),
        (Some('"'), Some('"')) | (Some('\''), Some('\''))
    );
    quoted && chars.as_str() == value
}

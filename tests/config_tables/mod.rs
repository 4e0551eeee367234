//! The top-level `[keys]` and `[theme]` tables, and docs/keys.md against the defaults.
//! Part of the `config` test crate (it uses that file's helpers).

use std::path::Path;

use postern::config::theme::{Color, Element, Style, Theme};
use postern::keys::{Action, Chord, Context, Keymap};

use postern::config::Config;

use super::{HOME, ORIGIN, ok, only_problem, parse, problems};

/// A valid account after `tables`, so line numbers in `tables` are the file's.
fn with_account(tables: &str) -> String {
    format!("{tables}\n[accounts.m]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n")
}

fn keymap(tables: &str) -> Keymap {
    ok(&with_account(tables)).keys
}

fn theme(tables: &str) -> Theme {
    ok(&with_account(tables)).theme
}

fn key(text: &str) -> Chord {
    Chord::parse(text).expect("a valid key")
}

// ---------------------------------------------------------------------------------------
// [keys]: what takes effect

#[test]
fn a_file_without_keys_or_theme_gets_the_defaults() {
    let config = ok(&with_account(""));
    assert_eq!(config.keys, Keymap::defaults());
    assert_eq!(config.theme, Theme::default());
    assert_eq!(
        config.theme.style(Element::Flagged),
        Element::Flagged.default_style()
    );
}

#[test]
fn keys_tables_take_effect() {
    let keys = keymap(
        r#"[keys]
flag = ["F", "*"]
refresh = "ctrl-R"
delete = []
[keys.message]
next-message = "n"
[keys.help-screen]
close = ["q", "Esc"]
"#,
    );
    let at = |context: Context, text: &str| keys.lookup(context, key(text));
    assert_eq!(at(Context::List, "*"), Some(Action::Flag));
    assert_eq!(at(Context::Folders, "F"), Some(Action::Flag));
    assert_eq!(at(Context::List, "Ctrl-r"), Some(Action::Refresh));
    assert_eq!(at(Context::List, "d"), None, "[] unbinds");
    assert_eq!(at(Context::Message, "n"), Some(Action::NextMessage));
    assert_eq!(at(Context::Message, "J"), None);
    assert_eq!(at(Context::List, "J"), Some(Action::NextFolder));
    assert_eq!(at(Context::Help, "?"), None);
    assert_eq!(at(Context::Help, "q"), Some(Action::Close));
}

#[test]
fn binding_an_action_replaces_its_default_keys() {
    let keys = keymap("[keys]\nhelp = \"F1\"\n");
    assert_eq!(keys.lookup(Context::List, key("F1")), Some(Action::Help));
    assert_eq!(keys.lookup(Context::List, key("?")), None);
    assert_eq!(keys.lookup(Context::Help, key("?")), Some(Action::Close));
}

/// The help action and the help screen's table live side by side in one file.
#[test]
fn the_help_action_and_the_help_screen_table_share_a_file() {
    let keys = keymap("[keys]\nhelp = \"F1\"\n[keys.help-screen]\nclose = [\"q\", \"F1\"]\n");
    assert_eq!(keys.lookup(Context::List, key("F1")), Some(Action::Help));
    assert_eq!(keys.lookup(Context::Help, key("F1")), Some(Action::Close));
    assert_eq!(keys.lookup(Context::Help, key("q")), Some(Action::Close));
    assert_eq!(keys.lookup(Context::Help, key("Esc")), None, "replaced");
}

#[test]
fn inline_and_dotted_keys_tables_are_the_same_tables() {
    let dotted = keymap("keys.message.next-message = \"n\"\nkeys.flag = \"*\"\n");
    let inline = keymap("keys = { flag = \"*\", message = { next-message = \"n\" } }\n");
    assert_eq!(dotted, inline);
    assert_eq!(
        dotted.lookup(Context::Message, key("n")),
        Some(Action::NextMessage)
    );
}

// ---------------------------------------------------------------------------------------
// [keys]: every kind of problem, on its line

#[test]
fn unknown_actions_get_a_suggestion_or_the_list() {
    let p = only_problem(
        &with_account("[keys]\nflagg = \"x\"\n"),
        2,
        "keys",
        "unknown action `flagg`, did you mean `flag`?",
    );
    assert_eq!(p.column, 1);
    only_problem(
        &with_account("[keys.message]\nnext-mesage = \"n\"\n"),
        2,
        "keys.message",
        "did you mean `next-message`?",
    );
    only_problem(
        &with_account("[keys.picker]\nzzzzzz = \"Ctrl-x\"\n"),
        2,
        "keys.picker",
        "unknown action `zzzzzz`; actions here: submit, cancel, down, up,",
    );
    only_problem(
        &with_account("[keys]\nzzzzzz = \"x\"\n"),
        2,
        "keys",
        "docs/keys.md lists every action",
    );
}

#[test]
fn unparsable_keys_say_what_to_write() {
    only_problem(
        &with_account("[keys]\nrefresh = \"Ctrl+r\"\n"),
        2,
        "keys.refresh",
        "write \"Ctrl-r\"",
    );
    let p = only_problem(
        &with_account("[keys]\n\nflag = [\"F\", \"Entr\"]\n"),
        3,
        "keys.flag",
        "unknown key \"Entr\", did you mean \"Enter\"?",
    );
    assert_eq!(p.column, 14, "points at the bad key in the list");
    only_problem(
        &with_account("[keys.list]\ntag = \"\"\n"),
        2,
        "keys.list.tag",
        "an empty key",
    );
}

#[test]
fn wrong_types_are_explained() {
    only_problem(
        &with_account("[keys]\nflag = 5\n"),
        2,
        "keys.flag",
        "expected a key like \"F\", a list of keys like [\"F\", \"*\"], or [] to unbind, found integer",
    );
    let p = only_problem(
        &with_account("[keys]\nflag = [\n  \"F\",\n  true,\n]\n"),
        4,
        "keys.flag",
        "expected a key as a string, like \"F\", found boolean",
    );
    assert_eq!(p.column, 3);
    let found = problems(&with_account("[keys]\nrefresh = [\"Ctrl+r\", 3]\n"));
    let located: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|p| (p.line, p.column, p.key_path.as_str()))
        .collect();
    assert_eq!(
        located,
        [(2, 12, "keys.refresh"), (2, 22, "keys.refresh")],
        "both halves of a mixed list: {found:#?}"
    );
    only_problem(
        &with_account("[keys]\nflag = { key = \"F\" }\n"),
        2,
        "keys.flag",
        "found table",
    );
    only_problem(
        &with_account("keys = \"vim\"\n"),
        1,
        "keys",
        "expected a [keys] table of action = \"key\" lines, found string",
    );
    only_problem(
        &with_account("[keys]\nmessage = \"n\"\n"),
        2,
        "keys.message",
        "`message` is a context, not an action: write its keys in a [keys.message] table",
    );
}

#[test]
fn one_key_for_two_actions_in_one_table_names_the_first_line() {
    let text = with_account("[keys]\n\nflag = \"x\"\ndelete = [\"d\", \"x\"]\n");
    only_problem(
        &text,
        4,
        "keys.delete",
        "key \"x\" is already bound to `flag` on line 3 in this table; pick another key or \
         unbind one",
    );
    let shown = parse(&text).expect_err("conflict").to_string();
    assert!(
        shown.starts_with(&format!(
            "{ORIGIN}:4:16: keys.delete: key \"x\" is already bound"
        )),
        "{shown}"
    );
    only_problem(
        &with_account("[keys.confirm]\nyes = \"Enter\"\nno = [\"Esc\", \"Enter\"]\n"),
        3,
        "keys.confirm.no",
        "already bound to `yes` on line 2",
    );
    // The same key in two tables is an override, not a conflict.
    let keys = keymap("[keys]\nflag = \"x\"\n[keys.list]\ndelete = \"x\"\n");
    assert_eq!(keys.lookup(Context::List, key("x")), Some(Action::Delete));
    assert_eq!(keys.lookup(Context::Message, key("x")), Some(Action::Flag));
}

#[test]
fn actions_bound_where_they_mean_nothing_say_where_they_belong() {
    only_problem(
        &with_account("[keys]\nsubmit = \"Enter\"\n"),
        2,
        "keys.submit",
        "`submit` is not a key of the main screen; bind it in [keys.picker] or [keys.prompt]",
    );
    only_problem(
        &with_account("[keys.picker]\nflag = \"Ctrl-f\"\n"),
        2,
        "keys.picker.flag",
        "`flag` means nothing in [keys.picker]; actions here: submit, cancel, down, up,",
    );
    only_problem(
        &with_account("[keys.list]\nclose = \"x\"\n"),
        2,
        "keys.list.close",
        "`close` means nothing in [keys.list]; bind it in [keys.message], [keys.help-screen], \
         [keys.output] or [keys.outbox]",
    );
}

#[test]
fn plain_characters_are_text_in_pickers_and_prompts() {
    let p = only_problem(
        &with_account("[keys.picker]\nsubmit = [\"Enter\", \"y\"]\n"),
        2,
        "keys.picker.submit",
        "key \"y\": plain characters are text in a picker; use Ctrl-, Alt- or a named key",
    );
    assert_eq!(p.column, 20);
    only_problem(
        &with_account("[keys.prompt]\ncancel = \"q\"\n"),
        2,
        "keys.prompt.cancel",
        "plain characters are text in a prompt",
    );
    only_problem(
        &with_account("[keys.picker]\ndown = \"Space\"\n"),
        2,
        "keys.picker.down",
        "key \"Space\" types a space in a picker",
    );
    let keys = keymap("[keys.prompt]\ncancel = [\"Ctrl-g\", \"Alt-q\", \"F10\"]\n");
    assert_eq!(
        keys.lookup(Context::Prompt, key("Alt-q")),
        Some(Action::Cancel)
    );
}

#[test]
fn unknown_context_tables_get_a_suggestion() {
    let p = only_problem(
        &with_account("[keys.mesage]\nnext-message = \"n\"\n"),
        1,
        "keys",
        "unknown table [keys.mesage], did you mean [keys.message]?",
    );
    assert_eq!(p.column, 7);
    only_problem(
        &with_account("[keys.sidebar]\ndown = \"n\"\n"),
        1,
        "keys",
        "the contexts are list, message, folders, help-screen, picker, prompt, confirm, output",
    );
}

#[test]
fn the_same_action_twice_in_one_table_is_a_toml_error_with_its_line() {
    let found = problems(&with_account("[keys]\nflag = \"x\"\nflag = \"y\"\n"));
    assert_eq!(found[0].line, 3, "{found:#?}");
    assert!(found[0].message.contains("TOML syntax error"), "{found:#?}");
}

#[test]
fn every_keys_and_theme_problem_is_reported_in_file_order() {
    let found = problems(
        r#"[accounts.m]
email = "a@b.c"
recieve = "maildir"
maildir = "/m"
[keys]
flagg = "x"
refresh = "Ctrl+r"
[keys.picker]
submit = "y"
[theme]
unred = "bold"
flagged = "bolt"
"#,
    );
    let located: Vec<(usize, &str)> = found
        .iter()
        .map(|p| (p.line, p.key_path.as_str()))
        .collect();
    assert_eq!(
        located,
        [
            (3, "accounts.m"),
            (6, "keys"),
            (7, "keys.refresh"),
            (9, "keys.picker.submit"),
            (11, "theme"),
            (12, "theme.flagged"),
        ],
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// [theme]

#[test]
fn theme_styles_replace_the_defaults_they_name() {
    let theme = theme(
        r#"[theme]
flagged = "bold"
cursor = "Black on LIGHT-CYAN"
quoted = "none"
header = "underlined #ff8700 on color236"
"#,
    );
    assert_eq!(
        theme.style(Element::Flagged),
        Style {
            bold: true,
            ..Style::default()
        }
    );
    assert_eq!(
        theme.style(Element::Cursor),
        Style {
            fg: Some(Color::Black),
            bg: Some(Color::LightCyan),
            ..Style::default()
        }
    );
    assert_eq!(theme.style(Element::Quoted), Style::default());
    assert_eq!(
        theme.style(Element::Header),
        Style {
            fg: Some(Color::Rgb(0xff, 0x87, 0x00)),
            bg: Some(Color::Indexed(236)),
            underlined: true,
            ..Style::default()
        }
    );
    assert_eq!(
        theme.style(Element::Unread),
        Element::Unread.default_style()
    );
}

#[test]
fn theme_problems_are_located_and_explained() {
    only_problem(
        &with_account("[theme]\nunred = \"bold\"\n"),
        2,
        "theme",
        "unknown element `unred`, did you mean `unread`?",
    );
    only_problem(
        &with_account("[theme]\nsidebar = \"bold\"\n"),
        2,
        "theme",
        "elements: unread, flagged, tagged, cursor, cursor-inactive, quoted, error, info, \
         muted, header",
    );
    only_problem(
        &with_account("[theme]\n\nflagged = \"bolt yellow\"\n"),
        3,
        "theme.flagged",
        "unknown word \"bolt\", did you mean \"bold\"?",
    );
    only_problem(
        &with_account("[theme]\nerror = \"#ff000\"\n"),
        2,
        "theme.error",
        "write #rrggbb with six hex digits",
    );
    only_problem(
        &with_account("[theme]\nerror = \"red yellow\"\n"),
        2,
        "theme.error",
        "two foreground colours (\"red\" and \"yellow\")",
    );
    only_problem(
        &with_account("[theme]\ncursor = \"bold on\"\n"),
        2,
        "theme.cursor",
        "`on` needs a colour after it",
    );
    only_problem(
        &with_account("[theme]\ncursor = \"on bold\"\n"),
        2,
        "theme.cursor",
        "`on` must be followed by a colour, not \"bold\"",
    );
    only_problem(
        &with_account("[theme]\nmuted = \"color300\"\n"),
        2,
        "theme.muted",
        "color0 to color255",
    );
    only_problem(
        &with_account("[theme]\nmuted = 1\n"),
        2,
        "theme.muted",
        "expected a style string like \"bold yellow\", found integer",
    );
    only_problem(
        &with_account("theme = \"dark\"\n"),
        1,
        "theme",
        "expected a [theme] table",
    );
}

// ---------------------------------------------------------------------------------------
// docs/keys.md and the example against the code

fn read(relative: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// `list, folders`, `main screen`, `everywhere`.
fn contexts_label(contexts: &[Context]) -> String {
    if contexts == Context::ALL {
        return "everywhere".to_owned();
    }
    let main = [Context::List, Context::Message, Context::Folders];
    let whole_main = main.iter().all(|c| contexts.contains(c));
    let mut names: Vec<&str> = Vec::new();
    if whole_main {
        names.push("main screen");
    }
    names.extend(
        contexts
            .iter()
            .filter(|c| !(whole_main && c.is_main()))
            .map(|c| c.name()),
    );
    names.join(", ")
}

/// The default keys of `action`, contexts with the same keys together.
fn default_keys_cell(keymap: &Keymap, action: Action) -> String {
    let mut groups: Vec<(Vec<Context>, Vec<String>)> = Vec::new();
    for &context in action.contexts() {
        let keys: Vec<String> = keymap
            .keys_for(context, action)
            .iter()
            .map(|chord| format!("`{}`", chord.label().replace('|', "\\|")))
            .collect();
        if keys.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(_, k)| *k == keys) {
            Some((contexts, _)) => contexts.push(context),
            None => groups.push((vec![context], keys)),
        }
    }
    if groups.is_empty() {
        return "(none)".to_owned();
    }
    let cells: Vec<String> = groups
        .iter()
        .map(|(contexts, keys)| format!("{}: {}", contexts_label(contexts), keys.join(" ")))
        .collect();
    cells.join("; ")
}

/// The row docs/keys.md must have for `action`.
fn action_row(keymap: &Keymap, action: Action) -> String {
    let description = match action {
        Action::Account(n) => format!("switch to account {}", n + 1),
        Action::Help => "show the keys in effect (the help overlay)".to_owned(),
        other => other.description().to_owned(),
    };
    format!(
        "| `{}` | {} | {description} |",
        action.name(),
        default_keys_cell(keymap, action)
    )
}

#[test]
fn docs_keys_md_lists_every_action_with_its_default_keys() {
    let doc = read("docs/keys.md");
    let keymap = Keymap::defaults();
    let missing: Vec<String> = Action::all()
        .into_iter()
        .map(|action| action_row(&keymap, action))
        .filter(|row| !doc.lines().any(|line| line == row))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/keys.md lacks these rows (or has them out of date):\n{}",
        missing.join("\n")
    );
    for context in Context::ALL {
        let table = format!("`[keys.{}]`", context.name());
        assert!(doc.contains(&table), "docs/keys.md never names {table}");
    }
}

#[test]
fn docs_list_every_theme_element_with_its_default() {
    let doc = read("docs/configuration.md");
    for element in Element::ALL {
        let row = format!(
            "| `{}` | `{}` | {} |",
            element.name(),
            element.default_style(),
            element.description()
        );
        assert!(
            doc.lines().any(|line| line == row),
            "docs/configuration.md lacks the row\n{row}"
        );
    }
}

/// The toml examples in docs/keys.md are valid tables (with an account added).
#[test]
fn docs_keys_md_examples_parse() {
    let doc = read("docs/keys.md");
    let blocks = super::toml_blocks(&doc);
    assert!(!blocks.is_empty(), "no toml examples in docs/keys.md");
    for block in &blocks {
        if let Err(e) = parse(&with_account(block)) {
            panic!("documented example does not parse:\n{block}\n{e}");
        }
    }
}

#[test]
fn the_examples_keys_and_theme_take_effect() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = match Config::parse_str_with_home(
        &read("config.example.toml"),
        &path,
        Some(Path::new(HOME)),
    ) {
        Ok(config) => config,
        Err(e) => panic!("config.example.toml does not parse:\n{e}"),
    };
    let at = |context: Context, text: &str| config.keys.lookup(context, key(text));
    assert_eq!(at(Context::List, "*"), Some(Action::Flag));
    assert_eq!(at(Context::List, "F"), Some(Action::Flag));
    assert_eq!(at(Context::List, "Ctrl-r"), Some(Action::Refresh));
    assert_eq!(at(Context::Message, "n"), Some(Action::NextMessage));
    assert_eq!(at(Context::Message, "J"), Some(Action::NextMessage));
    assert_eq!(
        config.theme.style(Element::Flagged),
        Style::parse("bold yellow").expect("a style")
    );
}

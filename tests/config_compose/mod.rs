//! The settings for writing mail: `[compose]` and the accounts' sender keys (aliases,
//! identities, signature, save_sent, default). Part of the `config` test crate (it uses
//! that file's helpers).

use std::path::PathBuf;
use std::time::Duration;

use postern::config::{
    ComposeSettings, DEFAULT_ATTRIBUTION, EditorSetting, Identity, SaveSent, Signature, describe,
    describe_compose,
};

use super::{HOME, ok, one, only_problem, problems};

/// A Maildir account; the lines given start on line 5.
fn account_with(lines: &str) -> String {
    format!(
        "[accounts.m]\nemail = \"ada@example.org\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n{lines}"
    )
}

/// `tables` first, so line numbers in `tables` are the file's, then a valid account.
fn with_compose(tables: &str) -> String {
    format!("{tables}\n{}", account_with(""))
}

fn compose(tables: &str) -> ComposeSettings {
    ok(&with_compose(tables)).compose
}

// ---------------------------------------------------------------------------------------
// [compose]: what takes effect

#[test]
fn a_file_without_compose_gets_the_defaults() {
    let settings = ok(&account_with("")).compose;
    assert_eq!(settings, ComposeSettings::default());
    assert_eq!(
        settings.editor, None,
        "$VISUAL/$EDITOR are the front end's job"
    );
    assert_eq!(settings.send_delay, Duration::from_secs(10));
    assert_eq!(settings.attribution, "On {date}, {from} wrote:");
    assert_eq!(settings.attribution, DEFAULT_ATTRIBUTION);
    assert_eq!(settings.address_book_command, None);
    assert_eq!(compose("[compose]\n"), ComposeSettings::default());
}

#[test]
fn compose_settings_take_effect() {
    let settings = compose(
        r#"[compose]
editor = "nvim -c 'set tw=72'"
send_delay = 0
attribution = "{name} wrote on {date} about {{{subject}}}:"
address_book_command = "khard email --parsable --remove-first-line"
"#,
    );
    assert_eq!(
        settings.editor,
        Some(EditorSetting::Command("nvim -c 'set tw=72'".into()))
    );
    assert_eq!(settings.send_delay, Duration::ZERO);
    assert_eq!(
        settings.attribution,
        "{name} wrote on {date} about {{{subject}}}:"
    );
    assert_eq!(
        settings.address_book_command.as_deref(),
        Some("khard email --parsable --remove-first-line")
    );
    let debug = format!("{settings:?}");
    assert!(!debug.contains("nvim"), "editor command in Debug: {debug}");
    assert!(
        !debug.contains("khard"),
        "address book command in Debug: {debug}"
    );

    let settings =
        compose("[compose]\neditor = \"builtin\"\nsend_delay = 300\nattribution = \"\"\n");
    assert_eq!(settings.editor, Some(EditorSetting::Builtin));
    assert_eq!(settings.send_delay, Duration::from_secs(300));
    assert_eq!(settings.attribution, "", "empty: no attribution line");
    assert_eq!(
        compose("compose.editor = \"Builtin\"\n").editor,
        Some(EditorSetting::Builtin)
    );
}

#[test]
fn describe_compose_names_settings_but_not_commands() {
    let lines = describe_compose(&ComposeSettings::default()).join("\n");
    assert!(
        lines.contains("editor: $VISUAL, else $EDITOR, else the builtin editor"),
        "{lines}"
    );
    assert!(lines.contains("send delay: 10 s"), "{lines}");
    assert!(
        lines.contains("attribution: \"On {date}, {from} wrote:\""),
        "{lines}"
    );
    let settings = compose(
        "[compose]\neditor = \"vim hunter2\"\nsend_delay = 0\naddress_book_command = \"abook --mutt-query hunter2\"\n",
    );
    let lines = describe_compose(&settings).join("\n");
    assert!(
        lines.contains("editor: the command in `editor` (not run"),
        "{lines}"
    );
    assert!(lines.contains("send delay: none"), "{lines}");
    assert!(
        lines.contains("address book: address_book_command (not run"),
        "{lines}"
    );
    assert!(!lines.contains("hunter2"), "{lines}");
}

// ---------------------------------------------------------------------------------------
// [compose]: every kind of problem, on its line

#[test]
fn send_delay_out_of_range_names_the_range() {
    let p = only_problem(
        &with_compose("[compose]\n\nsend_delay = 301\n"),
        3,
        "compose.send_delay",
        "301 seconds is out of range; use 0 (send at once) to 300",
    );
    assert_eq!(p.column, 14);
    only_problem(
        &with_compose("[compose]\nsend_delay = -1\n"),
        2,
        "compose.send_delay",
        "-1 seconds is out of range; use 0 (send at once) to 300",
    );
}

#[test]
fn unknown_attribution_placeholders_are_refused_with_a_suggestion() {
    let p = only_problem(
        &with_compose("[compose]\nattribution = \"On {date}, {sender} wrote:\"\n"),
        2,
        "compose.attribution",
        "unknown placeholder `{sender}`; the placeholders are {date}, {from}, {name} and {subject}",
    );
    assert_eq!(p.column, 27, "points at the placeholder");
    let p = only_problem(
        &with_compose("[compose]\nattribution = \"On {date}, {frm} wrote:\"\n"),
        2,
        "compose.attribution",
        "unknown placeholder `{frm}`, did you mean `{from}`?",
    );
    assert!(
        p.message.contains("write {{ and }} for a literal brace"),
        "{p:?}"
    );
    // With escapes in the string, offsets in the value are not columns: the string.
    let p = only_problem(
        &with_compose("[compose]\nattribution = \"\\u00c0 {dat}\"\n"),
        2,
        "compose.attribution",
        "did you mean `{date}`?",
    );
    assert_eq!(p.column, 15);
    let found = problems(&with_compose(
        "[compose]\nattribution = '{date, {from} }'\n",
    ));
    let located: Vec<(usize, usize)> = found.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(located, [(2, 16), (2, 30)], "{found:#?}");
    assert!(found[0].message.contains("no `}` closes"), "{found:#?}");
    assert!(
        found[1].message.contains("write }} for a literal brace"),
        "{found:#?}"
    );
    only_problem(
        &with_compose("[compose]\nattribution = \"\"\"\nOn {date}\nwrote:\"\"\"\n"),
        2,
        "compose.attribution",
        "the attribution is one line",
    );
}

#[test]
fn compose_keys_and_types_are_checked() {
    only_problem(
        &with_compose("[compose]\nsend_dealy = 5\n"),
        2,
        "compose",
        "unknown key `send_dealy`, did you mean `send_delay`?",
    );
    only_problem(
        &with_compose("[compose]\nsignature = \"x\"\n"),
        2,
        "compose",
        "valid keys here: editor, send_delay, attribution, address_book_command",
    );
    only_problem(
        &with_compose("[compose]\nsend_delay = \"10\"\n"),
        2,
        "compose.send_delay",
        "invalid type: string \"10\", expected a number",
    );
    only_problem(
        &with_compose("[compose]\neditor = true\n"),
        2,
        "compose.editor",
        "invalid type: boolean `true`, expected a string",
    );
    only_problem(
        &with_compose("[compose]\nattribution = [\"On {date}\"]\n"),
        2,
        "compose.attribution",
        "invalid type",
    );
    only_problem(
        &with_compose("compose = \"vim\"\n"),
        1,
        "compose",
        "expected a [compose] table of settings such as send_delay = 10, found string",
    );
    only_problem(
        &with_compose("[compose]\neditor = \" \"\n"),
        2,
        "compose.editor",
        "the editor is empty; write a command such as \"vim\", \"builtin\"",
    );
    only_problem(
        &with_compose("[compose]\naddress_book_command = \"\"\n"),
        2,
        "compose.address_book_command",
        "the command is empty",
    );
    only_problem(
        &with_compose("[compse]\neditor = \"vim\"\n"),
        1,
        "(top level)",
        "did you mean `compose`?",
    );
}

/// A typo is read as the key it was meant to be, so its value is still checked.
#[test]
fn a_typo_in_compose_does_not_hide_the_value_problem() {
    let found = problems(&with_compose("[compose]\nsend_dela = 999\n"));
    let located: Vec<(usize, &str)> = found
        .iter()
        .map(|p| (p.line, p.key_path.as_str()))
        .collect();
    assert_eq!(
        located,
        [(2, "compose"), (2, "compose.send_delay")],
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Account keys: what takes effect

#[test]
fn an_account_without_sender_keys() {
    let account = one(&account_with(""));
    assert_eq!(
        account.identities,
        [Identity {
            name: None,
            email: "ada@example.org".into()
        }]
    );
    assert!(account.aliases.is_empty());
    assert_eq!(account.signature, None);
    assert_eq!(account.save_sent, SaveSent::Auto);
    assert!(!account.default);
}

#[test]
fn identities_aliases_signature_and_save_sent_take_effect() {
    let config = ok(r#"[accounts.m]
email = "ada@example.org"
display_name = "Ada Lovelace"
receive = "maildir"
maildir = "/m"
aliases = ["ada@old.example.org", "A.Lovelace@Example.org"]
signature_file = "~/.signature"
save_sent = "never"
default = true
[[accounts.m.identities]]
name = "Helpdesk"
email = "help@example.org"
[[accounts.m.identities]]
email = "noreply@example.org"
[[accounts.m.identities]]
name = "Ada (lists)"
email = "ada+lists@example.org"

[accounts.other]
email = "o@example.org"
receive = "maildir"
maildir = "/o"
identities = [{ email = "o.other@example.org" }, { name = "O", email = "o2@example.org" }]
signature_command = "fortune hunter2"
save_sent = "always"
default = false
"#);
    let account = &config.accounts[0];
    let identity = |name: Option<&str>, email: &str| Identity {
        name: name.map(str::to_owned),
        email: email.to_owned(),
    };
    assert_eq!(
        account.identities,
        [
            identity(Some("Ada Lovelace"), "ada@example.org"),
            identity(Some("Helpdesk"), "help@example.org"),
            identity(None, "noreply@example.org"),
            identity(Some("Ada (lists)"), "ada+lists@example.org"),
        ],
        "the account's own first, then the file's order"
    );
    assert_eq!(
        account.aliases,
        ["ada@old.example.org", "A.Lovelace@Example.org"]
    );
    assert_eq!(
        account.signature,
        Some(Signature::File(PathBuf::from(HOME).join(".signature")))
    );
    assert_eq!(account.save_sent, SaveSent::Never);
    assert!(!account.keeps_sent_copy());
    assert!(account.default);
    for own in [
        "ADA@example.org",
        "a.lovelace@example.org",
        "Help@Example.org",
        "ada+lists@example.org",
    ] {
        assert!(account.is_own(own), "{own}");
    }
    assert!(!account.is_own("o@example.org"));

    let other = &config.accounts[1];
    assert_eq!(
        other.identities,
        [
            identity(None, "o@example.org"),
            identity(None, "o.other@example.org"),
            identity(Some("O"), "o2@example.org"),
        ]
    );
    assert_eq!(
        other.signature,
        Some(Signature::Command("fortune hunter2".into()))
    );
    assert_eq!(other.save_sent, SaveSent::Always);
    assert!(!other.default);
    let debug = format!("{other:?}");
    assert!(
        !debug.contains("hunter2"),
        "signature command in Debug: {debug}"
    );
    assert_eq!(config.default_account().map(|a| a.name.as_str()), Some("m"));
}

#[test]
fn the_default_account_is_the_first_unless_one_says_default() {
    let two = "[accounts.a]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/a\"\n\
               [accounts.b]\nemail = \"b@b.c\"\nreceive = \"maildir\"\nmaildir = \"/b\"\n";
    assert_eq!(
        ok(two).default_account().map(|a| a.name.as_str()),
        Some("a")
    );
    let chosen = format!("{two}default = true\n");
    assert_eq!(
        ok(&chosen).default_account().map(|a| a.name.as_str()),
        Some("b")
    );
}

const MICROSOFT: &str = "[accounts.w]\nemail = \"ada@contoso.com\"\nprovider = \"microsoft\"\nauth = { method = \"oauth2\", client_id = \"c\" }\n";
const PERSONAL: &str = "[accounts.w]\nemail = \"ada@outlook.com\"\nprovider = \"microsoft-personal\"\nauth = { method = \"oauth2\", client_id = \"c\" }\n";
const GOOGLE: &str = "[accounts.w]\nemail = \"ada@gmail.com\"\nprovider = \"google\"\nauth = { method = \"oauth2\", client_id = \"c\" }\n";
const GENERIC: &str = "[accounts.w]\nemail = \"ada@example.org\"\nimap = { host = \"mail.example.org\" }\nsmtp = { host = \"mail.example.org\" }\nauth = { method = \"password\", password_command = \"p\" }\n";

#[test]
fn sent_copies_follow_the_provider_unless_told() {
    for (preset, auto) in [
        (MICROSOFT, false),
        (PERSONAL, false),
        (GOOGLE, false),
        (GENERIC, true),
    ] {
        let account = one(preset);
        assert_eq!(account.save_sent, SaveSent::Auto);
        assert_eq!(account.keeps_sent_copy(), auto, "{preset}");
        let always = one(&format!("{preset}save_sent = \"always\"\n"));
        assert!(always.keeps_sent_copy(), "{preset}");
        let never = one(&format!("{preset}save_sent = \"never\"\n"));
        assert!(!never.keeps_sent_copy(), "{preset}");
    }
}

#[test]
fn describe_shows_the_sender_side_but_not_commands() {
    let google = describe(&one(GOOGLE)).join("\n");
    assert!(
        google.contains(
            "sent mail: no copy saved by postern, google's SMTP server files it in Sent itself (save_sent = \"auto\")"
        ),
        "{google}"
    );
    assert!(
        !google.contains("send as:"),
        "only the account's own identity: {google}"
    );
    let generic = describe(&one(GENERIC)).join("\n");
    assert!(
        generic.contains("sent mail: a copy is saved in Sent (save_sent = \"auto\")"),
        "{generic}"
    );
    let account = one(&account_with(
        "aliases = [\"old@example.org\"]\nidentities = [{ name = \"Help\", email = \"help@example.org\" }]\nsignature_command = \"echo hunter2\"\nsave_sent = \"never\"\ndefault = true\n",
    ));
    let lines = describe(&account).join("\n");
    for fragment in [
        "default: used when no account is named",
        "send as: ada@example.org, Help <help@example.org>",
        "also yours: old@example.org",
        "signature: from signature_command (not run by this check)",
        "sent mail: no copy is saved (save_sent = \"never\")",
    ] {
        assert!(lines.contains(fragment), "missing {fragment:?} in\n{lines}");
    }
    assert!(!lines.contains("hunter2"), "{lines}");
    let file = describe(&one(&account_with(
        "signature_file = \"/home/ada/.sig\"\nsave_sent = \"always\"\n",
    )))
    .join("\n");
    assert!(file.contains("signature: from /home/ada/.sig"), "{file}");
    assert!(
        file.contains("a copy is saved in Sent (save_sent = \"always\"); only IMAP accounts"),
        "{file}"
    );
}

// ---------------------------------------------------------------------------------------
// Account keys: every kind of problem, on its line

#[test]
fn a_bad_alias_is_refused_on_its_line() {
    let p = only_problem(
        &account_with("aliases = [\n  \"ada@old.example.org\",\n  \"ada at example.org\",\n]\n"),
        7,
        "accounts.m.aliases",
        "\"ada at example.org\" is not an email address: it contains a space; write it as name@domain",
    );
    assert_eq!(p.column, 3);
    only_problem(
        &account_with("aliases = [\"Ada <ada@old.example.org>\"]\n"),
        5,
        "accounts.m.aliases",
        "write only the address, \"ada@old.example.org\"",
    );
    only_problem(
        &account_with("aliases = [\"\"]\n"),
        5,
        "accounts.m.aliases",
        "is not an email address: it is empty",
    );
}

#[test]
fn a_bad_identity_email_is_refused_on_its_line() {
    only_problem(
        &account_with("identities = [\n  { name = \"Help\", email = \"help@\" },\n]\n"),
        6,
        "accounts.m.identities.email",
        "\"help@\" is not an email address: there is nothing after the `@`",
    );
    only_problem(
        &account_with("[[accounts.m.identities]]\nemail = \"Help <help@example.org>\"\n"),
        6,
        "accounts.m.identities.email",
        "write only the address, email = \"help@example.org\", and the name in `name`",
    );
    only_problem(
        &account_with("identities = [{ name = \"Help\" }]\n"),
        5,
        "accounts.m.identities",
        "missing key `email`: each identity needs an address",
    );
    only_problem(
        &account_with("identities = [{ name = \"\", email = \"h@example.org\" }]\n"),
        5,
        "accounts.m.identities.name",
        "the name is empty",
    );
}

#[test]
fn unknown_keys_in_an_identity_are_refused_with_a_suggestion() {
    let p = only_problem(
        &account_with("identities = [{ name = \"Help\", emial = \"help@example.org\" }]\n"),
        5,
        "accounts.m.identities",
        "unknown key `emial`, did you mean `email`?",
    );
    assert_eq!(p.column, 32);
    // Read as `email`: no "missing key `email`" follows from the typo.
    only_problem(
        &account_with(
            "[[accounts.m.identities]]\n\nemail = \"h@example.org\"\nreply_to = \"x@example.org\"\n",
        ),
        8,
        "accounts.m.identities",
        "unknown key `reply_to`; valid keys here: name, email",
    );
}

#[test]
fn both_signature_keys_are_refused_on_the_second() {
    let p = only_problem(
        &account_with("signature_file = \"~/.sig\"\n\nsignature_command = \"fortune\"\n"),
        7,
        "accounts.m.signature_command",
        "`signature_file` and `signature_command` are both set, but an account has one \
         signature; remove `signature_command` (or `signature_file`)",
    );
    assert_eq!(p.column, 21);
    only_problem(
        &account_with("signature_command = \"fortune\"\nsignature_file = \"~/.sig\"\n"),
        6,
        "accounts.m.signature_file",
        "remove `signature_file` (or `signature_command`)",
    );
    only_problem(
        &account_with("signature_file = \"\"\n"),
        5,
        "accounts.m.signature_file",
        "the path is empty",
    );
    only_problem(
        &account_with("signature_file = \"  \"\n"),
        5,
        "accounts.m.signature_file",
        "the path is empty",
    );
    only_problem(
        &account_with("signature_file = \"~bob/.sig\"\n"),
        5,
        "accounts.m.signature_file",
        "`~user` paths are not supported",
    );
    only_problem(
        &account_with("signature_command = \" \"\n"),
        5,
        "accounts.m.signature_command",
        "the command is empty",
    );
}

#[test]
fn save_sent_values_are_listed() {
    only_problem(
        &account_with("save_sent = \"alway\"\n"),
        5,
        "accounts.m.save_sent",
        "invalid value \"alway\", did you mean \"always\"? (valid values: \"auto\", \"always\", \"never\")",
    );
}

#[test]
fn a_second_default_names_the_first() {
    let text = "[accounts.a]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/a\"\ndefault = true\n\
                [accounts.b]\nemail = \"b@b.c\"\nreceive = \"maildir\"\nmaildir = \"/b\"\ndefault = false\n\
                [accounts.c]\nemail = \"c@b.c\"\nreceive = \"maildir\"\nmaildir = \"/c\"\n\ndefault = true\n";
    let p = only_problem(
        text,
        16,
        "accounts.c.default",
        "accounts.a is already the default (default = true on line 5), and only one account \
         can be; remove one of them",
    );
    assert_eq!(p.column, 11);
}

#[test]
fn wrong_types_of_the_sender_keys() {
    only_problem(
        &account_with("aliases = \"ada@old.example.org\"\n"),
        5,
        "accounts.m.aliases",
        "invalid type: string \"ada@old.example.org\", expected a list like [\"...\", \"...\"]",
    );
    only_problem(
        &account_with("aliases = [\"a@b.c\", 7]\n"),
        5,
        "accounts.m.aliases",
        "invalid type: integer `7`, expected a string",
    );
    only_problem(
        &account_with("identities = [\"help@example.org\"]\n"),
        5,
        "accounts.m.identities",
        "expected a table like { name = \"Ada Lovelace\", email = \"ada@example.org\" }",
    );
    only_problem(
        &account_with("identities = { email = \"help@example.org\" }\n"),
        5,
        "accounts.m.identities",
        "expected a list",
    );
    only_problem(
        &account_with("default = \"yes\"\n"),
        5,
        "accounts.m.default",
        "invalid type: string \"yes\", expected true or false",
    );
    only_problem(
        &account_with("save_sent = false\n"),
        5,
        "accounts.m.save_sent",
        "invalid type: boolean `false`, expected a string",
    );
    only_problem(
        &account_with("signature_file = 1\n"),
        5,
        "accounts.m.signature_file",
        "invalid type",
    );
}

// ---------------------------------------------------------------------------------------
// Docs and example

fn read(relative: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

#[test]
fn the_example_compose_table_is_the_defaults() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = match postern::config::Config::parse_str_with_home(
        &read("config.example.toml"),
        &path,
        Some(std::path::Path::new(HOME)),
    ) {
        Ok(config) => config,
        Err(e) => panic!("config.example.toml does not parse:\n{e}"),
    };
    assert_eq!(config.compose, ComposeSettings::default());
    assert!(config.accounts.iter().all(|a| !a.default));
}

#[test]
fn docs_have_a_row_for_every_new_key() {
    let doc = read("docs/configuration.md");
    for key in [
        "editor",
        "send_delay",
        "attribution",
        "address_book_command",
        "aliases",
        "identities",
        "signature_file",
        "signature_command",
        "save_sent",
        "default",
        "{date}",
        "{from}",
        "{name}",
        "{subject}",
    ] {
        let row = format!("| `{key}` |");
        assert!(
            doc.lines().any(|line| line.starts_with(&row)),
            "docs/configuration.md has no row for `{key}`"
        );
    }
    for provider in ["microsoft", "microsoft-personal", "google", "generic"] {
        let row = format!("| `{provider}` | ");
        assert!(
            doc.lines().any(|line| line.starts_with(&row)),
            "docs/configuration.md does not say what save_sent = \"auto\" does for {provider}"
        );
    }
}

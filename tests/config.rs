//! Config parsing, presets, errors with their exact line and key, and XDG paths.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use postern::config::{
    self, Account, Auth, Config, ConfigError, Endpoint, OAuthFlow, Pop3Delete, Problem, Provider,
    Receive, TlsMode, describe, expand_tilde,
};
use postern::paths::{self, Paths};

/// `[keys]` and `[theme]`, and docs/keys.md.
mod config_tables;

/// `[compose]` and the accounts' sender keys.
mod config_compose;

const HOME: &str = "/home/ada";
const ORIGIN: &str = "/etc/postern-test/config.toml";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_str_with_home(text, Path::new(ORIGIN), Some(Path::new(HOME)))
}

fn ok(text: &str) -> Config {
    match parse(text) {
        Ok(config) => config,
        Err(e) => panic!("expected a valid config, got:\n{e}"),
    }
}

fn one(text: &str) -> Account {
    let config = ok(text);
    assert_eq!(config.accounts.len(), 1);
    config.accounts.into_iter().next().expect("one account")
}

fn problems(text: &str) -> Vec<Problem> {
    match parse(text) {
        Ok(config) => panic!("expected problems, got {config:#?}"),
        Err(e) => e.problems().to_vec(),
    }
}

/// The single problem in `text`, checked for line, key path and a piece of its message.
#[track_caller]
fn only_problem(text: &str, line: usize, key_path: &str, fragment: &str) -> Problem {
    let found = problems(text);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    let problem = found.into_iter().next().expect("one problem");
    assert_eq!(problem.line, line, "line of {problem:#?}");
    assert_eq!(problem.key_path, key_path, "key path of {problem:#?}");
    assert!(
        problem.message.contains(fragment),
        "message {:?} lacks {fragment:?}",
        problem.message
    );
    problem
}

fn oauth(account: &Account) -> &config::OAuth2 {
    match &account.auth {
        Auth::OAuth2(oauth) => oauth,
        other => panic!("expected OAuth2, got {other:?}"),
    }
}

const MS_IMAP: &str = "https://outlook.office.com/IMAP.AccessAsUser.All";

// ---------------------------------------------------------------------------------------
// Good configs

#[test]
fn microsoft_preset_fills_servers_endpoints_and_scopes() {
    let account = one(r#"
[accounts.work]
email = "ada@contoso.com"
provider = "microsoft"
[accounts.work.auth]
method = "oauth2"
client_id = "cid"
"#);
    assert_eq!(account.name, "work");
    assert_eq!(account.receive, Receive::Imap);
    assert_eq!(
        account.imap,
        Some(Endpoint {
            host: "outlook.office365.com".into(),
            port: 993,
            tls: TlsMode::Implicit
        })
    );
    assert_eq!(
        account.smtp,
        Some(Endpoint {
            host: "smtp.office365.com".into(),
            port: 587,
            tls: TlsMode::Starttls
        })
    );
    assert_eq!(account.pop3, None);
    let oauth = oauth(&account);
    assert_eq!(oauth.flow, OAuthFlow::Device);
    assert_eq!(oauth.tenant.as_deref(), Some("organizations"));
    assert_eq!(
        oauth.device_authorization_url.as_deref(),
        Some("https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode")
    );
    assert_eq!(
        oauth.token_url.as_deref(),
        Some("https://login.microsoftonline.com/organizations/oauth2/v2.0/token")
    );
    assert_eq!(
        oauth.authorization_url, None,
        "device flow needs no authorize URL"
    );
    assert_eq!(
        oauth.scopes,
        vec![
            MS_IMAP,
            "https://outlook.office.com/POP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
            "offline_access"
        ]
    );
}

#[test]
fn microsoft_personal_uses_consumers_and_outlook_smtp() {
    let account = one(r#"
[accounts.me]
email = "ada@outlook.com"
provider = "microsoft-personal"
receive = "pop3"
auth = { method = "oauth2", client_id = "cid", flow = "browser" }
"#);
    let oauth = oauth(&account);
    assert_eq!(oauth.tenant.as_deref(), Some("consumers"));
    assert_eq!(
        oauth.authorization_url.as_deref(),
        Some("https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize")
    );
    assert_eq!(oauth.device_authorization_url, None);
    assert_eq!(account.imap, None);
    assert_eq!(
        account.pop3,
        Some(Endpoint {
            host: "outlook.office365.com".into(),
            port: 995,
            tls: TlsMode::Implicit
        })
    );
    assert_eq!(
        account.smtp.as_ref().map(|s| s.host.as_str()),
        Some("smtp-mail.outlook.com")
    );
}

#[test]
fn google_preset_uses_browser_flow_and_mail_scope() {
    let account = one(r#"
[accounts.gmail]
email = "ada@gmail.com"
provider = "google"
[accounts.gmail.auth]
method = "oauth2"
client_id = "x.apps.googleusercontent.com"
client_secret_command = "pass gmail"
"#);
    let oauth = oauth(&account);
    assert_eq!(oauth.flow, OAuthFlow::Browser);
    assert_eq!(oauth.tenant, None);
    assert_eq!(oauth.scopes, vec!["https://mail.google.com/"]);
    assert_eq!(
        oauth.authorization_url.as_deref(),
        Some("https://accounts.google.com/o/oauth2/v2/auth")
    );
    assert_eq!(
        oauth.token_url.as_deref(),
        Some("https://oauth2.googleapis.com/token")
    );
    assert_eq!(oauth.client_secret_command.as_deref(), Some("pass gmail"));
    assert_eq!(
        account.imap,
        Some(Endpoint {
            host: "imap.gmail.com".into(),
            port: 993,
            tls: TlsMode::Implicit
        })
    );
    assert_eq!(
        account.smtp,
        Some(Endpoint {
            host: "smtp.gmail.com".into(),
            port: 465,
            tls: TlsMode::Implicit
        })
    );
}

#[test]
fn app_only_uses_default_scope_on_tenant_token_url() {
    let account = one(r#"
[accounts.svc]
email = "helpdesk@contoso.com"
provider = "microsoft"
[accounts.svc.auth]
method = "oauth2"
flow = "app-only"
client_id = "cid"
tenant = "contoso.onmicrosoft.com"
client_secret_command = "cat secret"
"#);
    let oauth = oauth(&account);
    assert_eq!(oauth.flow, OAuthFlow::AppOnly);
    assert_eq!(oauth.scopes, vec!["https://outlook.office365.com/.default"]);
    assert_eq!(
        oauth.token_url.as_deref(),
        Some("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
    );
    assert_eq!(oauth.device_authorization_url, None);
    assert_eq!(oauth.authorization_url, None);
}

#[test]
fn explicit_values_override_the_preset() {
    let account = one(r#"
[accounts.work]
email = "ada@contoso.com"
provider = "microsoft"
imap = { host = "imap.proxy.contoso.com" }
smtp = { port = 465 }
[accounts.work.auth]
method = "oauth2"
tenant = "contoso.com"
client_id = "cid"
token_url = "https://login.example.com/{tenant}/token"
scopes = ["custom.scope"]
"#);
    // Only host written: port and TLS from the preset.
    assert_eq!(
        account.imap,
        Some(Endpoint {
            host: "imap.proxy.contoso.com".into(),
            port: 993,
            tls: TlsMode::Implicit
        })
    );
    // Only port written: host from the preset, TLS implied by the well-known port.
    assert_eq!(
        account.smtp,
        Some(Endpoint {
            host: "smtp.office365.com".into(),
            port: 465,
            tls: TlsMode::Implicit
        })
    );
    let oauth = oauth(&account);
    assert_eq!(
        oauth.token_url.as_deref(),
        Some("https://login.example.com/contoso.com/token")
    );
    assert_eq!(
        oauth.device_authorization_url.as_deref(),
        Some("https://login.microsoftonline.com/contoso.com/oauth2/v2.0/devicecode")
    );
    assert_eq!(oauth.scopes, vec!["custom.scope"]);
}

#[test]
fn tls_without_port_takes_the_standard_port_for_that_mode() {
    let account = one(r#"
[accounts.g]
email = "ada@gmail.com"
provider = "google"
smtp = { tls = "starttls" }
imap = { tls = "starttls" }
auth = { method = "oauth2", client_id = "cid" }
"#);
    assert_eq!(account.smtp.as_ref().map(|s| s.port), Some(587));
    assert_eq!(account.imap.as_ref().map(|s| s.port), Some(143));
}

#[test]
fn generic_password_account_with_plaintext_loopback() {
    let account = one(r#"
[accounts.local]
email = "ada@localhost"
display_name = "Ada"
provider = "generic"
receive = "pop3"
pop3 = { host = "127.0.0.1", port = 1110, tls = "none" }
smtp = { host = "localhost", tls = "starttls" }
ca_file = "~/ca.pem"
auth = { method = "password", password_command = "echo not-shown" }
"#);
    assert_eq!(
        account.pop3,
        Some(Endpoint {
            host: "127.0.0.1".into(),
            port: 1110,
            tls: TlsMode::None
        })
    );
    assert_eq!(
        account.smtp,
        Some(Endpoint {
            host: "localhost".into(),
            port: 587,
            tls: TlsMode::Starttls
        })
    );
    assert_eq!(account.ca_file, Some(PathBuf::from("/home/ada/ca.pem")));
    assert_eq!(account.display_name.as_deref(), Some("Ada"));
    assert_eq!(
        account.auth,
        Auth::Password {
            password_command: "echo not-shown".into()
        }
    );
    let debug = format!("{account:?}");
    assert!(
        !debug.contains("not-shown"),
        "command text in Debug: {debug}"
    );
}

#[test]
fn generic_oauth_with_local_identity_provider() {
    let account = one(r#"
[accounts.dev]
email = "alice@example.test"
imap = { host = "127.0.0.1", port = 10993 }
smtp = { host = "127.0.0.1", port = 10587, tls = "starttls" }
[accounts.dev.auth]
method = "oauth2"
flow = "device"
client_id = "test"
device_authorization_url = "http://127.0.0.1:8080/device"
token_url = "http://localhost:8080/token"
scopes = ["mail"]
"#);
    assert_eq!(
        account.provider,
        Provider::Generic,
        "generic is the default"
    );
    // An unknown port implies no mode: TLS stays implicit, never plaintext.
    assert_eq!(
        account.imap.as_ref().map(|e| e.tls),
        Some(TlsMode::Implicit)
    );
    let oauth = oauth(&account);
    assert_eq!(oauth.tenant, None);
    assert_eq!(oauth.scopes, vec!["mail"]);
    assert_eq!(
        oauth.token_url.as_deref(),
        Some("http://localhost:8080/token")
    );
}

#[test]
fn maildir_account_needs_no_auth_and_expands_tilde() {
    let account = one(r#"
[accounts.archive]
email = "ada@example.org"
receive = "maildir"
maildir = "~/Mail/archive"
"#);
    assert_eq!(account.receive, Receive::Maildir);
    assert_eq!(
        account.maildir,
        Some(PathBuf::from("/home/ada/Mail/archive"))
    );
    assert_eq!(account.auth, Auth::None);
    assert_eq!(account.smtp, None);
}

#[test]
fn accounts_keep_file_order() {
    let config = ok(r#"
[accounts.zeta]
email = "z@example.org"
receive = "maildir"
maildir = "/m/z"
[accounts.alpha]
email = "a@example.org"
receive = "maildir"
maildir = "/m/a"
"#);
    let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha"]);
    assert!(config.account("alpha").is_some());
    assert!(config.account("beta").is_none());
}

#[test]
fn example_file_parses_with_every_account_kind() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).expect("read config.example.toml");
    let config = match Config::parse_str_with_home(&text, &path, Some(Path::new(HOME))) {
        Ok(config) => config,
        Err(e) => panic!("config.example.toml does not parse:\n{e}"),
    };
    let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["work", "personal", "gmail", "helpdesk", "home", "archive"]
    );
    let flows: Vec<Option<OAuthFlow>> = config
        .accounts
        .iter()
        .map(|a| match &a.auth {
            Auth::OAuth2(o) => Some(o.flow),
            _ => None,
        })
        .collect();
    assert_eq!(
        flows,
        [
            Some(OAuthFlow::Device),
            Some(OAuthFlow::Device),
            Some(OAuthFlow::Browser),
            Some(OAuthFlow::AppOnly),
            None,
            None
        ]
    );
    assert_eq!(
        config.account("archive").and_then(|a| a.maildir.clone()),
        Some(PathBuf::from("/home/ada/Mail/archive"))
    );
}

/// Every key the raw structs accept appears in the example, so none is undocumented.
#[test]
fn example_file_mentions_every_key() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
            .expect("read config.example.toml");
    for key in [
        "email",
        "display_name",
        "provider",
        "receive",
        "maildir",
        "imap",
        "pop3",
        "smtp",
        "host",
        "port",
        "tls",
        "ca_file",
        "method",
        "flow",
        "client_id",
        "tenant",
        "device_authorization_url",
        "authorization_url",
        "token_url",
        "scopes",
        "client_secret_command",
        "password_command",
        "archive_folder",
        "new_mail_command",
        "aliases",
        "identities",
        "signature_file",
        "signature_command",
        "save_sent",
        "default",
        "name",
        "editor",
        "send_delay",
        "attribution",
        "address_book_command",
    ] {
        assert!(
            text.contains(&format!("{key} =")) || text.contains(&format!("{key} = ")),
            "config.example.toml never shows `{key} = ...`"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Errors: exact line, key path and wording

#[test]
fn unknown_key_suggests_the_closest_and_display_is_file_line_col() {
    let text = r#"
[accounts.work]
email = "ada@contoso.com"
provider = "microsoft"
[accounts.work.auth]
method = "oauth2"
tennant = "contoso.com"
client_id = "cid"
"#;
    only_problem(
        text,
        7,
        "accounts.work.auth",
        "unknown key `tennant`, did you mean `tenant`?",
    );
    let err = parse(text).expect_err("invalid");
    assert_eq!(
        err.to_string(),
        format!("{ORIGIN}:7:1: accounts.work.auth: unknown key `tennant`, did you mean `tenant`?")
    );
}

#[test]
fn unknown_keys_far_from_any_valid_key_list_the_valid_ones() {
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\ncolour = \"red\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
        3,
        "accounts.a",
        "valid keys here: email, display_name, provider",
    );
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nimap = { host = \"h\", prot = 1 }\nauth = { method = \"password\", password_command = \"p\" }\n",
        3,
        "accounts.a.imap",
        "did you mean `port`?",
    );
    only_problem(
        "accaunts = 1\n[accounts.m]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
        1,
        "(top level)",
        "did you mean `accounts`?",
    );
}

#[test]
fn every_problem_in_the_file_is_reported() {
    let found = problems(
        r#"[accounts.one]
email = "ada@example.org"
recieve = "imap"
provider = "google"
[accounts.one.auth]
metod = "oauth2"
client_id = "c"
[accounts.two]
email = "not an address"
provider = "gogle"
"#,
    );
    let located: Vec<(usize, &str)> = found
        .iter()
        .map(|p| (p.line, p.key_path.as_str()))
        .collect();
    assert_eq!(
        located,
        [
            (3, "accounts.one"),
            (6, "accounts.one.auth"),
            (9, "accounts.two.email"),
            (10, "accounts.two.provider"),
        ],
        "{found:#?}"
    );
    assert!(found[0].message.contains("did you mean `receive`?"));
    assert!(found[1].message.contains("did you mean `method`?"));
    assert!(found[3].message.contains("did you mean \"google\"?"));
}

#[test]
fn bad_enum_values_list_the_valid_ones() {
    let p = only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"yahoo\"\n",
        3,
        "accounts.a.provider",
        "invalid value \"yahoo\"",
    );
    assert!(
        p.message.contains(
            "valid values: \"microsoft\", \"microsoft-personal\", \"google\", \"generic\""
        )
    );
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"google\"\nimap = { tls = \"ssl\" }\nauth = { method = \"oauth2\", client_id = \"c\" }\n",
        4,
        "accounts.a.imap.tls",
        "valid values: \"implicit\", \"starttls\", \"none\"",
    );
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nreceive = \"mbox\"\n",
        3,
        "accounts.a.receive",
        "\"imap\", \"pop3\", \"maildir\"",
    );
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"google\"\n[accounts.a.auth]\nmethod = \"oauth\"\nclient_id = \"c\"\n",
        5,
        "accounts.a.auth.method",
        "did you mean \"oauth2\"?",
    );
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"google\"\n[accounts.a.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\nflow = \"app_only\"\n",
        7,
        "accounts.a.auth.flow",
        "did you mean \"app-only\"?",
    );
}

#[test]
fn toml_syntax_errors_give_line_and_column() {
    let text = "[accounts.a]\nemail = \"a@b.c\"\nprovider = microsoft\n";
    let found = problems(text);
    assert!(!found.is_empty());
    assert_eq!((found[0].line, found[0].column), (3, 12), "{found:#?}");
    assert_eq!(found[0].key_path, "");
    assert!(found[0].message.starts_with("TOML syntax error"));
    let shown = parse(text).expect_err("invalid").to_string();
    assert!(
        shown.starts_with(&format!("{ORIGIN}:3:12: TOML syntax error")),
        "{shown}"
    );
}

#[test]
fn wrong_value_types_name_the_key() {
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nimap = { host = \"h\", port = \"993\" }\nauth = { method = \"password\", password_command = \"p\" }\n",
        3,
        "accounts.a.imap.port",
        "invalid type",
    );
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"google\"\n[accounts.a.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\nscopes = \"https://mail.google.com/\"\n",
        7,
        "accounts.a.auth.scopes",
        "invalid type",
    );
    only_problem(
        "accounts = 3\n",
        1,
        "accounts",
        "expected a table of accounts",
    );
}

#[test]
fn port_out_of_range() {
    only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"google\"\nimap = { port = 99999 }\nauth = { method = \"oauth2\", client_id = \"c\" }\n",
        4,
        "accounts.a.imap.port",
        "port 99999 is out of range",
    );
}

#[test]
fn maildir_receive_without_maildir_points_at_receive() {
    only_problem(
        "[accounts.m]\nemail = \"a@b.c\"\n\nreceive = \"maildir\"\n",
        4,
        "accounts.m",
        "missing key `maildir`",
    );
    only_problem(
        "[accounts.m]\nemail = \"a@b.c\"\nprovider = \"google\"\nmaildir = \"~/Mail\"\nauth = { method = \"oauth2\", client_id = \"c\" }\n",
        4,
        "accounts.m.maildir",
        "set receive = \"maildir\" or remove `maildir`",
    );
}

#[test]
fn generic_imap_without_host() {
    // No imap table at all: points at the account header.
    only_problem(
        "\n[accounts.g]\nemail = \"a@b.c\"\nauth = { method = \"password\", password_command = \"p\" }\n",
        2,
        "accounts.g.imap",
        "missing `imap` server: provider \"generic\" has no preset",
    );
    // A table without host: points at the table.
    only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { port = 993 }\nauth = { method = \"password\", password_command = \"p\" }\n",
        3,
        "accounts.g.imap",
        "missing key `host`",
    );
}

#[test]
fn hosts_with_scheme_or_port_are_explained() {
    only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { host = \"imaps://mail.example.org/\" }\nauth = { method = \"password\", password_command = \"p\" }\n",
        3,
        "accounts.g.imap.host",
        "host = \"mail.example.org\"",
    );
    only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { host = \"mail.example.org:993\" }\nauth = { method = \"password\", password_command = \"p\" }\n",
        3,
        "accounts.g.imap.host",
        "put the port in `port`",
    );
}

#[test]
fn google_device_flow_is_refused_with_the_reason() {
    let p = only_problem(
        r#"[accounts.gmail]
email = "ada@gmail.com"
provider = "google"
[accounts.gmail.auth]
method = "oauth2"
client_id = "c"
flow = "device"
"#,
        7,
        "accounts.gmail.auth.flow",
        "use flow = \"browser\"",
    );
    assert!(p.message.contains("device flow"));
}

#[test]
fn app_only_needs_a_secret_command_and_a_real_tenant() {
    let found = problems(
        r#"[accounts.svc]
email = "svc@contoso.com"
provider = "microsoft"
[accounts.svc.auth]
method = "oauth2"
client_id = "c"
flow = "app-only"
tenant = "common"
"#,
    );
    let located: Vec<(usize, &str)> = found
        .iter()
        .map(|p| (p.line, p.key_path.as_str()))
        .collect();
    assert_eq!(
        located,
        [(7, "accounts.svc.auth"), (8, "accounts.svc.auth.tenant")],
        "{found:#?}"
    );
    assert!(
        found[0]
            .message
            .contains("missing key `client_secret_command`")
    );
    assert!(found[1].message.contains("AADSTS9001023"));
    // The default tenant ("organizations") is just as wrong; the problem points at the flow.
    only_problem(
        r#"[accounts.svc]
email = "svc@contoso.com"
provider = "microsoft"
[accounts.svc.auth]
method = "oauth2"
client_id = "c"
client_secret_command = "cat s"
flow = "app-only"
"#,
        8,
        "accounts.svc.auth.tenant",
        "not \"organizations\"",
    );
    only_problem(
        r#"[accounts.svc]
email = "svc@outlook.com"
provider = "microsoft-personal"
[accounts.svc.auth]
method = "oauth2"
client_id = "c"
client_secret_command = "cat s"
flow = "app-only"
"#,
        8,
        "accounts.svc.auth.flow",
        "personal Microsoft accounts cannot use app-only",
    );
}

#[test]
fn plaintext_is_refused_off_loopback() {
    let p = only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { host = \"mail.example.org\",\n  tls = \"none\" }\nauth = { method = \"password\", password_command = \"p\" }\n",
        4,
        "accounts.g.imap.tls",
        "refused",
    );
    assert!(p.message.contains("loopback"));
    assert_eq!(p.column, 9);
}

#[test]
fn password_method_problems() {
    only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { host = \"h\" }\n[accounts.g.auth]\nmethod = \"password\"\n",
        4,
        "accounts.g.auth",
        "missing key `password_command`",
    );
    only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { host = \"h\" }\n[accounts.g.auth]\nmethod = \"password\"\npassword_command = \"p\"\nclient_id = \"c\"\n",
        7,
        "accounts.g.auth.client_id",
        "only used with method = \"oauth2\"",
    );
    only_problem(
        "[accounts.w]\nemail = \"a@b.c\"\nprovider = \"microsoft\"\n[accounts.w.auth]\nmethod = \"password\"\npassword_command = \"p\"\n",
        5,
        "accounts.w.auth.method",
        "use method = \"oauth2\"",
    );
    only_problem(
        "[accounts.g]\nemail = \"a@b.c\"\nprovider = \"google\"\n[accounts.g.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\npassword_command = \"p\"\n",
        7,
        "accounts.g.auth.password_command",
        "only used with method = \"password\"",
    );
}

#[test]
fn oauth_missing_pieces() {
    only_problem(
        "[accounts.w]\nemail = \"a@b.c\"\nprovider = \"microsoft\"\n[accounts.w.auth]\nmethod = \"oauth2\"\n",
        4,
        "accounts.w.auth",
        "missing key `client_id`",
    );
    let found = problems(
        "[accounts.g]\nemail = \"a@b.c\"\nimap = { host = \"h\" }\n[accounts.g.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\nflow = \"browser\"\n",
    );
    let messages: Vec<&str> = found.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(messages[0].contains("missing key `authorization_url`"));
    assert!(messages[1].contains("missing key `token_url`"));
    assert!(messages[2].contains("missing key `scopes`"));
    assert!(found.iter().all(|p| p.line == 4));
    only_problem(
        "[accounts.w]\nemail = \"a@b.c\"\nprovider = \"microsoft\"\n[accounts.w.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\ntoken_url = \"http://login.example.com/token\"\n",
        7,
        "accounts.w.auth.token_url",
        "https://",
    );
    only_problem(
        "[accounts.w]\nemail = \"a@b.c\"\nprovider = \"google\"\n[accounts.w.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\ntenant = \"x\"\n",
        7,
        "accounts.w.auth.tenant",
        "Google has no tenants",
    );
    only_problem(
        "[accounts.w]\nemail = \"a@b.c\"\nimap = { host = \"h\" }\n[accounts.w.auth]\nmethod = \"oauth2\"\nclient_id = \"c\"\n",
        4,
        "accounts.w.auth",
        "missing key `flow`",
    );
}

#[test]
fn network_account_without_auth_table() {
    only_problem(
        "# comment\n[accounts.w]\nemail = \"a@b.c\"\nprovider = \"microsoft\"\n",
        2,
        "accounts.w",
        "missing [accounts.w.auth] table",
    );
}

#[test]
fn email_problems() {
    only_problem(
        "[accounts.m]\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
        1,
        "accounts.m",
        "missing key `email`",
    );
    for bad in [
        "ada",
        "ada@",
        "@example.org",
        "ada@@example.org",
        "ada lovelace@example.org",
    ] {
        only_problem(
            &format!("[accounts.m]\nreceive = \"maildir\"\nmaildir = \"/m\"\nemail = \"{bad}\"\n"),
            4,
            "accounts.m.email",
            "is not an email address",
        );
    }
}

#[test]
fn empty_or_missing_accounts() {
    only_problem("", 1, "accounts", "no accounts defined");
    only_problem("# nothing yet\n", 1, "accounts", "no accounts defined");
    only_problem("\n[accounts]\n", 2, "accounts", "no accounts defined");
}

#[test]
fn account_names_must_be_file_name_safe() {
    only_problem(
        "[accounts.\"my work\"]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
        1,
        "accounts.\"my work\"",
        "letters, digits",
    );
}

#[test]
fn tilde_user_paths_are_refused() {
    only_problem(
        "[accounts.m]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"~bob/Mail\"\n",
        4,
        "accounts.m.maildir",
        "`~user` paths are not supported",
    );
}

#[test]
fn missing_file_has_its_own_error_with_a_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    let err = config::load(&path).expect_err("no file");
    assert!(matches!(err, ConfigError::NotFound { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("config.example.toml"), "{shown}");
    assert!(shown.contains(&path.display().to_string()), "{shown}");
}

#[test]
fn load_reads_a_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[accounts.a]\nemail = \"a@b.c\"\ndisplayname = \"A\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
    )
        .expect("write");
    let err = config::load(&path).expect_err("invalid");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3:1: accounts.a: unknown key `displayname`, did you mean `display_name`?",
            path.display()
        )
    );
    std::fs::write(
        &path,
        "[accounts.a]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
    )
    .expect("write");
    let config = config::load(&path).expect("valid");
    assert_eq!(config.accounts.len(), 1);
}

#[test]
fn non_utf8_file_is_a_read_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, b"email = \"\xff\"\n").expect("write");
    let err = config::load(&path).expect_err("not utf-8");
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------
// describe

#[test]
fn describe_names_everything_but_never_the_commands() {
    let account = one(r#"
[accounts.svc]
email = "helpdesk@contoso.com"
display_name = "Helpdesk"
provider = "microsoft"
receive = "pop3"
[accounts.svc.auth]
method = "oauth2"
flow = "app-only"
client_id = "cid-123"
tenant = "contoso.com"
client_secret_command = "echo SUPERSECRET"
"#);
    let lines = describe(&account);
    let all = lines.join("\n");
    assert_eq!(lines[0], "account svc: Helpdesk <helpdesk@contoso.com>");
    for fragment in [
        "provider: microsoft",
        "receive: POP3 outlook.office365.com:995 (TLS)",
        "send: SMTP smtp.office365.com:587 (STARTTLS)",
        "auth: OAuth2, app-only (client credentials) flow, tenant contoso.com",
        "client_id: cid-123",
        "token: https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token",
        "scopes: https://outlook.office365.com/.default",
        "client secret: from client_secret_command (not run",
    ] {
        assert!(all.contains(fragment), "missing {fragment:?} in\n{all}");
    }
    assert!(!all.contains("SUPERSECRET"), "{all}");
    assert!(!all.contains("echo"), "{all}");
}

#[test]
fn describe_password_and_maildir_accounts() {
    let config = ok(r#"
[accounts.home]
email = "ada@example.org"
imap = { host = "mail.example.org" }
auth = { method = "password", password_command = "pass show hunter2" }
[accounts.archive]
email = "ada@example.org"
receive = "maildir"
maildir = "/srv/mail"
"#);
    let home = describe(&config.accounts[0]).join("\n");
    assert!(
        home.contains("receive: IMAP mail.example.org:993 (TLS)"),
        "{home}"
    );
    assert!(home.contains("send: no SMTP server configured"), "{home}");
    assert!(home.contains("auth: password"), "{home}");
    assert!(!home.contains("hunter2"), "{home}");
    let archive = describe(&config.accounts[1]).join("\n");
    assert!(
        archive.contains("receive: maildir at /srv/mail"),
        "{archive}"
    );
    assert!(archive.contains("auth: none"), "{archive}");
}

// ---------------------------------------------------------------------------------------
// ~ expansion

#[test]
fn tilde_expansion() {
    let home = Some(Path::new("/home/ada"));
    assert_eq!(expand_tilde("~", home), Ok(PathBuf::from("/home/ada")));
    assert_eq!(
        expand_tilde("~/Mail", home),
        Ok(PathBuf::from("/home/ada/Mail"))
    );
    assert_eq!(
        expand_tilde("/abs/~/x", home),
        Ok(PathBuf::from("/abs/~/x"))
    );
    assert_eq!(expand_tilde("rel", home), Ok(PathBuf::from("rel")));
    assert_eq!(expand_tilde("~/x", None), Err(config::TildeError::NoHome));
    assert_eq!(
        expand_tilde("~bob", home),
        Err(config::TildeError::OtherUser)
    );
    assert_eq!(expand_tilde("", home), Err(config::TildeError::Empty));
}

#[test]
fn parse_str_expands_tilde_to_the_real_home() {
    let Some(dirs) = directories::BaseDirs::new() else {
        return; // no home directory in this environment: nothing to compare with
    };
    let config = Config::parse_str(
        "[accounts.m]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"~/Mail\"\n",
        Path::new(ORIGIN),
    )
    .expect("valid");
    assert_eq!(
        config.accounts[0].maildir,
        Some(dirs.home_dir().join("Mail"))
    );
}

// ---------------------------------------------------------------------------------------
// Paths

#[test]
fn paths_under_one_root() {
    let paths = Paths::under(Path::new("/tmp/demo"));
    assert_eq!(
        paths.config_file(),
        PathBuf::from("/tmp/demo/config/config.toml")
    );
    assert_eq!(
        paths.store_db(),
        PathBuf::from("/tmp/demo/data/postern.sqlite3")
    );
    assert_eq!(paths.token_dir(), PathBuf::from("/tmp/demo/data"));
    assert_eq!(paths.log_dir(), PathBuf::from("/tmp/demo/state"));
    assert_eq!(paths.cache_dir, PathBuf::from("/tmp/demo/cache"));
}

#[test]
fn config_lookup_order() {
    let paths = Paths::under(Path::new("/x"));
    let no_env = |_: &str| None::<OsString>;
    let env = |name: &str| (name == "POSTERN_CONFIG").then(|| OsString::from("/env/c.toml"));
    let empty_env = |name: &str| (name == "POSTERN_CONFIG").then(OsString::new);
    let cli = Path::new("/cli/c.toml");
    assert_eq!(
        paths::resolve_config_path(Some(cli), env, &paths),
        PathBuf::from("/cli/c.toml")
    );
    assert_eq!(
        paths::resolve_config_path(None, env, &paths),
        PathBuf::from("/env/c.toml")
    );
    assert_eq!(
        paths::resolve_config_path(None, empty_env, &paths),
        PathBuf::from("/x/config/config.toml")
    );
    assert_eq!(
        paths::resolve_config_path(None, no_env, &paths),
        PathBuf::from("/x/config/config.toml")
    );
}

/// The child half of `from_env_honours_xdg_variables`: prints what `Paths::from_env` sees.
#[test]
fn print_paths_from_env_for_parent() {
    if std::env::var_os("POSTERN_PATHS_CHILD").is_none() {
        return;
    }
    let paths = Paths::from_env().expect("paths");
    println!("CONFIG={}", paths.config_file().display());
    println!("DATA={}", paths.data_dir.display());
    println!("CACHE={}", paths.cache_dir.display());
    println!("STATE={}", paths.state_dir.display());
}

/// Runs this test binary again with XDG variables set, so the process environment of the
/// (parallel) tests is never changed.
#[cfg(target_os = "linux")]
#[test]
fn from_env_honours_xdg_variables() {
    let run = |vars: &[(&str, &str)]| -> String {
        let mut cmd = std::process::Command::new(std::env::current_exe().expect("exe"));
        cmd.args(["--exact", "print_paths_from_env_for_parent", "--nocapture"])
            .env("POSTERN_PATHS_CHILD", "1")
            .env("HOME", "/home/xdgtest")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("XDG_STATE_HOME");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run child");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let set = run(&[
        ("XDG_CONFIG_HOME", "/xdg/config"),
        ("XDG_DATA_HOME", "/xdg/data"),
        ("XDG_CACHE_HOME", "/xdg/cache"),
        ("XDG_STATE_HOME", "/xdg/state"),
    ]);
    for line in [
        "CONFIG=/xdg/config/postern/config.toml",
        "DATA=/xdg/data/postern",
        "CACHE=/xdg/cache/postern",
        "STATE=/xdg/state/postern",
    ] {
        assert!(set.lines().any(|l| l == line), "missing {line} in\n{set}");
    }
    let unset = run(&[]);
    for line in [
        "CONFIG=/home/xdgtest/.config/postern/config.toml",
        "DATA=/home/xdgtest/.local/share/postern",
        "CACHE=/home/xdgtest/.cache/postern",
        "STATE=/home/xdgtest/.local/state/postern",
    ] {
        assert!(
            unset.lines().any(|l| l == line),
            "missing {line} in\n{unset}"
        );
    }
    // The XDG spec says relative values are to be ignored.
    let relative = run(&[("XDG_DATA_HOME", "relative/data")]);
    assert!(
        relative
            .lines()
            .any(|l| l == "DATA=/home/xdgtest/.local/share/postern"),
        "{relative}"
    );
}

#[cfg(unix)]
#[test]
fn ensure_private_dir_creates_0700_and_tightens() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let root = tempfile::tempdir().expect("tempdir");
    let nested = root.path().join("a/b/c");
    paths::ensure_private_dir(&nested).expect("create");
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(
        mode(&root.path().join("a")),
        0o700,
        "created parents are private too"
    );

    let loose = root.path().join("loose");
    std::fs::create_dir(&loose).expect("mkdir");
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    paths::ensure_private_dir(&loose).expect("tighten");
    assert_eq!(mode(&loose), 0o700);

    // Idempotent on a private directory.
    paths::ensure_private_dir(&loose).expect("again");
    assert_eq!(mode(&loose), 0o700);

    let file = root.path().join("file");
    std::fs::write(&file, "x").expect("write");
    assert!(matches!(
        paths::ensure_private_dir(&file),
        Err(paths::PathsError::NotADirectory { .. })
    ));
}

#[test]
fn an_unknown_key_does_not_hide_the_accounts_other_problems() {
    let found = problems(
        r#"[accounts.work]
email = "ada@contoso.com"
provider = "microsoft"
imap = { host = "outlook.office365.com", tls = "none" }
[accounts.work.auth]
method = "oauth2"
clientid = "cid"
"#,
    );
    let located: Vec<(usize, &str)> = found
        .iter()
        .map(|p| (p.line, p.key_path.as_str()))
        .collect();
    assert_eq!(
        located,
        [(4, "accounts.work.imap.tls"), (7, "accounts.work.auth")],
        "{found:#?}"
    );
    // `clientid` is read as `client_id`, so no "missing client_id" follows from the typo.
    assert!(found[1].message.contains("did you mean `client_id`?"));
}

/// Every prefix of the example, and every line of it dropped, must give Ok or problems
/// with valid locations: malformed input never panics.
#[test]
fn damaged_example_files_never_panic() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
            .expect("read config.example.toml");
    let line_count = text.lines().count();
    let check = |damaged: &str| {
        if let Err(err) = parse(damaged) {
            for p in err.problems() {
                assert!(p.line >= 1 && p.line <= line_count + 1, "{p:?}");
                assert!(p.column >= 1, "{p:?}");
            }
        }
    };
    for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
        check(&text[..end]);
    }
    let lines: Vec<&str> = text.lines().collect();
    for skip in 0..lines.len() {
        let damaged: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        check(&damaged.join("\n"));
    }
}

#[test]
fn odd_shapes_are_problems_not_panics() {
    let p = only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nprovider = \"google\"\nauth = \"oauth2\"\n",
        4,
        "accounts.a.auth",
        "invalid type",
    );
    assert!(p.message.contains("expected a table like"), "{p:?}");
    let p = only_problem(
        "[accounts.a]\nemail = \"a@b.c\"\nsmtp = \"smtp.example.org\"\n",
        3,
        "accounts.a.smtp",
        "expected a table like { host =",
    );
    assert!(
        !p.message.contains("Raw"),
        "internal type name leaked: {p:?}"
    );
    only_problem(
        "[accounts]\nwork = 5\n",
        2,
        "accounts.work",
        "expected a table",
    );
    only_problem(
        "[accounts.a]\nemail = 7\nreceive = \"maildir\"\nmaildir = \"/m\"\n",
        2,
        "accounts.a.email",
        "invalid type",
    );
    let found = problems("[accounts.a]\nemail = \"a@b.c\"\n[accounts.a]\nemail = \"x@y.z\"\n");
    assert!(found[0].message.contains("TOML syntax error"), "{found:#?}");
}

/// The examples in docs/configuration.md are real configs.
#[test]
fn documentation_examples_parse() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .expect("read docs/configuration.md");
    let blocks = toml_blocks(&doc);
    assert!(blocks.len() >= 3, "found {} toml blocks", blocks.len());
    for block in &blocks {
        if let Err(e) = parse(block) {
            panic!("documented example does not parse:\n{block}\n{e}");
        }
    }
}

const POP3_ACCOUNT: &str = r#"[accounts.box]
email = "me@example.org"
receive = "pop3"
pop3 = { host = "pop.example.org", port = 995 }
[accounts.box.auth]
method = "password"
password_command = "pass show box"
"#;

fn with_pop3_delete(lines: &str) -> String {
    POP3_ACCOUNT.replace(
        "pop3 = { host = \"pop.example.org\", port = 995 }\n",
        &format!("pop3 = {{ host = \"pop.example.org\", port = 995 }}\n{lines}"),
    )
}

#[test]
fn pop3_delete_modes() {
    assert_eq!(one(POP3_ACCOUNT).pop3_delete, Pop3Delete::Never);
    let after = one(&with_pop3_delete("pop3_delete = \"after-download\"\n"));
    assert_eq!(after.pop3_delete, Pop3Delete::AfterDownload);
    let days = one(&with_pop3_delete(
        "pop3_delete = \"after-days\"\npop3_delete_days = 30\n",
    ));
    assert_eq!(days.pop3_delete, Pop3Delete::AfterDays(30));
}

#[test]
fn pop3_delete_problems() {
    only_problem(
        &with_pop3_delete("pop3_delete = \"after-days\"\n"),
        5,
        "accounts.box",
        "missing key `pop3_delete_days`",
    );
    only_problem(
        &with_pop3_delete("pop3_delete = \"after-days\"\npop3_delete_days = 0\n"),
        6,
        "accounts.box.pop3_delete_days",
        "out of range",
    );
    only_problem(
        &with_pop3_delete("pop3_delete_days = 3\n"),
        5,
        "accounts.box.pop3_delete_days",
        "only read with pop3_delete = \"after-days\"",
    );
    only_problem(
        &with_pop3_delete("pop3_delete = \"afterdownload\"\n"),
        5,
        "accounts.box.pop3_delete",
        "did you mean \"after-download\"?",
    );
    let imap = POP3_ACCOUNT
        .replace("receive = \"pop3\"", "receive = \"imap\"")
        .replace("pop3 = {", "pop3_delete = \"never\"\nimap = {");
    only_problem(
        &imap,
        4,
        "accounts.box.pop3_delete",
        "only read with receive = \"pop3\"",
    );
}

// ---------------------------------------------------------------------------------------
// archive_folder and new_mail_command

const MAILDIR_ACCOUNT: &str =
    "[accounts.m]\nemail = \"a@b.c\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n";

#[test]
fn archive_folder_and_new_mail_command() {
    let plain = one(MAILDIR_ACCOUNT);
    assert_eq!(plain.archive_folder, None);
    assert_eq!(plain.new_mail_command, None);
    let account = one(&format!(
        "{MAILDIR_ACCOUNT}archive_folder = \"Old mail\"\nnew_mail_command = \"notify-send \\\"$POSTERN_NEW\\\" hunter2\"\n"
    ));
    assert_eq!(account.archive_folder.as_deref(), Some("Old mail"));
    assert_eq!(
        account.new_mail_command.as_deref(),
        Some("notify-send \"$POSTERN_NEW\" hunter2")
    );
    let debug = format!("{account:?}");
    assert!(!debug.contains("hunter2"), "command text in Debug: {debug}");
    assert!(debug.contains("Old mail"), "{debug}");
    let described = describe(&account).join("\n");
    assert!(
        described.contains("archive: to \"Old mail\" when the server marks no folder as \\Archive"),
        "{described}"
    );
    assert!(
        described.contains("new mail: runs new_mail_command (not run"),
        "{described}"
    );
    assert!(!described.contains("hunter2"), "{described}");
}

#[test]
fn archive_folder_and_new_mail_command_problems() {
    only_problem(
        &format!("{MAILDIR_ACCOUNT}archive_folder = \" \"\n"),
        5,
        "accounts.m.archive_folder",
        "the folder name is empty",
    );
    only_problem(
        &format!("{MAILDIR_ACCOUNT}new_mail_command = \"\"\n"),
        5,
        "accounts.m.new_mail_command",
        "the command is empty",
    );
    only_problem(
        &format!("{MAILDIR_ACCOUNT}archive_folder = [\"Archive\"]\n"),
        5,
        "accounts.m.archive_folder",
        "invalid type",
    );
    only_problem(
        &format!("{MAILDIR_ACCOUNT}archive_fodler = \"Archive\"\n"),
        5,
        "accounts.m",
        "did you mean `archive_folder`?",
    );
}

/// The ```toml blocks of a markdown document.
fn toml_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

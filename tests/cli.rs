//! The real binary's headless commands.

use std::path::Path;
use std::process::{Command, Output};

fn postern(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postern"))
        .args(args)
        .envs(postern_test_stack::profile_env(home))
        .env_remove("POSTERN_CONFIG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const TYPO: &str = r#"[accounts.work]
email = "ada@contoso.com"
provider = "microsoft"
[accounts.work.auth]
method = "oauth2"
client_id = "00000000-0000-0000-0000-000000000000"
tennant = "contoso.onmicrosoft.com"
"#;

#[test]
fn config_check_names_file_line_and_key_of_a_typo() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("typo.toml");
    std::fs::write(&file, TYPO).unwrap();
    let out = postern(
        home.path(),
        &["config", "check", "--config", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    // The file is under $HOME, which is shown as `~`.
    let expected =
        "~/typo.toml:7:1: accounts.work.auth: unknown key `tennant`, did you mean `tenant`?";
    assert!(err.contains(expected), "{err}");
}

#[test]
fn config_check_prints_resolved_accounts() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/postern");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), TYPO.replace("tennant", "tenant")).unwrap();
    // Found through $XDG_CONFIG_HOME, no --config.
    let out = postern(home.path(), &["config", "check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("ok, 1 account(s)"), "{stdout}");
    assert!(stdout.contains("[work] ada@contoso.com"), "{stdout}");
    assert!(
        stdout.contains("outlook.office365.com"),
        "preset hosts missing:\n{stdout}"
    );
    assert!(stdout.contains("contoso.onmicrosoft.com"), "{stdout}");
}

#[test]
fn config_check_uses_postern_config_and_reports_a_missing_file() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nowhere.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_postern"))
        .args(["config", "check"])
        .env("POSTERN_CONFIG", &missing)
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(
        err.contains("config.example.toml"),
        "no hint to copy the example:\n{err}"
    );
}

#[test]
fn the_shipped_example_passes_config_check() {
    let home = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = postern(home.path(), &["config", "check", "--config", example]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn help_and_version() {
    let home = tempfile::tempdir().unwrap();
    let out = postern(home.path(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("postern {}", env!("CARGO_PKG_VERSION"))
    );
    let out = postern(home.path(), &["--help"]);
    let help = text(&out.stdout);
    for word in ["demo", "config", "--config"] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
}

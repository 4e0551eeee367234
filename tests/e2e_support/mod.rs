//! What the tmux tests of writing mail share: stack users with another IMAP client
//! on their mailbox, a profile for the real binary (its home, its config) started in
//! a 120x40 tmux pane, and typing into postern's own editor.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use postern_test_stack::{Stack, TestUser};

use super::editor_support::ScriptEditor;
use super::tmux_support::{Tmux, shell_quote};
use super::tui_support::live::{Kind, Server, account_config, eventually, parse_config};

/// A stack user and another IMAP client on their mailbox.
pub struct Person {
    pub user: TestUser,
    pub server: Server,
}

pub async fn person(name: &str) -> Person {
    let user = Stack::shared().new_user(name).unwrap();
    let server = Server::login(&user).await;
    Person { user, server }
}

/// A profile for the real binary on `a`'s IMAP account: its home (HOME and the XDG
/// directories) and its config file, messages held back `send_delay` seconds, no
/// `[compose] editor`.
pub struct Profile {
    pub home: tempfile::TempDir,
    pub config: PathBuf,
}

impl Profile {
    pub fn new(a: &TestUser, send_delay: u64) -> Profile {
        Profile::edited(a, send_delay, |account| account)
    }

    /// As [`Profile::new`], with the account's table changed by `edit` (more
    /// settings appended, another SMTP port).
    pub fn edited(a: &TestUser, send_delay: u64, edit: impl FnOnce(String) -> String) -> Profile {
        let home = tempfile::tempdir().unwrap();
        let text = edit(account_config(home.path(), "mail", a, &Kind::Imap))
            + &format!("\n[compose]\nsend_delay = {send_delay}\n");
        parse_config(&text); // the binary reads the same text: it must be valid
        let config = home.path().join("postern.toml");
        std::fs::write(&config, &text).unwrap();
        Profile { home, config }
    }

    pub fn env(&self) -> [(&'static str, PathBuf); 5] {
        postern_test_stack::profile_env(self.home.path())
    }

    /// postern in tmux at 120x40 on this profile (postern is the pane's process),
    /// writing with `editor` as `$EDITOR`, or with its own editor (`None`: neither
    /// EDITOR nor VISUAL set).
    pub fn start(&self, editor: Option<&ScriptEditor>) -> Tmux {
        let env: Vec<String> = self
            .env()
            .iter()
            .map(|(name, value)| format!("{name}={}", shell_quote(&value.to_string_lossy())))
            .collect();
        let editor = match editor {
            Some(editor) => format!("EDITOR={}", shell_quote(&editor.command)),
            None => "-u EDITOR".to_owned(),
        };
        let command = format!(
            "exec env -u POSTERN_CONFIG -u VISUAL {editor} {} {} --config {}",
            env.join(" "),
            shell_quote(env!("CARGO_BIN_EXE_postern")),
            shell_quote(&self.config.to_string_lossy()),
        );
        Tmux::start(&command, 120, 40)
    }

    /// `postern <args>` on this profile (no editor), which must succeed: its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_postern"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .envs(self.env())
            .env_remove("POSTERN_CONFIG")
            .env_remove("VISUAL")
            .env_remove("EDITOR")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "postern {args:?}: {:?}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Text typed as it is (`send-keys -l`: no word of it is taken for a key name).
pub fn type_text(tmux: &Tmux, text: &str) {
    tmux.run(&["send-keys", "-t", "e2e", "-l", text]);
}

/// In postern's own editor (focus on To): To, Subject and the text typed, each
/// text line after the first behind Enter; waits until the last line is shown.
pub fn type_message(tmux: &Tmux, to: &str, subject: &str, lines: &[&str]) {
    type_text(tmux, to);
    tmux.keys(&["Tab", "Tab", "Tab"]);
    type_text(tmux, subject);
    tmux.keys(&["Tab"]);
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            tmux.keys(&["Enter"]);
        }
        type_text(tmux, line);
    }
    tmux.wait_for(lines.last().unwrap());
}

/// Done in postern's own editor: the review.
pub fn finish(tmux: &Tmux) {
    tmux.keys(&["C-x"]);
    tmux.wait_for("Review before sending");
}

/// `c` to `folder`, waiting until its list shows `subject`.
pub fn change_folder(tmux: &Tmux, folder: &str, subject: &str) {
    tmux.keys(&["c"]);
    type_text(tmux, folder);
    tmux.keys(&["Enter"]);
    tmux.wait_until(&format!("{subject:?} listed in {folder}"), |s| {
        super::tui_support::live::row(s, subject).is_some()
    });
}

/// To the folder pane, past its last folder onto the Outbox entry, and open it.
pub fn open_outbox(tmux: &Tmux) {
    tmux.keys(&["h", "G", "j", "Enter"]);
    tmux.wait_for("Outbox: not sent yet");
}

/// postern killed outright (`kill -9`), waited for until it is gone (or dead and
/// not yet reaped by tmux: the pane stays); its terminal goes with it.
pub async fn kill_hard(tmux: Tmux) {
    let pid = tmux.format("#{pane_pid}");
    let killed = Command::new("kill").args(["-9", &pid]).status().unwrap();
    assert!(killed.success(), "kill -9 {pid}");
    let stat = Path::new("/proc").join(&pid).join("stat");
    eventually("postern gone after kill -9", || {
        std::fs::read_to_string(&stat).map_or(true, |s| s.contains(") Z "))
    })
    .await;
}

pub const DATE: &str = "Tue, 01 Dec 2026 09:30:00 +0000";

//! Shared by the tests that run the real binary's mail subcommands against the test
//! mail stack (`cli_mail`, `cli_compose`): a private profile with its own config, and
//! postern run in it.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use postern_test_stack::{Stack, TestUser};
use tokio::io::AsyncWriteExt;

pub const WAIT: Duration = Duration::from_secs(60);

/// A home with its own XDG directories and a config file we can rewrite.
pub struct Profile {
    pub dir: tempfile::TempDir,
}

/// How an account reaches its servers.
pub enum Kind {
    Imap,
    Pop3,
    Maildir(PathBuf),
}

impl Profile {
    pub fn new() -> Profile {
        Profile {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `[accounts.<name>]` for `user`; `smtp_port` overrides the submission port.
    pub fn account(
        &self,
        stack: &Stack,
        name: &str,
        user: &TestUser,
        kind: &Kind,
        smtp_port: Option<u16>,
    ) -> String {
        let ports = stack.ports();
        let secret = self.dir.path().join(format!("{name}.secret"));
        std::fs::write(&secret, &user.password).unwrap();
        let receive = match kind {
            Kind::Imap => format!(
                "receive = \"imap\"\nimap = {{ host = \"localhost\", port = {}, tls = \"implicit\" }}\n",
                ports.imaps
            ),
            Kind::Pop3 => format!(
                "receive = \"pop3\"\npop3 = {{ host = \"localhost\", port = {}, tls = \"implicit\" }}\n",
                ports.pop3s
            ),
            Kind::Maildir(dir) => {
                return format!(
                    "[accounts.{name}]\nemail = \"{}\"\nprovider = \"generic\"\nreceive = \"maildir\"\nmaildir = \"{}\"\n",
                    user.name,
                    dir.display()
                );
            }
        };
        format!(
            r#"[accounts.{name}]
email = "{email}"
display_name = "Test {name}"
provider = "generic"
{receive}smtp = {{ host = "localhost", port = {smtp}, tls = "starttls" }}
ca_file = "{ca}"
auth = {{ method = "password", password_command = "cat {secret}" }}
"#,
            email = user.name,
            smtp = smtp_port.unwrap_or(ports.submission),
            ca = stack.ca_file().display(),
            secret = secret.display(),
        )
    }

    pub fn write_config(&self, accounts: &[String]) {
        let dir = self.dir.path().join("config/postern");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), accounts.join("\n")).unwrap();
    }

    /// postern's data directory in this profile (the store, `drafts/`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data/postern")
    }

    /// postern in this profile; the caller's `POSTERN_CONFIG`, `VISUAL` and `EDITOR`
    /// do not leak in.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let home = self.dir.path();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_postern"));
        command
            .args(args)
            .envs(postern_test_stack::profile_env(home))
            .env_remove("POSTERN_CONFIG")
            .env_remove("VISUAL")
            .env_remove("EDITOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        tokio::time::timeout(WAIT, self.command(args).output())
            .await
            .expect("postern did not finish")
            .unwrap()
    }

    /// Runs with `input` on stdin.
    pub async fn run_with(&self, args: &[&str], input: &[u8]) -> Output {
        self.run_with_env(args, input, &[]).await
    }

    /// Runs with `input` on stdin and `env` set.
    pub async fn run_with_env(
        &self,
        args: &[&str],
        input: &[u8],
        env: &[(&str, &OsStr)],
    ) -> Output {
        let mut command = self.command(args);
        command.stdin(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).await.unwrap();
        drop(stdin);
        tokio::time::timeout(WAIT, child.wait_with_output())
            .await
            .expect("postern did not finish")
            .unwrap()
    }

    /// Runs and insists on success; returns stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "postern {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    pub async fn list_json(&self, account: &str, folder: &str) -> Vec<serde_json::Value> {
        let out = self
            .ok(&[
                "list", account, "--folder", folder, "--json", "--limit", "1000",
            ])
            .await;
        serde_json::from_str::<Vec<serde_json::Value>>(&out)
            .unwrap_or_else(|e| panic!("list --json is not a JSON array ({e}):\n{out}"))
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

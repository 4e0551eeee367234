//! Secrets from shell commands: `password_command` (password accounts) and
//! `client_secret_command` (OAuth2 confidential clients). The command's stdout is the
//! secret; it is never logged or shown, only its stderr is (to explain a failure).

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

use super::{OAuthError, Secret};
use crate::config::{Account, Auth};

/// How long a secret command may run: long enough for a pinentry dialog or a hardware
/// key touch, short enough that a hung helper does not hang the login for ever.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// At most this much of the command's stderr is shown.
const STDERR_SHOWN: usize = 600;

/// The password of a `method = "password"` account, from its `password_command`.
pub async fn password(account: &Account, timeout: Duration) -> Result<Secret, OAuthError> {
    match &account.auth {
        Auth::Password { password_command } => {
            run_secret_command("password_command", password_command, timeout).await
        }
        _ => Err(OAuthError::Misconfigured {
            message: format!(
                "account \"{}\" does not use method = \"password\"; it has no password_command",
                account.name
            ),
        }),
    }
}

/// Runs `command` with `sh -c` and returns its stdout (one trailing newline removed) as
/// a secret. `key` names the config key in error messages. The command is killed if it
/// runs longer than `timeout` or if the returned future is dropped.
pub async fn run_secret_command(
    key: &'static str,
    command: &str,
    timeout: Duration,
) -> Result<Secret, OAuthError> {
    let failed = |message: String| OAuthError::Command { key, message };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(format!("cannot start `sh`: {e}")))?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let run = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = async {
            match stdout.as_mut() {
                Some(pipe) => pipe.read_to_end(&mut out).await.map(|_| ()),
                None => Ok(()),
            }
        };
        let read_err = async {
            match stderr.as_mut() {
                Some(pipe) => pipe.read_to_end(&mut err).await.map(|_| ()),
                None => Ok(()),
            }
        };
        let (read_out, read_err, status) = tokio::join!(read_out, read_err, child.wait());
        read_out.and(read_err)?;
        Ok::<_, std::io::Error>((status?, out, err))
    };
    let (status, out, err) = match tokio::time::timeout(timeout, run).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return Err(failed(format!("cannot read its output: {e}"))),
        Err(_) => {
            // kill_on_drop ends it; say so explicitly rather than rely on the drop order.
            let _ = child.start_kill();
            return Err(failed(format!(
                "it did not finish within {} s and was stopped (does it wait for input?)",
                timeout.as_secs()
            )));
        }
    };
    let stderr_text = shown_stderr(&err);
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("it exited with status {code}"),
            None => "it was killed by a signal".to_string(),
        };
        let detail = if stderr_text.is_empty() {
            " and printed nothing on stderr".to_string()
        } else {
            format!(": {stderr_text}")
        };
        return Err(failed(format!("{how}{detail}")));
    }
    let mut text = String::from_utf8(out)
        .map_err(|_| failed("it printed something that is not UTF-8 text".into()))?;
    // Exactly one trailing newline is the command's, anything else is the secret's.
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.is_empty() {
        return Err(failed(
            "it printed nothing on stdout; it must print the secret".into(),
        ));
    }
    Ok(Secret::new(text))
}

/// The last part of stderr, trimmed and shortened, for an error message.
fn shown_stderr(err: &[u8]) -> String {
    let text = String::from_utf8_lossy(err);
    let text = text.trim();
    let count = text.chars().count();
    if count <= STDERR_SHOWN {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count - STDERR_SHOWN).collect();
    format!("...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn stdout_is_the_secret_without_one_newline() {
        let secret = run_secret_command("password_command", "printf 'a+b/c\\n\\n'", SHORT)
            .await
            .unwrap();
        assert_eq!(secret.expose(), "a+b/c\n");
        let secret = run_secret_command("password_command", "printf 'x y\\r\\n'", SHORT)
            .await
            .unwrap();
        assert_eq!(secret.expose(), "x y");
    }

    #[tokio::test]
    async fn failure_shows_status_and_stderr_never_stdout() {
        let error = run_secret_command(
            "client_secret_command",
            "echo hunter2; echo 'gpg: decryption failed' >&2; exit 3",
            SHORT,
        )
        .await
        .unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("`client_secret_command` failed"), "{text}");
        assert!(text.contains("status 3"), "{text}");
        assert!(text.contains("gpg: decryption failed"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[tokio::test]
    async fn empty_output_and_hangs_are_errors() {
        let error = run_secret_command("password_command", "true", SHORT)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("printed nothing"), "{error}");
        let error = run_secret_command("password_command", "sleep 30", Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("did not finish"), "{error}");
    }
}

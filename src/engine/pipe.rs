//! `pipe`: a message's source on the standard input of a command of the user's
//! (`git am`, `spamc`, a script), its output brought back to be shown.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::explain::Problem;

/// Longest a piped command may run before it is stopped: one waiting for a terminal
/// would otherwise hold the account's worker for ever.
pub(super) const TIMEOUT: Duration = Duration::from_secs(120);
/// Most output kept to show.
const OUTPUT_MAX: usize = 1 << 20;

/// Runs `sh -c command` once per message, each with one source on its standard
/// input; returns what they printed (standard output, then error), one after the
/// other. The first that fails or takes longer than `timeout` ends the run.
pub(super) async fn run(
    command: &str,
    messages: &[Vec<u8>],
    timeout: Duration,
) -> Result<String, Problem> {
    let mut output = Vec::new();
    for (i, raw) in messages.iter().enumerate() {
        let printed = match tokio::time::timeout(timeout, once(command, raw)).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(Problem {
                    fix: Some(
                        "a piped command must read the message from its input and end by itself; \
                         run it in a shell to see what it waits for"
                            .into(),
                    ),
                    ..Problem::plain(format!(
                        "`{command}` did not finish within {} s and was stopped",
                        timeout.as_secs()
                    ))
                });
            }
        };
        if messages.len() > 1 {
            output.extend_from_slice(
                format!("── message {} of {} ──\n", i + 1, messages.len()).as_bytes(),
            );
        }
        output.extend_from_slice(&printed);
        if output.len() > OUTPUT_MAX {
            output.truncate(OUTPUT_MAX);
            output.extend_from_slice(b"\n[output cut at 1 MiB]\n");
            break;
        }
    }
    Ok(String::from_utf8_lossy(&output).into_owned())
}

async fn once(command: &str, raw: &[u8]) -> Result<Vec<u8>, Problem> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| Problem::plain(format!("cannot start `sh -c {command}`: {error}")))?;
    // Written while the output is read: a command that prints before it has read
    // everything must not block on a full pipe.
    let mut stdin = child.stdin.take();
    let input = raw.to_vec();
    let writer = tokio::spawn(async move {
        if let Some(stdin) = stdin.as_mut() {
            // A command that stops reading early (`head`) closes the pipe: fine.
            let _ = stdin.write_all(&input).await;
        }
    });
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (mut printed, errors) = tokio::join!(kept(stdout), kept(stderr));
    let status = child
        .wait()
        .await
        .map_err(|error| Problem::plain(format!("`{command}` failed: {error}")))?;
    let _ = writer.await;
    printed.extend_from_slice(&errors);
    if status.success() {
        return Ok(printed);
    }
    let status = status.code().map_or_else(
        || "was killed".to_owned(),
        |code| format!("exited with status {code}"),
    );
    let said = String::from_utf8_lossy(&printed);
    let tail: Vec<&str> = said.lines().rev().take(5).collect();
    Err(Problem {
        cause: (!tail.is_empty()).then(|| tail.into_iter().rev().collect::<Vec<_>>().join(" / ")),
        ..Problem::plain(format!("`{command}` {status}"))
    })
}

/// Everything a command prints is read (so it never blocks on a full pipe), and at
/// most [`OUTPUT_MAX`] bytes of it kept, and one more to tell that there was more.
async fn kept(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut pipe) = pipe else {
        return kept;
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = (OUTPUT_MAX + 1).saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&buf[..room]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_message_goes_to_the_command_and_its_output_comes_back() {
        let messages = vec![
            b"Subject: one\n\nbody\n".to_vec(),
            b"Subject: two\n".to_vec(),
        ];
        let output = run("grep Subject", &messages, TIMEOUT).await.unwrap();
        assert!(output.contains("Subject: one"), "{output}");
        assert!(output.contains("message 2 of 2"), "{output}");
        assert!(output.contains("Subject: two"), "{output}");
    }

    #[tokio::test]
    async fn a_failing_or_hanging_command_is_explained() {
        let failed = run("echo oops >&2; exit 3", &[b"x".to_vec()], TIMEOUT)
            .await
            .unwrap_err();
        assert!(failed.what.contains("exited with status 3"), "{failed}");
        assert_eq!(failed.cause.as_deref(), Some("oops"));
        let hung = run("sleep 5", &[b"x".to_vec()], Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(hung.what.contains("did not finish"), "{hung}");
    }

    #[tokio::test]
    async fn a_chatty_command_is_read_to_its_end_and_kept_in_bounds() {
        let output = run("yes | head -c 3000000", &[b"x".to_vec()], TIMEOUT)
            .await
            .unwrap();
        assert!(output.len() <= OUTPUT_MAX + 64, "{}", output.len());
        assert!(output.ends_with("[output cut at 1 MiB]\n"));
    }

    #[tokio::test]
    async fn a_command_that_reads_nothing_does_not_block_on_a_big_message() {
        let big = vec![b'x'; 4 << 20];
        let output = run("echo done", &[big], TIMEOUT).await.unwrap();
        assert_eq!(output, "done\n");
    }
}

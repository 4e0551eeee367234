//! An account's signature: a file read, or a command's output, when a message starts.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::Signature;

/// Longest a `signature_command` may run: a message must start at once.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// A signature longer than this is not a signature (a wrong path, say).
const MOST: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error(
        "cannot read the signature file {}: {source}\n  hint: check `signature_file` in the account's configuration",
        path.display()
    )]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the signature file {} is over 64 KiB, so it was left out\n  hint: is `signature_file` the right file?",
        path.display()
    )]
    TooLong { path: PathBuf },
    #[error("the signature command could not be started: {0}\n  hint: check `signature_command`")]
    Spawn(#[source] std::io::Error),
    #[error(
        "the signature command did not finish within {} s and was stopped\n  hint: it must print the signature and end by itself",
        COMMAND_TIMEOUT.as_secs()
    )]
    Timeout,
    #[error(
        "the signature command failed ({status}){stderr}\n  hint: run it in a shell to see why"
    )]
    Failed { status: String, stderr: String },
}

/// The signature text; `Ok(None)` for an empty one.
pub fn read_signature(signature: &Signature) -> Result<Option<String>, SignatureError> {
    let text = match signature {
        Signature::File(path) => read_file(path)?,
        Signature::Command(command) => run(command)?,
    };
    let text = text.trim_end().to_owned();
    Ok((!text.is_empty()).then_some(text))
}

fn read_file(path: &PathBuf) -> Result<String, SignatureError> {
    let error = |source| SignatureError::File {
        path: path.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(error)?;
    let mut bytes = Vec::new();
    file.take(MOST + 1).read_to_end(&mut bytes).map_err(error)?;
    if bytes.len() as u64 > MOST {
        return Err(SignatureError::TooLong { path: path.clone() });
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `sh -c command`, its standard output; stopped after [`COMMAND_TIMEOUT`].
fn run(command: &str) -> Result<String, SignatureError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(SignatureError::Spawn)?;
    // Read the pipes on their own threads, so a chatty command cannot fill one and
    // block while we wait for it to exit.
    let stdout = child.stdout.take().map(reader);
    let stderr = child.stderr.take().map(reader);
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(SignatureError::Spawn)? {
            Some(status) => break status,
            None if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SignatureError::Timeout);
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let collect = |pipe: Option<std::thread::JoinHandle<Vec<u8>>>| {
        pipe.and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    };
    let out = collect(stdout);
    let err = collect(stderr);
    if !status.success() {
        let err = String::from_utf8_lossy(&err).trim().to_owned();
        return Err(SignatureError::Failed {
            status: status.to_string(),
            stderr: if err.is_empty() {
                String::new()
            } else {
                format!(": {err}")
            },
        });
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut pipe).take(MOST + 1).read_to_end(&mut bytes);
        // Drain the rest so the command is not killed by a broken pipe.
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        bytes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_signature_is_its_output_trimmed() {
        let signature = Signature::Command("printf 'Ada\\nanalyst\\n\\n'".into());
        assert_eq!(
            read_signature(&signature).unwrap().as_deref(),
            Some("Ada\nanalyst")
        );
    }

    #[test]
    fn a_failing_command_says_so_with_its_error_output() {
        let signature = Signature::Command("echo nope >&2; exit 3".into());
        let error = read_signature(&signature).unwrap_err().to_string();
        assert!(error.contains("nope"), "{error}");
        assert!(error.contains("exit status: 3"), "{error}");
    }

    #[test]
    fn a_missing_file_names_the_file_and_the_key() {
        let signature = Signature::File("/nonexistent/sig".into());
        let error = read_signature(&signature).unwrap_err().to_string();
        assert!(error.contains("/nonexistent/sig"), "{error}");
        assert!(error.contains("signature_file"), "{error}");
    }

    #[test]
    fn an_empty_signature_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sig");
        std::fs::write(&path, "\n\n").unwrap();
        assert_eq!(read_signature(&Signature::File(path)).unwrap(), None);
    }
}

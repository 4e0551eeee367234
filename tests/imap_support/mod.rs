//! A scripted plaintext IMAP server on loopback, for what the stack's Dovecot never
//! does (REPLACE, no UIDPLUS, an account without a Drafts folder). It greets with the
//! capabilities it is given, answers CAPABILITY, LOGIN and LOGOUT itself, reads
//! literals (synchronising ones after its `+`), records every command, and answers
//! the rest with what the test's script says. Each connection is served on its own.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One command as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The command line without its tag and line end (a literal's `{n}` kept).
    pub line: String,
    /// The bytes of its literal, if it had one.
    pub literal: Option<Vec<u8>>,
}

/// What to answer to a command: untagged lines (without `* ` or line ends; a line
/// may carry a literal, `{n}\r\n...`), then the tagged status (`OK done`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub untagged: Vec<String>,
    pub status: String,
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::with(&[], "OK done")
    }

    pub fn with(untagged: &[&str], status: &str) -> Reply {
        Reply {
            untagged: untagged.iter().map(|l| (*l).to_owned()).collect(),
            status: status.to_owned(),
        }
    }
}

/// The test's part: the answer to `command`, given every command received before.
pub type Script = dyn Fn(&Received, &[Received]) -> Reply + Send + Sync;

pub struct FakeImap {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeImap {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeImap {
    /// Listens on 127.0.0.1; `capabilities` is the CAPABILITY list ("IMAP4rev1
    /// UIDPLUS ...").
    pub async fn start(
        capabilities: &str,
        script: impl Fn(&Received, &[Received]) -> Reply + Send + Sync + 'static,
    ) -> FakeImap {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let capabilities = capabilities.to_owned();
        let log = Arc::clone(&received);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (log, script, capabilities) =
                    (Arc::clone(&log), Arc::clone(&script), capabilities.clone());
                tokio::spawn(async move {
                    let _ = serve(socket, &capabilities, &*script, &log).await;
                });
            }
        });
        FakeImap {
            port,
            received,
            task,
        }
    }

    /// Every command received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The command lines received so far.
    pub fn lines(&self) -> Vec<String> {
        self.received().into_iter().map(|r| r.line).collect()
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    capabilities: &str,
    script: &Script,
    log: &Mutex<Vec<Received>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut read = BufReader::new(read);
    write
        .write_all(format!("* OK [CAPABILITY {capabilities}] fake IMAP ready\r\n").as_bytes())
        .await?;
    loop {
        let Some((tag, command)) = read_command(&mut read, &mut write).await? else {
            return Ok(());
        };
        let verb = command
            .line
            .split(' ')
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply = match verb.as_str() {
            "CAPABILITY" => Reply::with(&[&format!("CAPABILITY {capabilities}")], "OK done"),
            "LOGIN" => Reply::with(&[], "OK logged in"),
            "LOGOUT" => Reply::with(&["BYE fake IMAP says goodbye"], "OK done"),
            _ => {
                let earlier = log.lock().unwrap().clone();
                script(&command, &earlier)
            }
        };
        log.lock().unwrap().push(command);
        let mut out = String::new();
        for line in &reply.untagged {
            out.push_str(&format!("* {line}\r\n"));
        }
        out.push_str(&format!("{tag} {}\r\n", reply.status));
        write.write_all(out.as_bytes()).await?;
        if verb == "LOGOUT" {
            return Ok(());
        }
    }
}

/// The next command with its tag, its literal read (after a `+` unless it is a
/// LITERAL+ one); `None` once the client closed.
async fn read_command(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: &mut tokio::net::tcp::OwnedWriteHalf,
) -> std::io::Result<Option<(String, Received)>> {
    let mut raw = Vec::new();
    if read.read_until(b'\n', &mut raw).await? == 0 {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&raw).trim_end().to_owned();
    let (tag, mut line) = match text.split_once(' ') {
        Some((tag, line)) => (tag.to_owned(), line.to_owned()),
        None => (text.clone(), String::new()),
    };
    let mut literal = None;
    if let Some((size, plus)) = literal_size(&line) {
        if !plus {
            write.write_all(b"+ go ahead\r\n").await?;
        }
        let mut bytes = vec![0; size];
        read.read_exact(&mut bytes).await?;
        literal = Some(bytes);
        // The rest of the command after the literal (here: its line end).
        let mut rest = Vec::new();
        read.read_until(b'\n', &mut rest).await?;
        line.push_str(String::from_utf8_lossy(&rest).trim_end());
    }
    Ok(Some((tag, Received { line, literal })))
}

/// `{n}` or `{n+}` at the end of a command line: (n, non-synchronising).
fn literal_size(line: &str) -> Option<(usize, bool)> {
    let open = line.rfind('{')?;
    let inner = line[open + 1..].strip_suffix('}')?;
    let (digits, plus) = match inner.strip_suffix('+') {
        Some(digits) => (digits, true),
        None => (inner, false),
    };
    Some((digits.parse().ok()?, plus))
}

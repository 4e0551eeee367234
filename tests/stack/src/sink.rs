//! The SMTP sink Dovecot's submission relays to: it records every message (envelope +
//! raw bytes) and delivers it into each recipient's Maildir over Dovecot's LMTP.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::error::StackError;
use crate::lmtp;

/// Largest message the sink accepts (and advertises in SIZE).
const MAX_MESSAGE: usize = 50 * 1024 * 1024;

/// One message as relayed by Dovecot's submission service.
#[derive(Debug, Clone)]
pub struct SunkMessage {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as received after DATA, dot-unstuffed, CRLF line ends.
    pub data: Vec<u8>,
    pub received_at: SystemTime,
    /// Per recipient: Ok, or the LMTP error text.
    pub deliveries: Vec<(String, Result<(), String>)>,
}

impl SunkMessage {
    /// The message as text (lossy), for assertions.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// Handle to the sink of a running stack. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sink {
    messages: Arc<Mutex<Vec<SunkMessage>>>,
    port: u16,
}

impl Sink {
    pub(crate) fn new(port: u16) -> Sink {
        Sink {
            messages: Arc::default(),
            port,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<SunkMessage>> {
        self.messages
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message so far, oldest first.
    pub fn messages(&self) -> Vec<SunkMessage> {
        self.lock().clone()
    }

    /// Messages with `rcpt` among the envelope recipients.
    pub fn messages_to(&self, rcpt: &str) -> Vec<SunkMessage> {
        self.lock()
            .iter()
            .filter(|message| {
                message
                    .rcpt_to
                    .iter()
                    .any(|to| to.eq_ignore_ascii_case(rcpt))
            })
            .cloned()
            .collect()
    }

    /// Waits (polling) for a message matching `predicate`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        predicate: impl Fn(&SunkMessage) -> bool,
    ) -> Result<SunkMessage, StackError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.lock().iter().find(|message| predicate(message)) {
                return Ok(found.clone());
            }
            if Instant::now() > deadline {
                return Err(StackError::Timeout(timeout, "a message at the SMTP sink"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn record(&self, message: SunkMessage) {
        self.lock().push(message);
    }
}

pub(crate) async fn serve(listener: TcpListener, sink: Sink, lmtp_port: Arc<AtomicU16>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let sink = sink.clone();
        let lmtp_port = lmtp_port.load(Ordering::SeqCst);
        tokio::spawn(async move {
            // A broken relay connection only loses that connection's unfinished message.
            let _ = session(stream, sink, lmtp_port).await;
        });
    }
}

fn address(argument: &str) -> String {
    let start = argument.find('<').map(|i| i + 1).unwrap_or(0);
    let end = argument[start..]
        .find('>')
        .map(|i| start + i)
        .unwrap_or(argument.len());
    argument[start..end].trim().to_owned()
}

async fn session(stream: TcpStream, sink: Sink, lmtp_port: u16) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(b"220 sink.localhost ESMTP postern test sink\r\n")
        .await?;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = text.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => format!(
                "250-sink.localhost\r\n250-8BITMIME\r\n250-SIZE {MAX_MESSAGE}\r\n250-ENHANCEDSTATUSCODES\r\n250 PIPELINING\r\n"
            ),
            "HELO" => "250 sink.localhost\r\n".into(),
            "MAIL" => {
                mail_from = Some(address(&text));
                rcpt_to.clear();
                "250 2.1.0 Ok\r\n".into()
            }
            "RCPT" if mail_from.is_some() => {
                rcpt_to.push(address(&text));
                "250 2.1.5 Ok\r\n".into()
            }
            "RCPT" => "503 5.5.1 MAIL first\r\n".into(),
            "DATA" if mail_from.is_some() && !rcpt_to.is_empty() => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let message = SunkMessage {
                    mail_from: mail_from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                    received_at: SystemTime::now(),
                    deliveries: Vec::new(),
                };
                deliver_and_record(message, &sink, lmtp_port).await
            }
            "DATA" => "503 5.5.1 MAIL and RCPT first\r\n".into(),
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 2.0.0 Ok\r\n".into()
            }
            "NOOP" => "250 2.0.0 Ok\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not implemented\r\n".into(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// Reads the DATA section up to the lone dot, undoing dot-stuffing, with CRLF line ends.
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed in DATA",
            ));
        }
        let content = line.strip_suffix(b"\n").unwrap_or(&line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content == b"." {
            return Ok(data);
        }
        let content = content.strip_prefix(b".").unwrap_or(content);
        if data.len() + content.len() <= MAX_MESSAGE {
            data.extend_from_slice(content);
            data.extend_from_slice(b"\r\n");
        }
    }
}

async fn deliver_and_record(mut message: SunkMessage, sink: &Sink, lmtp_port: u16) -> String {
    for rcpt in message.rcpt_to.clone() {
        let outcome = lmtp::deliver(lmtp_port, &message.mail_from, &rcpt, &message.data)
            .await
            .map_err(|error| error.to_string());
        message.deliveries.push((rcpt, outcome));
    }
    let failed: Vec<String> = message
        .deliveries
        .iter()
        .filter_map(|(rcpt, outcome)| {
            outcome
                .as_ref()
                .err()
                .map(|error| format!("{rcpt}: {error}"))
        })
        .collect();
    sink.record(message);
    if failed.is_empty() {
        "250 2.0.0 Ok: queued\r\n".into()
    } else {
        format!(
            "451 4.3.0 LMTP delivery failed: {}\r\n",
            failed.join("; ").replace(['\r', '\n'], " ")
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_taken_from_angle_brackets() {
        assert_eq!(
            super::address("MAIL FROM:<a@b.test> SIZE=12 BODY=8BITMIME"),
            "a@b.test"
        );
        assert_eq!(
            super::address("RCPT TO:<bob@example.test>"),
            "bob@example.test"
        );
        assert_eq!(super::address("MAIL FROM:<>"), "");
    }
}

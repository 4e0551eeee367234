//! A raw line-based client for protocol exchanges in tests (IMAP, POP3, SMTP), over
//! plain TCP, implicit TLS, or upgraded with STARTTLS/STLS, trusting the run's CA.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio_rustls::TlsConnector;

use crate::error::StackError;

const READ_TIMEOUT: Duration = Duration::from_secs(15);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One connection, read and written a line at a time.
pub struct LineConn {
    io: BufReader<Box<dyn Io>>,
    tls: Arc<rustls::ClientConfig>,
    /// Every line sent (">> ") and received ("<< "), for failure messages.
    pub transcript: Vec<String>,
}

impl std::fmt::Debug for LineConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineConn")
            .field("lines", &self.transcript.len())
            .finish()
    }
}

impl LineConn {
    /// Plain TCP to 127.0.0.1:port.
    pub async fn plain(port: u16, tls: Arc<rustls::ClientConfig>) -> Result<LineConn, StackError> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(StackError::io("connect to the stack"))?;
        Ok(Self::wrap(Box::new(stream), tls))
    }

    /// Plain TCP from a chosen local address (e.g. 127.0.0.2, which Dovecot does not
    /// count as secured, so it refuses plaintext auth there).
    pub async fn plain_from(
        local: std::net::IpAddr,
        port: u16,
        tls: Arc<rustls::ClientConfig>,
    ) -> Result<LineConn, StackError> {
        let socket = TcpSocket::new_v4().map_err(StackError::io("make a socket"))?;
        socket
            .bind(SocketAddr::new(local, 0))
            .map_err(StackError::io("bind the local address"))?;
        let stream = socket
            .connect(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .map_err(StackError::io("connect to the stack"))?;
        Ok(Self::wrap(Box::new(stream), tls))
    }

    /// Implicit TLS to 127.0.0.1:port, verifying the certificate for "localhost".
    pub async fn tls(port: u16, tls: Arc<rustls::ClientConfig>) -> Result<LineConn, StackError> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(StackError::io("connect to the stack"))?;
        let stream = handshake(Box::new(stream), &tls).await?;
        Ok(Self::wrap(stream, tls))
    }

    fn wrap(io: Box<dyn Io>, tls: Arc<rustls::ClientConfig>) -> LineConn {
        LineConn {
            io: BufReader::new(io),
            tls,
            transcript: Vec::new(),
        }
    }

    /// Switches to TLS after the server agreed to STARTTLS/STLS.
    pub async fn upgrade(self) -> Result<LineConn, StackError> {
        let LineConn {
            io,
            tls,
            transcript,
            ..
        } = self;
        if !io.buffer().is_empty() {
            return Err(StackError::Io {
                action: "start TLS",
                source: std::io::Error::other("the server sent data after agreeing to TLS"),
            });
        }
        let stream = handshake(io.into_inner(), &tls).await?;
        let mut conn = Self::wrap(stream, tls);
        conn.transcript = transcript;
        conn.transcript.push("-- TLS --".into());
        Ok(conn)
    }

    pub async fn send(&mut self, line: &str) -> Result<(), StackError> {
        self.transcript.push(format!(">> {}", shorten(line)));
        let io = self.io.get_mut();
        io.write_all(line.as_bytes())
            .await
            .map_err(StackError::io("write to the server"))?;
        io.write_all(b"\r\n")
            .await
            .map_err(StackError::io("write to the server"))?;
        io.flush()
            .await
            .map_err(StackError::io("write to the server"))
    }

    /// The next line, without its line end.
    pub async fn line(&mut self) -> Result<String, StackError> {
        let mut raw = Vec::new();
        let read = tokio::time::timeout(READ_TIMEOUT, self.io.read_until(b'\n', &mut raw))
            .await
            .map_err(|_| StackError::Timeout(READ_TIMEOUT, "a line from the server"))?
            .map_err(StackError::io("read from the server"))?;
        if read == 0 {
            return Err(StackError::Closed);
        }
        let line = String::from_utf8_lossy(&raw)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        self.transcript.push(format!("<< {}", shorten(&line)));
        Ok(line)
    }

    /// The next `count` bytes exactly, as they come (an IMAP literal), within
    /// `timeout`. The transcript notes their number only.
    pub async fn bytes(&mut self, count: usize, timeout: Duration) -> Result<Vec<u8>, StackError> {
        let mut raw = vec![0; count];
        tokio::time::timeout(timeout, self.io.read_exact(&mut raw))
            .await
            .map_err(|_| StackError::Timeout(timeout, "bytes from the server"))?
            .map_err(StackError::io("read from the server"))?;
        self.transcript.push(format!("<< ({count} bytes)"));
        Ok(raw)
    }

    /// Lines up to and including the first one for which `last` is true.
    pub async fn until(&mut self, last: impl Fn(&str) -> bool) -> Result<Vec<String>, StackError> {
        let mut lines = Vec::new();
        loop {
            let line = self.line().await?;
            let done = last(&line);
            lines.push(line);
            if done {
                return Ok(lines);
            }
        }
    }

    /// Sends `line` and reads up to the line starting with `tag ` (IMAP).
    pub async fn imap(&mut self, tag: &str, command: &str) -> Result<Vec<String>, StackError> {
        self.send(&format!("{tag} {command}")).await?;
        let prefix = format!("{tag} ");
        self.until(|line| line.starts_with(&prefix)).await
    }

    /// IMAP `APPEND` of `message` to `mailbox` (with an INTERNALDATE such as
    /// `02-Jul-2020 10:00:00 +0000` when `date` is given), as a non-synchronizing
    /// literal; returns the answer's lines, up to the tagged one.
    pub async fn imap_append(
        &mut self,
        mailbox: &str,
        date: Option<&str>,
        message: &str,
    ) -> Result<Vec<String>, StackError> {
        let date = date.map(|d| format!(" \"{d}\"")).unwrap_or_default();
        self.send(&format!("a APPEND {mailbox}{date} {{{}+}}", message.len()))
            .await?;
        // send() ends the literal with the CRLF that ends the command.
        self.send(message).await?;
        self.until(|line| line.starts_with("a ")).await
    }

    /// Reads an SMTP reply (all continuation lines); returns the lines.
    pub async fn smtp_reply(&mut self) -> Result<Vec<String>, StackError> {
        self.until(|line| line.as_bytes().get(3) != Some(&b'-'))
            .await
    }

    pub fn transcript_text(&self) -> String {
        self.transcript.join("\n")
    }
}

fn shorten(line: &str) -> String {
    if line.len() > 200 {
        let head: String = line.chars().take(120).collect();
        format!("{head}... ({} chars)", line.len())
    } else {
        line.to_owned()
    }
}

async fn handshake(
    io: Box<dyn Io>,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<Box<dyn Io>, StackError> {
    let name = ServerName::try_from("localhost").map_err(|_| StackError::Io {
        action: "name the server",
        source: std::io::Error::other("bad server name"),
    })?;
    let stream = TlsConnector::from(Arc::clone(tls))
        .connect(name, io)
        .await
        .map_err(StackError::io("complete the TLS handshake"))?;
    Ok(Box::new(stream))
}

//! The byte stream every protocol client runs over: TLS (the normal case) or plain TCP
//! (`tls = "none"`, loopback only), with two small extras the clients need.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A connection to a mail server.
pub struct MailStream {
    kind: Kind,
    /// Bytes handed out before the socket's: the SMTP greeting read before STARTTLS,
    /// replayed for lettre, which expects to read a greeting first.
    replay: Vec<u8>,
    replayed: usize,
    tap: Option<Arc<LineTap>>,
}

enum Kind {
    Tls(Box<TlsStream<TcpStream>>),
    Plain(TcpStream),
}

impl std::fmt::Debug for MailStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            Kind::Tls(_) => "tls",
            Kind::Plain(_) => "plain",
        };
        f.debug_struct("MailStream").field("kind", &kind).finish()
    }
}

impl MailStream {
    pub fn tls(stream: TlsStream<TcpStream>) -> MailStream {
        MailStream::new(Kind::Tls(Box::new(stream)))
    }

    pub fn plain(stream: TcpStream) -> MailStream {
        MailStream::new(Kind::Plain(stream))
    }

    fn new(kind: Kind) -> MailStream {
        MailStream {
            kind,
            replay: Vec::new(),
            replayed: 0,
            tap: None,
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.kind, Kind::Tls(_))
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match &self.kind {
            Kind::Tls(stream) => stream.get_ref().0.peer_addr(),
            Kind::Plain(stream) => stream.peer_addr(),
        }
    }

    /// Reads return `bytes` first, then the socket's data.
    pub fn with_replay(mut self, bytes: Vec<u8>) -> MailStream {
        self.replay = bytes;
        self.replayed = 0;
        self
    }

    /// Starts recording the last line the server sends (for error text a client
    /// library reformats). Only server bytes are seen: never a credential.
    pub fn tap(&mut self) -> Arc<LineTap> {
        let tap = Arc::new(LineTap::default());
        self.tap = Some(Arc::clone(&tap));
        tap
    }
}

/// The last complete line read from a server, while active.
#[derive(Debug, Default)]
pub struct LineTap {
    active: AtomicBool,
    lines: Mutex<TapLines>,
}

#[derive(Debug, Default)]
struct TapLines {
    partial: Vec<u8>,
    last: Option<String>,
}

/// Longer lines are cut: the tap is for status lines, not message data.
const TAP_LINE_MAX: usize = 4096;

impl LineTap {
    pub fn start(&self) {
        self.active.store(true, Ordering::Relaxed);
    }

    /// Stops recording (after login: data then flows without the extra work).
    pub fn stop(&self) {
        self.active.store(false, Ordering::Relaxed);
    }

    pub fn last_line(&self) -> Option<String> {
        self.lines.lock().ok().and_then(|lines| lines.last.clone())
    }

    fn feed(&self, bytes: &[u8]) {
        if !self.active.load(Ordering::Relaxed) {
            return;
        }
        let Ok(mut lines) = self.lines.lock() else {
            return;
        };
        for &byte in bytes {
            if byte == b'\n' {
                let line = String::from_utf8_lossy(&lines.partial)
                    .trim_end_matches('\r')
                    .to_owned();
                lines.last = Some(line);
                lines.partial.clear();
            } else if lines.partial.len() < TAP_LINE_MAX {
                lines.partial.push(byte);
            }
        }
    }
}

impl AsyncRead for MailStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.replayed < this.replay.len() {
            let rest = &this.replay[this.replayed..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.replayed += n;
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = match &mut this.kind {
            Kind::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
            Kind::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
        };
        if let (Poll::Ready(Ok(())), Some(tap)) = (&polled, &this.tap) {
            tap.feed(&buf.filled()[before..]);
        }
        polled
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().kind {
            Kind::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
            Kind::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().kind {
            Kind::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
            Kind::Plain(stream) => Pin::new(stream).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().kind {
            Kind::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
            Kind::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
        }
    }
}

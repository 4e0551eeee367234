//! A TCP proxy in front of Dovecot that breaks connections on cue: after the server
//! has sent N bytes, or when the client is about to send its K-th command starting
//! with a given word (plaintext connections only). It breaks the first connection
//! that hits the cue, then passes everything through, so a rerun gets in.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub enum Fault {
    /// Pass everything.
    None,
    /// Forward this many bytes from the server, then cut both sides.
    AfterServerBytes(u64),
    /// Never forward the client's `nth` (1-based) command that starts with `verb`
    /// (e.g. the 7th `RETR`, or the 1st `QUIT`) nor anything after it; a second
    /// later, cut both sides.
    BeforeCommand { verb: &'static str, nth: usize },
}

pub struct Proxy {
    pub port: u16,
    tripped: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(upstream: u16, fault: Fault) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tripped = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let (t, c) = (Arc::clone(&tripped), Arc::clone(&connections));
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let fault = if t.load(Ordering::SeqCst) {
                    Fault::None
                } else {
                    fault.clone()
                };
                let upstream = SocketAddr::from(([127, 0, 0, 1], upstream));
                tokio::spawn(serve(client, upstream, fault, Arc::clone(&t)));
            }
        });
        Proxy {
            port,
            tripped,
            connections,
            task,
        }
    }

    /// Whether the fault fired.
    pub fn tripped(&self) -> bool {
        self.tripped.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(client: TcpStream, upstream: SocketAddr, fault: Fault, tripped: Arc<AtomicBool>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let limit = match fault {
        Fault::AfterServerBytes(n) => Some(n),
        _ => None,
    };
    let cue = match fault {
        Fault::BeforeCommand { verb, nth } => Some((verb, nth)),
        _ => None,
    };
    // Whichever direction stops first (end, error or fault) ends the connection:
    // both sockets drop here, so Dovecot sees the client vanish without QUIT.
    tokio::select! {
        () = downstream(server_read, client_write, limit, &tripped) => {}
        () = upstream_pump(client_read, server_write, cue, &tripped) => {}
    }
}

async fn downstream(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    limit: Option<u64>,
    tripped: &AtomicBool,
) {
    let mut sent = 0u64;
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let mut chunk = &buffer[..n];
        if let Some(limit) = limit {
            let room = limit.saturating_sub(sent);
            if (chunk.len() as u64) >= room {
                chunk = &chunk[..room as usize];
                let _ = to.write_all(chunk).await;
                tripped.store(true, Ordering::SeqCst);
                return;
            }
        }
        sent += chunk.len() as u64;
        if to.write_all(chunk).await.is_err() {
            return;
        }
    }
}

async fn upstream_pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    cue: Option<(&'static str, usize)>,
    tripped: &AtomicBool,
) {
    let mut pending: Vec<u8> = Vec::new();
    let mut seen = 0;
    let mut buffer = vec![0; 4096];
    loop {
        let Ok(n) = from.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        let Some((verb, nth)) = cue else {
            // TLS or no cue: pass bytes as they come.
            if to.write_all(&buffer[..n]).await.is_err() {
                return;
            }
            continue;
        };
        pending.extend_from_slice(&buffer[..n]);
        // Forward whole lines, checking each against the cue.
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let starts = line.len() >= verb.len()
                && line[..verb.len()].eq_ignore_ascii_case(verb.as_bytes());
            if starts {
                seen += 1;
                if seen == nth {
                    // Swallow this command and everything after it; let answers to
                    // commands already forwarded (pipelined RETRs) drain, then cut.
                    tripped.store(true, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    return;
                }
            }
            if to.write_all(&line).await.is_err() {
                return;
            }
        }
    }
}

//! A gate in front of a stack port (Dovecot's submissions, say) that the test opens
//! and shuts: shut, it accepts each connection and closes it at once (the server
//! is away); open, it passes bytes both ways untouched (TLS goes through to the real
//! server); holding, it passes them until the client has sent so many bytes, then
//! passes nothing more either way and keeps the connection open (a send cut off
//! mid-message: the server never gets the end, the client never gets an answer).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Shut,
    Open,
    /// Open until the client has sent this many bytes, then held.
    HoldAfter(u64),
}

pub struct Gate {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    connections: Arc<AtomicUsize>,
    held: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Gate {
    pub async fn start(upstream: u16, mode: Mode) -> Gate {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let connections = Arc::new(AtomicUsize::new(0));
        let held = Arc::new(AtomicBool::new(false));
        let (m, c, h) = (
            Arc::clone(&mode),
            Arc::clone(&connections),
            Arc::clone(&held),
        );
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let upstream = SocketAddr::from(([127, 0, 0, 1], upstream));
                let limit = match *m.lock().unwrap() {
                    Mode::Shut => {
                        drop(client);
                        continue;
                    }
                    Mode::Open => None,
                    Mode::HoldAfter(bytes) => Some(bytes),
                };
                tokio::spawn(pass(client, upstream, limit, Arc::clone(&h)));
            }
        });
        Gate {
            port,
            mode,
            connections,
            held,
            task,
        }
    }

    /// For connections from now on.
    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// How many connections came, in any mode.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Whether a connection is being held.
    pub fn holding(&self) -> bool {
        self.held.load(Ordering::SeqCst)
    }
}

async fn pass(client: TcpStream, upstream: SocketAddr, limit: Option<u64>, held: Arc<AtomicBool>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let this_held = AtomicBool::new(false);
    let down = async {
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let Ok(n) = server_read.read(&mut buffer).await else {
                return;
            };
            if n == 0 {
                return;
            }
            if this_held.load(Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
            if client_write.write_all(&buffer[..n]).await.is_err() {
                return;
            }
        }
    };
    let up = async {
        let mut sent = 0u64;
        let mut buffer = vec![0; 16 * 1024];
        loop {
            let Ok(n) = client_read.read(&mut buffer).await else {
                return;
            };
            if n == 0 {
                return;
            }
            let room = limit.map_or(n as u64, |limit| limit.saturating_sub(sent));
            let chunk = &buffer[..n.min(room as usize)];
            if server_write.write_all(chunk).await.is_err() {
                return;
            }
            sent += chunk.len() as u64;
            if chunk.len() < n || limit.is_some_and(|limit| sent >= limit) {
                this_held.store(true, Ordering::SeqCst);
                held.store(true, Ordering::SeqCst);
                // Nothing more either way, the connection open, until the test ends.
                std::future::pending::<()>().await;
            }
        }
    };
    // Whichever way stops first (the other side closed) ends the connection.
    tokio::select! {
        () = down => {}
        () = up => {}
    }
}

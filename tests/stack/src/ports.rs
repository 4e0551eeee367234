//! Free loopback ports for one run.
//!
//! Each port comes from binding 127.0.0.1:0, so the kernel hands out distinct ephemeral
//! ports to parallel test binaries. Dovecot binds them a moment later; if something else
//! took one in between, the start is retried with fresh ports (see `dovecot.rs`).

use std::net::TcpListener;

use crate::error::StackError;

/// Every port of a running stack, all on 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// IMAP with STARTTLS.
    pub imap: u16,
    /// IMAP over implicit TLS.
    pub imaps: u16,
    /// POP3 with STLS.
    pub pop3: u16,
    /// POP3 over implicit TLS.
    pub pop3s: u16,
    /// Submission with STARTTLS.
    pub submission: u16,
    /// Submission over implicit TLS.
    pub submissions: u16,
    /// Dovecot's LMTP (plain, used by the sink to deliver).
    pub lmtp: u16,
    /// The test identity provider (HTTP).
    pub idp: u16,
    /// The SMTP sink Dovecot's submission relays to.
    pub sink: u16,
}

impl Ports {
    pub(crate) fn dovecot_ports(&self) -> [u16; 7] {
        [
            self.imap,
            self.imaps,
            self.pop3,
            self.pop3s,
            self.submission,
            self.submissions,
            self.lmtp,
        ]
    }
}

/// `n` distinct free ports: all listeners are held until every port is known.
pub(crate) fn free_ports<const N: usize>() -> Result<[u16; N], StackError> {
    let mut listeners = Vec::with_capacity(N);
    let mut ports = [0u16; N];
    for port in ports.iter_mut() {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(StackError::io("bind a free loopback port"))?;
        *port = listener
            .local_addr()
            .map_err(StackError::io("read a bound port"))?
            .port();
        listeners.push(listener);
    }
    Ok(ports)
}

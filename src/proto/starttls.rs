//! The plaintext part of STARTTLS for IMAP, POP3 and SMTP, done by hand: greeting,
//! capabilities, the upgrade command. Nothing else is ever sent in clear.

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::error::ProtoError;
use super::line::read_line;
use super::{Peer, Timeouts};
use crate::auth::sasl::Protocol;

/// Runs the protocol's upgrade dialog. Returns the socket ready for the TLS handshake
/// and the greeting (none comes after STARTTLS; the SMTP client wants to read one).
pub(crate) async fn negotiate(
    protocol: Protocol,
    tcp: TcpStream,
    peer: &Peer,
    timeouts: &Timeouts,
) -> Result<(TcpStream, String), ProtoError> {
    let mut reader = BufReader::new(tcp);
    let greeting = peer
        .timed(timeouts.command, "STARTTLS negotiation", async {
            match protocol {
                Protocol::Imap => imap(&mut reader, peer).await,
                Protocol::Pop3 => pop3(&mut reader, peer).await,
                Protocol::Smtp => smtp(&mut reader, peer).await,
            }
        })
        .await?;
    // Anything already buffered arrived before the handshake but would be read as if
    // it came after: the STARTTLS command-injection attack. Refuse.
    if !reader.buffer().is_empty() {
        return Err(ProtoError::StarttlsInjection {
            host: peer.host.clone(),
            port: peer.port,
        });
    }
    Ok((reader.into_inner(), greeting))
}

type Reader = BufReader<TcpStream>;

async fn send(reader: &mut Reader, peer: &Peer, line: &str) -> Result<(), ProtoError> {
    let stream = reader.get_mut();
    stream
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(peer.io())?;
    stream.flush().await.map_err(peer.io())
}

async fn line(reader: &mut Reader, peer: &Peer) -> Result<String, ProtoError> {
    read_line(reader).await.map_err(peer.io())
}

fn not_offered(peer: &Peer, protocol: Protocol) -> ProtoError {
    ProtoError::StarttlsNotOffered {
        host: peer.host.clone(),
        port: peer.port,
        protocol,
    }
}

fn refused(peer: &Peer, protocol: Protocol, response: String) -> ProtoError {
    ProtoError::StarttlsRefused {
        host: peer.host.clone(),
        port: peer.port,
        protocol,
        response,
    }
}

async fn imap(reader: &mut Reader, peer: &Peer) -> Result<String, ProtoError> {
    let greeting = line(reader, peer).await?;
    if !greeting.to_ascii_uppercase().starts_with("* OK") {
        return Err(peer.protocol_error(Protocol::Imap, format!("unexpected greeting: {greeting}")));
    }
    let capabilities = match bracketed_capabilities(&greeting) {
        Some(capabilities) => capabilities,
        None => {
            send(reader, peer, "C0 CAPABILITY").await?;
            let mut capabilities = Vec::new();
            loop {
                let reply = line(reader, peer).await?;
                let upper = reply.to_ascii_uppercase();
                if let Some(rest) = upper.strip_prefix("* CAPABILITY ") {
                    capabilities.extend(rest.split_whitespace().map(str::to_owned));
                } else if upper.starts_with("C0 ") {
                    break;
                }
            }
            capabilities
        }
    };
    if !capabilities
        .iter()
        .any(|c| c.eq_ignore_ascii_case("STARTTLS"))
    {
        return Err(not_offered(peer, Protocol::Imap));
    }
    send(reader, peer, "S0 STARTTLS").await?;
    loop {
        let reply = line(reader, peer).await?;
        if let Some(status) = reply.strip_prefix("S0 ") {
            if status.to_ascii_uppercase().starts_with("OK") {
                return Ok(greeting);
            }
            return Err(refused(peer, Protocol::Imap, status.to_owned()));
        }
    }
}

/// `* OK [CAPABILITY a b c] text` -> the listed capabilities.
pub(crate) fn bracketed_capabilities(greeting: &str) -> Option<Vec<String>> {
    let start = greeting.to_ascii_uppercase().find("[CAPABILITY ")?;
    let rest = &greeting[start + "[CAPABILITY ".len()..];
    let end = rest.find(']')?;
    Some(rest[..end].split_whitespace().map(str::to_owned).collect())
}

async fn pop3(reader: &mut Reader, peer: &Peer) -> Result<String, ProtoError> {
    let greeting = line(reader, peer).await?;
    if !greeting.starts_with("+OK") {
        return Err(peer.protocol_error(Protocol::Pop3, format!("unexpected greeting: {greeting}")));
    }
    send(reader, peer, "CAPA").await?;
    let first = line(reader, peer).await?;
    let mut offered = false;
    if first.starts_with("+OK") {
        loop {
            let capability = line(reader, peer).await?;
            if capability == "." {
                break;
            }
            offered |= capability.trim().eq_ignore_ascii_case("STLS");
        }
    }
    if !offered {
        return Err(not_offered(peer, Protocol::Pop3));
    }
    send(reader, peer, "STLS").await?;
    let reply = line(reader, peer).await?;
    if reply.starts_with("+OK") {
        Ok(greeting)
    } else {
        Err(refused(peer, Protocol::Pop3, reply))
    }
}

/// The EHLO name: a fixed, neutral one (RFC 5321 allows an address literal; the
/// host's real name would leak it to every server).
pub(crate) const EHLO_NAME: &str = "[127.0.0.1]";

async fn smtp(reader: &mut Reader, peer: &Peer) -> Result<String, ProtoError> {
    let greeting = smtp_reply(reader, peer).await?;
    if !greeting.starts_with("220") {
        return Err(peer.protocol_error(Protocol::Smtp, format!("unexpected greeting: {greeting}")));
    }
    send(reader, peer, &format!("EHLO {EHLO_NAME}")).await?;
    let ehlo = smtp_reply(reader, peer).await?;
    if !ehlo.starts_with("250") {
        return Err(peer.protocol_error(Protocol::Smtp, format!("EHLO refused: {ehlo}")));
    }
    let offered = ehlo.lines().any(|line| {
        line.get(4..)
            .is_some_and(|kw| kw.trim().eq_ignore_ascii_case("STARTTLS"))
    });
    if !offered {
        return Err(not_offered(peer, Protocol::Smtp));
    }
    send(reader, peer, "STARTTLS").await?;
    let reply = smtp_reply(reader, peer).await?;
    if reply.starts_with("220") {
        Ok(greeting)
    } else {
        Err(refused(peer, Protocol::Smtp, reply))
    }
}

/// One SMTP reply, all its lines joined with `\n` (`250-a`, `250 b`).
async fn smtp_reply(reader: &mut Reader, peer: &Peer) -> Result<String, ProtoError> {
    let mut lines = Vec::new();
    loop {
        let reply = line(reader, peer).await?;
        let last = reply.as_bytes().get(3) != Some(&b'-');
        lines.push(reply);
        if last || lines.len() > 100 {
            return Ok(lines.join("\n"));
        }
    }
}

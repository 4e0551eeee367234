//! A minimal LMTP client: one recipient per transaction into Dovecot's LMTP service.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, thiserror::Error)]
pub enum LmtpError {
    #[error("LMTP connection failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("LMTP server answered {0:?}")]
    Rejected(String),
}

async fn reply(reader: &mut BufReader<TcpStream>) -> Result<String, LmtpError> {
    let last = loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(LmtpError::Rejected("connection closed".into()));
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            break line.trim_end().to_owned();
        }
    };
    if last.starts_with('2') || last.starts_with('3') {
        Ok(last)
    } else {
        Err(LmtpError::Rejected(last))
    }
}

async fn command(reader: &mut BufReader<TcpStream>, line: &str) -> Result<String, LmtpError> {
    reader.get_mut().write_all(line.as_bytes()).await?;
    reader.get_mut().write_all(b"\r\n").await?;
    reply(reader).await
}

/// Delivers `data` (CRLF line ends) to `rcpt`.
pub async fn deliver(port: u16, mail_from: &str, rcpt: &str, data: &[u8]) -> Result<(), LmtpError> {
    let mut reader = BufReader::new(TcpStream::connect(("127.0.0.1", port)).await?);
    reply(&mut reader).await?;
    command(&mut reader, "LHLO sink.localhost").await?;
    command(&mut reader, &format!("MAIL FROM:<{mail_from}>")).await?;
    command(&mut reader, &format!("RCPT TO:<{rcpt}>")).await?;
    command(&mut reader, "DATA").await?;
    let mut stuffed = Vec::with_capacity(data.len() + 64);
    for line in data.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            stuffed.push(b'.');
        }
        stuffed.extend_from_slice(line);
    }
    if !stuffed.ends_with(b"\r\n") {
        stuffed.extend_from_slice(b"\r\n");
    }
    stuffed.extend_from_slice(b".\r\n");
    reader.get_mut().write_all(&stuffed).await?;
    // One recipient, so exactly one reply after the dot.
    reply(&mut reader).await?;
    let _ = command(&mut reader, "QUIT").await;
    Ok(())
}

//! Reading CRLF-terminated lines with a length limit, so a hostile server cannot make
//! the client buffer without end.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Status and capability lines are short; SASL challenges are at most a few KB.
pub const MAX_LINE: usize = 64 * 1024;

/// The next line without its CRLF (lossy UTF-8). End of stream is an error.
pub async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<String> {
    let mut line = Vec::new();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        let (taken, done) = match available.iter().position(|&byte| byte == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        if line.len() > MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the server sent a line longer than 64 KB",
            ));
        }
        if done {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
    }
}

/// `text` without `prefix`, compared ignoring ASCII case (never splits a character).
pub fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

//! Reading server responses after login: one buffer, filled 64 KiB at a time, cut
//! into whole responses by IMAP's framing (lines, and `{N}` literals inside them), each
//! parsed once, in place, by imap-proto.
//!
//! async-imap's own reader swaps in a fresh zeroed 4 KiB block and copies the unread
//! rest for every response; a 100,000-message FETCH spent more time there than in
//! parsing. Login still goes through async-imap: the server says nothing between its
//! tagged OK and our first command, so no byte is left in async-imap's buffer.

use async_imap::imap_proto::Response;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Bytes asked of the stream per read.
const READ_CHUNK: usize = 64 * 1024;

/// The largest single response accepted: a whole message body is one response,
/// with room for the FETCH items around it.
const MAX_RESPONSE: usize = crate::proto::MAX_MESSAGE_BYTES + 1024 * 1024;

/// Why no response could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The stream failed.
    Io(std::io::Error),
    /// The server closed the connection (`partial`: in the middle of a response).
    Closed { partial: bool },
    /// The bytes are not an IMAP response.
    Garbage(String),
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct ResponseReader {
    buf: Vec<u8>,
    /// Where the next response starts.
    start: usize,
    /// Length of the response handed out last, consumed by the next `fill`.
    handed_out: usize,
    /// Where framing resumes, relative to `start` (start of a line, or the end of a
    /// literal not fully read yet).
    scan: usize,
    /// Where the search for the end of the line at `scan` resumes, relative to
    /// `start` (a long line arriving in many reads is searched once).
    line_searched: usize,
    /// Length of the whole response at `start`, once framed.
    framed: Option<usize>,
}

impl ResponseReader {
    /// Reads until a whole response is buffered. Cancel-safe: an interrupted call
    /// keeps what it read, and the next call goes on from there.
    pub async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> Result<(), ReadError> {
        if self.handed_out > 0 {
            self.start += self.handed_out;
            self.handed_out = 0;
            self.framed = None;
            self.scan = 0;
            self.line_searched = 0;
        }
        loop {
            if let Some(len) = self.frame()? {
                self.framed = Some(len);
                return Ok(());
            }
            self.make_room();
            let read = stream
                .read_buf(&mut self.buf)
                .await
                .map_err(ReadError::Io)?;
            if read == 0 {
                return Err(ReadError::Closed {
                    partial: self.buf.len() > self.start,
                });
            }
        }
    }

    /// The response [`ResponseReader::fill`] buffered, parsed.
    pub fn response(&mut self) -> Result<Response<'_>, ReadError> {
        let Some(len) = self.framed else {
            return Err(ReadError::Garbage("no response was read".into()));
        };
        self.handed_out = len;
        let bytes = &self.buf[self.start..self.start + len];
        match Response::parse(bytes) {
            Ok((&[], response)) => Ok(response),
            _ => Err(ReadError::Garbage(format!(
                "unparsable response: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).trim_end()
            ))),
        }
    }

    /// The length of the whole response at `start`, if it is all buffered.
    fn frame(&mut self) -> Result<Option<usize>, ReadError> {
        let data = &self.buf[self.start..];
        let mut segment = self.scan;
        while segment <= data.len() {
            let from = self.line_searched.max(segment);
            let Some(lf) = memchr::memchr(b'\n', &data[from..]) else {
                self.line_searched = data.len();
                break;
            };
            let line_end = from + lf + 1;
            let line = &data[segment..line_end - 1];
            // Status text (`* OK ...`, `tag NO ...`, `+ ...`) never carries a
            // literal, whatever its last characters are.
            let literal = if segment == 0 && is_status_line(line) {
                None
            } else {
                literal_len(line)?
            };
            match literal {
                Some(n) if n > MAX_RESPONSE => {
                    return Err(ReadError::Garbage(format!(
                        "a {n}-byte literal is over the {MAX_RESPONSE}-byte limit"
                    )));
                }
                // The line goes on after the literal's bytes.
                Some(n) => segment = line_end + n,
                None => return Ok(Some(line_end)),
            }
        }
        self.scan = segment;
        if data.len() > MAX_RESPONSE {
            return Err(ReadError::Garbage(format!(
                "a response over the {MAX_RESPONSE}-byte limit"
            )));
        }
        Ok(None)
    }

    /// Moves the unread bytes to the front when that frees enough space, gives back
    /// the memory of a large response once it is read (a long-lived connection
    /// must not keep a body's worth), and makes room for the next read.
    fn make_room(&mut self) {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let wanted = self.buf.len().max(READ_CHUNK) * 2;
        if self.buf.capacity() > 2 * wanted {
            self.buf.shrink_to(wanted);
        }
        self.buf.reserve(READ_CHUNK);
    }
}

/// A response line whose rest is text: a continuation request, or a status
/// response (OK, NO, BAD, BYE, PREAUTH), tagged or not.
fn is_status_line(line: &[u8]) -> bool {
    let mut words = line.splitn(3, |b| *b == b' ');
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    let second = second.strip_suffix(b"\r").unwrap_or(second);
    first == b"+"
        || [&b"OK"[..], b"NO", b"BAD", b"BYE", b"PREAUTH"]
            .iter()
            .any(|status| second.eq_ignore_ascii_case(status))
}

/// The length announced by a `{N}`, `{N+}` or `~{N}` ending a line (before its CRLF).
fn literal_len(line: &[u8]) -> Result<Option<usize>, ReadError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(inner) = line.strip_suffix(b"}") else {
        return Ok(None);
    };
    let inner = inner.strip_suffix(b"+").unwrap_or(inner);
    let digits = inner
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let Some(before) = inner.len().checked_sub(digits + 1) else {
        return Ok(None);
    };
    if digits == 0 || inner[before] != b'{' {
        return Ok(None);
    }
    let text = std::str::from_utf8(&inner[before + 1..]).unwrap_or_default();
    // Twenty digits overflow even a u64: treat as over the limit.
    Ok(Some(text.parse().unwrap_or(usize::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that hands out its bytes a few at a time.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl AsyncRead for Trickle {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            let end = (self.at + self.step)
                .min(self.data.len())
                .min(self.at + buf.remaining());
            buf.put_slice(&self.data[self.at..end]);
            self.at = end;
            std::task::Poll::Ready(Ok(()))
        }
    }

    fn trickle(data: &[u8], step: usize) -> Trickle {
        Trickle {
            data: data.to_vec(),
            at: 0,
            step,
        }
    }

    const SAMPLE: &[u8] = b"* 3 EXISTS\r\n\
        * 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {19}\r\nSubject: a\r\n{3}\r\n\r\n)\r\n\
        * 2 FETCH (UID 8 FLAGS (\\Seen))\r\n\
        p1 OK done\r\n";

    async fn read_all(stream: &mut Trickle) -> Vec<String> {
        let mut reader = ResponseReader::default();
        let mut seen = Vec::new();
        loop {
            match reader.fill(stream).await {
                Ok(()) => seen.push(format!("{:?}", reader.response().unwrap())),
                Err(ReadError::Closed { partial: false }) => return seen,
                Err(other) => panic!("{other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn responses_are_framed_whatever_the_read_sizes() {
        let whole = read_all(&mut trickle(SAMPLE, SAMPLE.len())).await;
        assert_eq!(whole.len(), 4);
        // The literal's bytes end in `{3}` CRLF: data, not another literal.
        assert!(whole[1].contains("13, 10, 123, 51, 125, 13, 10, 13, 10]"));
        assert!(whole[3].contains("Done"), "{}", whole[3]);
        for step in [1, 2, 3, 7, 19, 64] {
            assert_eq!(
                read_all(&mut trickle(SAMPLE, step)).await,
                whole,
                "step {step}"
            );
        }
    }

    #[tokio::test]
    async fn a_response_cut_short_is_a_partial_close() {
        let mut stream = trickle(&SAMPLE[..40], 5);
        let mut reader = ResponseReader::default();
        reader.fill(&mut stream).await.unwrap();
        reader.response().unwrap();
        assert!(matches!(
            reader.fill(&mut stream).await,
            Err(ReadError::Closed { partial: true })
        ));
    }

    #[tokio::test]
    async fn garbage_and_absurd_literals_are_errors() {
        let mut reader = ResponseReader::default();
        let mut stream = trickle(b"%%% not IMAP )))\r\n", 4);
        reader.fill(&mut stream).await.unwrap();
        assert!(matches!(reader.response(), Err(ReadError::Garbage(_))));

        let mut reader = ResponseReader::default();
        let mut stream = trickle(b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n", 64);
        assert!(matches!(
            reader.fill(&mut stream).await,
            Err(ReadError::Garbage(text)) if text.contains("limit")
        ));
    }

    #[tokio::test]
    async fn status_text_ending_like_a_literal_is_not_one() {
        let data = b"* OK [ALERT] quota at {80}\r\np1 NO no such mailbox {3}\r\n\
            * 1 FETCH (UID 5)\r\n";
        let seen = read_all(&mut trickle(data, 7)).await;
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(seen[2].contains("Fetch"), "{seen:?}");
        assert!(is_status_line(b"+ go ahead {5}\r"));
        assert!(is_status_line(b"a1 ok done"));
        assert!(!is_status_line(b"* 1 FETCH (BODY[] {5}\r"));
        assert!(!is_status_line(b"* LIST () \"/\" {3}\r"));
    }

    #[tokio::test]
    async fn a_large_response_does_not_keep_its_memory() {
        let body = vec![b'x'; 4 * 1024 * 1024];
        let mut data = format!("* 1 FETCH (BODY[] {{{}}}\r\n", body.len()).into_bytes();
        data.extend_from_slice(&body);
        data.extend_from_slice(b")\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n");
        let mut stream = trickle(&data, 64 * 1024);
        let mut reader = ResponseReader::default();
        reader.fill(&mut stream).await.unwrap();
        reader.response().unwrap();
        assert!(reader.buf.capacity() >= body.len());
        for _ in 0..2 {
            reader.fill(&mut stream).await.unwrap();
            reader.response().unwrap();
        }
        // The next read, the first since the body, finds the room to give back.
        assert!(matches!(
            reader.fill(&mut stream).await,
            Err(ReadError::Closed { partial: false })
        ));
        assert!(
            reader.buf.capacity() <= 4 * READ_CHUNK,
            "{}",
            reader.buf.capacity()
        );
    }

    #[test]
    fn literal_markers() {
        assert_eq!(literal_len(b"* 1 FETCH (BODY[] {12}\r").unwrap(), Some(12));
        assert_eq!(literal_len(b"a APPEND x {5+}").unwrap(), Some(5));
        assert_eq!(literal_len(b"* 1 FETCH (BINARY[] ~{3}\r").unwrap(), Some(3));
        assert_eq!(literal_len(b"p1 OK done\r").unwrap(), None);
        assert_eq!(literal_len(b"* OK {}\r").unwrap(), None);
        assert_eq!(literal_len(b"}\r").unwrap(), None);
        assert_eq!(literal_len(b"12}\r").unwrap(), None);
    }
}

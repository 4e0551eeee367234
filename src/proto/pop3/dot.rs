//! Decoding a POP3 multi-line answer (RFC 1939 §3): lines that begin with `.` had a
//! dot added by the server, and a line holding only `.` ends the answer.
//!
//! The decoder is fed whatever the socket buffer holds, copies each run of bytes once
//! into the output (no per-line allocation, no re-scanning), and keeps its place
//! across buffer boundaries. Line ends are kept as sent (CRLF); a server that ends
//! lines with a bare LF is understood too.

/// Where the decoder stands in the current line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// At the first byte of a line.
    #[default]
    LineStart,
    /// Inside a line: copy up to and including the next LF.
    Mid,
    /// A line began with `.`: the terminator or a stuffed dot.
    Dot,
    /// A line began with `.\r`.
    DotCr,
}

/// A dot-unstuffing decoder for one multi-line answer.
#[derive(Debug, Default)]
pub(crate) struct DotDecoder {
    state: State,
}

/// What one [`DotDecoder::feed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fed {
    /// Bytes of the input used; the rest belongs to the next answer.
    pub consumed: usize,
    /// The terminating `.` line was seen.
    pub done: bool,
}

impl DotDecoder {
    /// Decodes `input` into `out` up to the end of the answer.
    pub(crate) fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Fed {
        let mut at = 0;
        while at < input.len() {
            match self.state {
                State::LineStart => {
                    if input[at] == b'.' {
                        at += 1;
                        self.state = State::Dot;
                    } else {
                        self.state = State::Mid;
                    }
                }
                State::Dot => match input[at] {
                    b'\r' => {
                        at += 1;
                        self.state = State::DotCr;
                    }
                    b'\n' => return Fed::done(at + 1),
                    // A stuffed dot: drop it, keep the rest of the line.
                    _ => self.state = State::Mid,
                },
                State::DotCr => {
                    if input[at] == b'\n' {
                        return Fed::done(at + 1);
                    }
                    // `.\r` then more: a stuffed dot before a stray CR.
                    out.push(b'\r');
                    self.state = State::Mid;
                }
                State::Mid => match input[at..].iter().position(|&byte| byte == b'\n') {
                    Some(end) => {
                        out.extend_from_slice(&input[at..=at + end]);
                        at += end + 1;
                        self.state = State::LineStart;
                    }
                    None => {
                        out.extend_from_slice(&input[at..]);
                        at = input.len();
                    }
                },
            }
        }
        Fed {
            consumed: at,
            done: false,
        }
    }
}

impl Fed {
    fn done(consumed: usize) -> Fed {
        Fed {
            consumed,
            done: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `wire` fed in pieces of `step` bytes; returns (message, bytes left over).
    fn decode(wire: &[u8], step: usize) -> (Vec<u8>, Option<usize>) {
        let mut decoder = DotDecoder::default();
        let mut out = Vec::new();
        let mut at = 0;
        while at < wire.len() {
            let end = (at + step).min(wire.len());
            let fed = decoder.feed(&wire[at..end], &mut out);
            at += fed.consumed;
            if fed.done {
                return (out, Some(wire.len() - at));
            }
        }
        (out, None)
    }

    #[test]
    fn unstuffs_and_stops_at_the_dot_line_whatever_the_chunking() {
        let wire = b"From: a\r\n\r\n..leading dot\r\n..\r\nlast\r\n.\r\n+OK next";
        let expected = b"From: a\r\n\r\n.leading dot\r\n.\r\nlast\r\n";
        for step in 1..=wire.len() {
            let (out, left) = decode(wire, step);
            assert_eq!(out, expected, "step {step}");
            assert_eq!(left, Some(b"+OK next".len()), "step {step}");
        }
    }

    #[test]
    fn a_dot_inside_a_line_or_a_dotted_word_is_kept() {
        let (out, left) = decode(b"a.b\r\n.signature\r\n. \r\n.\r\n", 3);
        assert_eq!(out, b"a.b\r\nsignature\r\n \r\n");
        assert_eq!(left, Some(0));
    }

    #[test]
    fn bare_lf_lines_are_understood() {
        let (out, left) = decode(b"one\n..two\n.\n", 1);
        assert_eq!(out, b"one\n.two\n");
        assert_eq!(left, Some(0));
    }

    #[test]
    fn dot_cr_followed_by_text_keeps_the_cr() {
        let (out, _) = decode(b".\rx\r\n.\r\n", 1);
        assert_eq!(out, b"\rx\r\n");
    }

    #[test]
    fn an_unterminated_answer_is_not_done() {
        let (out, left) = decode(b"line\r\n.", 2);
        assert_eq!(out, b"line\r\n");
        assert_eq!(left, None);
    }

    #[test]
    fn an_empty_answer_is_only_the_dot() {
        assert_eq!(decode(b".\r\n", 1), (Vec::new(), Some(0)));
    }
}

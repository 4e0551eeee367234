//! The one gate between mail text and the terminal.
//!
//! Everything a message carries (subjects, names, bodies, file names) is
//! attacker-controlled. A terminal interprets escape sequences, C1 controls and
//! carriage returns, so raw mail text could retitle the window, clear the screen,
//! paint fake text or rewrite what was already drawn. Every string that reaches
//! the screen passes through [`line`] or [`text`] first.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

/// Tab stops for [`text`], as a terminal would place them.
const TAB_WIDTH: usize = 8;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// 8-bit String Terminator.
const ST: char = '\u{9c}';

/// Make one line of mail-derived text safe to draw: no escape sequences,
/// no control characters, no line breaks (a run of CR/LF becomes one space),
/// tabs become a space, bidi overrides are dropped.
///
/// Returns the input borrowed when it was already safe.
pub fn line(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_break = false;
    for piece in Pieces::new(text) {
        match piece {
            Piece::Char(c) => {
                if pending_break {
                    out.push(' ');
                    pending_break = false;
                }
                out.push(c);
            }
            Piece::Tab => {
                if pending_break {
                    out.push(' ');
                    pending_break = false;
                }
                out.push(' ');
            }
            Piece::Break => pending_break = true,
        }
    }
    if pending_break {
        out.push(' ');
    }
    Cow::Owned(out)
}

/// Make a multi-line text safe to draw: split it into lines (CRLF, LF, lone CR
/// and Unicode line separators all end a line), strip escape sequences and
/// controls from each, and expand tabs to 8-column stops.
///
/// Escape sequences are removed before splitting, so a sequence that spans a
/// line break cannot leave half of itself behind.
pub fn text(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut column = 0usize;
    let mut chars = Pieces::new(text).peekable_breaks();
    for piece in chars.by_ref() {
        match piece {
            Piece::Char(c) => {
                column += c.width().unwrap_or(0);
                current.push(c);
            }
            Piece::Tab => {
                let spaces = TAB_WIDTH - column % TAB_WIDTH;
                current.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            Piece::Break => {
                lines.push(std::mem::take(&mut current));
                column = 0;
            }
        }
    }
    // A trailing newline ends the last line; it does not start an empty one.
    if !chars.ended_on_break {
        lines.push(current);
    }
    lines
}

/// True for a character that may be drawn as-is by [`line`].
fn is_plain(c: char) -> bool {
    !(c.is_control() || is_bidi_control(c) || is_line_separator(c))
}

/// Bidi embeddings, overrides and isolates: they reorder what follows them and
/// can make `exe.txt` read as `txt.exe`. The plain marks (LRM/RLM) are kept.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that end a line: CR, LF, VT, FF, NEL and the Unicode separators.
fn is_line_separator(c: char) -> bool {
    matches!(
        c,
        '\r' | '\n' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// What the scanner yields: a drawable character, a tab, or a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Char(char),
    Tab,
    Break,
}

/// Walks a string, swallowing escape sequences and controls, folding CRLF into
/// one break.
struct Pieces<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Pieces<'a> {
    fn new(text: &'a str) -> Self {
        Pieces {
            chars: text.chars().peekable(),
        }
    }

    fn peekable_breaks(self) -> TrackBreaks<'a> {
        TrackBreaks {
            inner: self,
            ended_on_break: false,
        }
    }

    /// Skip a CSI sequence after its introducer: parameter and intermediate
    /// bytes up to a final byte in 0x40..=0x7e. Anything else ends it early.
    fn skip_csi(&mut self) {
        while let Some(&c) = self.chars.peek() {
            match c {
                '\u{30}'..='\u{3f}' | '\u{20}'..='\u{2f}' => {
                    self.chars.next();
                }
                '\u{40}'..='\u{7e}' => {
                    self.chars.next();
                    return;
                }
                // Malformed: stop here and let the scanner judge the char.
                _ => return,
            }
        }
    }

    /// Skip a control string (OSC, DCS, SOS, PM, APC) up to BEL or ST
    /// (`ESC \` or 0x9c). An unterminated string runs to the end, as it would
    /// in a terminal.
    fn skip_string(&mut self) {
        while let Some(c) = self.chars.next() {
            match c {
                BEL | ST => return,
                ESC => {
                    if self.chars.peek() == Some(&'\\') {
                        self.chars.next();
                    }
                    return;
                }
                _ => {}
            }
        }
    }

    /// Skip what follows an ESC.
    fn skip_escape(&mut self) {
        match self.chars.peek().copied() {
            Some('[') => {
                self.chars.next();
                self.skip_csi();
            }
            Some(']' | 'P' | 'X' | '^' | '_') => {
                self.chars.next();
                self.skip_string();
            }
            Some('\u{20}'..='\u{2f}') => {
                // nF escape: intermediates then one final byte (ESC ( B, ESC # 8).
                while let Some('\u{20}'..='\u{2f}') = self.chars.peek() {
                    self.chars.next();
                }
                if let Some('\u{30}'..='\u{7e}') = self.chars.peek() {
                    self.chars.next();
                }
            }
            Some('\u{30}'..='\u{7e}') => {
                // Two-character escape (ESC c reset, ESC 7, ESC M, ...).
                self.chars.next();
            }
            _ => {}
        }
    }
}

impl Iterator for Pieces<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        loop {
            let c = self.chars.next()?;
            match c {
                '\t' => return Some(Piece::Tab),
                '\r' => {
                    if self.chars.peek() == Some(&'\n') {
                        self.chars.next();
                    }
                    return Some(Piece::Break);
                }
                c if is_line_separator(c) => return Some(Piece::Break),
                ESC => self.skip_escape(),
                '\u{9b}' => self.skip_csi(),
                '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => self.skip_string(),
                c if c.is_control() || is_bidi_control(c) => {}
                c => return Some(Piece::Char(c)),
            }
        }
    }
}

/// Remembers whether the last piece was a break: a trailing newline ends the
/// last line rather than starting an empty one.
struct TrackBreaks<'a> {
    inner: Pieces<'a>,
    ended_on_break: bool,
}

impl Iterator for TrackBreaks<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        let piece = self.inner.next()?;
        self.ended_on_break = piece == Piece::Break;
        Some(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_safe(s: &str) {
        for c in s.chars() {
            assert!(
                !(c < '\u{20}' || ('\u{7f}'..='\u{9f}').contains(&c) || is_bidi_control(c)),
                "unsafe char {:?} in {:?}",
                c,
                s
            );
        }
    }

    #[test]
    fn plain_text_is_borrowed() {
        let s = "Hello, wörld — 日本語 👍🏽";
        assert!(matches!(line(s), Cow::Borrowed(_)));
        assert_eq!(line(s), s);
    }

    #[test]
    fn csi_sequences_are_removed() {
        assert_eq!(line("a\u{1b}[2Jb"), "ab");
        assert_eq!(line("\u{1b}[1;31mred\u{1b}[0m"), "red");
        assert_eq!(line("x\u{9b}31my"), "xy");
        assert_eq!(line("\u{1b}[?1049h screen"), " screen");
    }

    #[test]
    fn osc_and_strings_are_removed() {
        assert_eq!(line("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(
            line("a\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\b"),
            "alinkb"
        );
        assert_eq!(line("a\u{9d}0;title\u{9c}b"), "ab");
        assert_eq!(line("a\u{1b}Pdcs payload\u{1b}\\b"), "ab");
        assert_eq!(line("a\u{1b}_apc\u{1b}\\b"), "ab");
        assert_eq!(line("a\u{1b}^pm\u{9c}b"), "ab");
        assert_eq!(line("a\u{1b}Xsos\u{9c}b"), "ab");
        // Unterminated: swallowed to the end, like a terminal would.
        assert_eq!(line("a\u{1b}]0;never ends"), "a");
    }

    #[test]
    fn short_escapes_and_lone_esc_are_removed() {
        assert_eq!(line("a\u{1b}cb"), "ab");
        assert_eq!(line("a\u{1b}(Bb"), "ab");
        assert_eq!(line("a\u{1b}#8b"), "ab");
        assert_eq!(line("trailing\u{1b}"), "trailing");
    }

    #[test]
    fn controls_breaks_tabs_and_bidi() {
        assert_eq!(line("a\u{0}b\u{7}c\u{8}d\u{7f}e"), "abcde");
        assert_eq!(line("a\r\nb\nc\rd"), "a b c d");
        assert_eq!(line("a\r\n\r\nb"), "a b");
        assert_eq!(line("a\tb"), "a b");
        assert_eq!(line("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert_eq!(line("\u{2066}x\u{2069}"), "x");
        assert_eq!(line("a\u{85}b\u{2028}c"), "a b c");
        // Zero-width joiners inside emoji survive.
        assert_eq!(line("👩\u{200d}💻"), "👩\u{200d}💻");
    }

    #[test]
    fn text_splits_and_expands_tabs() {
        assert_eq!(text("a\tb\r\nccc\tdd\n"), vec!["a       b", "ccc     dd"]);
        assert_eq!(text("日本\tx"), vec!["日本    x"]);
        assert_eq!(text("one\n\ntwo"), vec!["one", "", "two"]);
        assert_eq!(text(""), Vec::<String>::new());
        assert_eq!(text("\n"), vec![""]);
        assert_eq!(text("x\u{1b}]0;multi\nline title\u{7}y"), vec!["xy"]);
        assert_eq!(text("\u{1b}[2J"), vec![""]);
    }

    /// A tiny deterministic generator, so the property tests need no extra crate.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn random_string(state: &mut u64, len: usize) -> String {
        const ALPHABET: &[char] = &[
            'a', 'Z', ' ', '[', ']', ';', '\\', '0', '9', 'm', 'P', '_', '^', 'X', '(', '#',
            '\u{1b}', '\u{7}', '\u{0}', '\t', '\r', '\n', '\u{7f}', '\u{80}', '\u{85}', '\u{9b}',
            '\u{9c}', '\u{9d}', '\u{9f}', '\u{202e}', '\u{2067}', '\u{2028}', 'é', '日', '👍',
            '\u{200d}',
        ];
        (0..len)
            .map(|_| ALPHABET[(xorshift(state) % ALPHABET.len() as u64) as usize])
            .collect()
    }

    #[test]
    fn property_output_is_safe_and_idempotent() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..5000 {
            let len = (round % 40) + 1;
            let input = random_string(&mut state, len);
            let once = line(&input).into_owned();
            assert_safe(&once);
            assert!(!once.contains('\n') && !once.contains('\t'));
            let twice = line(&once);
            assert!(
                matches!(twice, Cow::Borrowed(_)),
                "not idempotent: {input:?}"
            );
            assert_eq!(twice, once);

            let lines = text(&input);
            for l in &lines {
                assert_safe(l);
                assert_eq!(
                    text(l),
                    if l.is_empty() {
                        vec![]
                    } else {
                        vec![l.clone()]
                    }
                );
                assert!(matches!(line(l), Cow::Borrowed(_)));
            }
        }
    }
}

//! Quoting mailbox names and search strings as IMAP quoted strings.

/// `text` as an IMAP quoted string (`"..."` with `\` and `"` escaped). CR and LF cannot
/// appear in a quoted string: they are replaced by spaces (they never belong in a
/// mailbox name or a search term).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn escapes_quotes_and_backslashes() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("x\r\ny"), "\"x  y\"");
    }
}

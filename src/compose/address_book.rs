//! `[compose] address_book_command`: the command line it is run as and what its
//! output means. The format is mutt's `query_command` (aerc's `address-book-cmd`
//! reads the same): one address per line, `email<TAB>name[<TAB>anything]`, the
//! first line a free-form status when it has neither a tab nor an `@`. Running it
//! is the engine's (`engine::complete`); this only reads and writes text.

use std::collections::HashSet;

use crate::mime::Address;
use crate::mime::compose::parse_address;
use crate::mime::sanitize;

/// The shell command line for `typed`: every `%s` in `command` replaced by the
/// shell-quoted text, or the quoted text appended when there is no `%s`.
pub fn command_line(command: &str, typed: &str) -> String {
    let quoted = shell_quote(typed);
    if command.contains("%s") {
        command.replace("%s", &quoted)
    } else {
        format!("{command} {quoted}")
    }
}

/// `text` as one word for `sh`: single-quoted, a `'` in it written `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The addresses in a command's standard output, in its order: mutt's
/// `email<TAB>name[<TAB>anything]` lines, and lines without a tab that are an
/// address as written in a header (`Name <email>`, a bare address). Anything else
/// is skipped (mutt's status line among them); names are made safe to show and to
/// put in a header.
pub fn parse(output: &str) -> Vec<Address> {
    output
        .lines()
        .filter_map(|line| {
            if !line.contains('\t') {
                return written_form(line);
            }
            let mut columns = line.split('\t');
            let email = columns.next()?.trim();
            if !email.contains('@') || email.contains(char::is_whitespace) {
                return None;
            }
            let name = columns
                .next()
                .map(|name| sanitize::line(name.trim()).trim().to_owned())
                .filter(|name| !name.is_empty());
            Some(Address {
                name,
                email: sanitize::line(email).into_owned(),
            })
        })
        .collect()
}

/// A line without a tab: `Name <address>` or a bare address.
fn written_form(line: &str) -> Option<Address> {
    let address = parse_address(line.trim()).ok()?;
    address.email.contains('@').then(|| Address {
        name: address
            .name
            .map(|name| sanitize::line(name.trim()).trim().to_owned())
            .filter(|name| !name.is_empty()),
        email: sanitize::line(&address.email).into_owned(),
    })
}

/// The address book's addresses first, then the store's, each address once (the
/// first time it comes, compared without case), at most `limit`. A store entry
/// lends its name to an address book entry that has none.
pub fn merge(external: Vec<Address>, known: Vec<Address>, limit: usize) -> Vec<Address> {
    let mut seen = HashSet::new();
    let mut merged: Vec<Address> = Vec::new();
    for address in external.into_iter().chain(known) {
        let key = address.email.to_lowercase();
        if seen.insert(key.clone()) {
            merged.push(address);
        } else if let Some(kept) = merged
            .iter_mut()
            .find(|kept| kept.name.is_none() && kept.email.to_lowercase() == key)
        {
            kept.name = address.name;
        }
    }
    merged.truncate(limit);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(name: Option<&str>, email: &str) -> Address {
        Address {
            name: name.map(str::to_owned),
            email: email.to_owned(),
        }
    }

    #[test]
    fn the_typed_text_is_one_quoted_word() {
        assert_eq!(
            command_line("abook --mutt-query", "ad"),
            "abook --mutt-query 'ad'"
        );
        assert_eq!(
            command_line("khard email %s --parsable", "o'neil; rm -rf ~"),
            r"khard email 'o'\''neil; rm -rf ~' --parsable"
        );
    }

    #[test]
    fn mutt_query_output_is_read_status_line_skipped() {
        let output = "Searching database ... 2 entries\n\
                      ada@example.org\tAda Lovelace\twork\n\
                      bob@example.org\n\
                      Cy Young <cy@example.org>\n\
                      not an address\tNobody\n\
                      eve@example.org\t\u{1b}[31mEve\u{7}\n";
        assert_eq!(
            parse(output),
            [
                address(Some("Ada Lovelace"), "ada@example.org"),
                address(None, "bob@example.org"),
                address(Some("Cy Young"), "cy@example.org"),
                address(Some("Eve"), "eve@example.org"),
            ]
        );
    }

    #[test]
    fn merged_external_first_once_each() {
        let merged = merge(
            vec![
                address(None, "Ada@example.org"),
                address(Some("Bob"), "bob@x.org"),
            ],
            vec![
                address(Some("Ada L"), "ada@example.org"),
                address(Some("Cy"), "cy@x.org"),
                address(Some("Di"), "di@x.org"),
            ],
            3,
        );
        assert_eq!(
            merged,
            [
                address(Some("Ada L"), "Ada@example.org"),
                address(Some("Bob"), "bob@x.org"),
                address(Some("Cy"), "cy@x.org"),
            ]
        );
    }
}

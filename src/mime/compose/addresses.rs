//! Address lists as people type them: `Ada Lovelace <ada@example.org>, bob@example.org`.
//!
//! Deliberately strict about the address itself (it goes into `RCPT TO`) and lenient
//! about the list (`,` or `;` between items, stray separators ignored).

use crate::mime::Address;

/// One item of a list that is not an address, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{item}` is not a valid address: {reason}")]
pub struct AddressError {
    /// The offending item as typed (trimmed).
    pub item: String,
    pub reason: &'static str,
}

/// Parses a comma (or semicolon) separated list. An empty or blank input is an empty
/// list; the caller decides whether that is allowed.
pub fn parse_address_list(input: &str) -> Result<Vec<Address>, AddressError> {
    split_items(input)?
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(parse_one)
        .collect()
}

/// Parses one `Name <address>`, `"Last, First" <address>` or bare address.
pub fn parse_address(item: &str) -> Result<Address, AddressError> {
    let item = item.trim();
    if item.is_empty() {
        return Err(error(item, "it is empty"));
    }
    parse_one(item)
}

/// Checks an addr-spec (`local@domain`) the way it will be used in `RCPT TO`.
pub fn check_email(email: &str) -> Result<(), &'static str> {
    if email.is_empty() {
        return Err("it is empty");
    }
    if email.chars().any(char::is_whitespace) {
        return Err("it contains a space");
    }
    if email.chars().any(char::is_control) {
        return Err("it contains a control character");
    }
    if email.contains(['<', '>', ',', ';', '"', '(', ')', '\\', '[', ']']) {
        return Err("it contains a character not allowed in an address (<>,;\"()\\[])");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err("it has no `@`");
    };
    if local.is_empty() {
        return Err("there is nothing before the `@`");
    }
    if local.contains('@') {
        return Err("it has more than one `@`");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before the `@` has a misplaced dot");
    }
    if domain.is_empty() {
        return Err("there is nothing after the `@`");
    }
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || !c.is_ascii())
    });
    if !labels_ok {
        return Err("the domain after the `@` is not a valid host name");
    }
    Ok(())
}

fn error(item: &str, reason: &'static str) -> AddressError {
    AddressError {
        item: item.to_owned(),
        reason,
    }
}

/// Splits at separators outside quotes and angle brackets.
fn split_items(input: &str) -> Result<Vec<&str>, AddressError> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut in_angle = false;
    let mut escaped = false;
    for (index, c) in input.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' if !in_angle => in_quotes = !in_quotes,
            '<' if !in_quotes => in_angle = true,
            '>' if !in_quotes => in_angle = false,
            ',' | ';' if !in_quotes && !in_angle => {
                items.push(&input[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    let last = &input[start..];
    if in_quotes {
        return Err(error(last.trim(), "a quote `\"` is not closed"));
    }
    items.push(last);
    Ok(items)
}

fn parse_one(item: &str) -> Result<Address, AddressError> {
    let Some(open) = find_outside_quotes(item, '<') else {
        if item.contains('>') {
            return Err(error(item, "there is a `>` without a `<`"));
        }
        if item.contains('"') {
            return Err(error(
                item,
                "a quoted name needs an address in <...> after it",
            ));
        }
        if item.chars().any(char::is_whitespace) && item.contains('@') {
            return Err(error(
                item,
                "it contains a space; write a name as `Name <address>`",
            ));
        }
        check_email(item).map_err(|reason| error(item, reason))?;
        return Ok(Address {
            name: None,
            email: item.to_owned(),
        });
    };
    let rest = &item[open + 1..];
    let Some(close) = rest.find('>') else {
        return Err(error(item, "the `<` is not closed by a `>`"));
    };
    if !rest[close + 1..].trim().is_empty() {
        return Err(error(item, "there is text after the closing `>`"));
    }
    let email = rest[..close].trim();
    check_email(email).map_err(|reason| error(item, reason))?;
    let name = unquote(item[..open].trim());
    if name.contains(['<', '>']) {
        return Err(error(item, "the name contains `<` or `>`"));
    }
    Ok(Address {
        name: (!name.is_empty()).then_some(name),
        email: email.to_owned(),
    })
}

fn find_outside_quotes(item: &str, wanted: char) -> Option<usize> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (index, c) in item.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            c if c == wanted && !in_quotes => return Some(index),
            _ => {}
        }
    }
    None
}

/// `"Lovelace, Ada"` -> `Lovelace, Ada`; `\"` and `\\` unescaped; unquoted names as
/// they are. Control characters (a newline in a name would break the header) become
/// spaces.
fn unquote(name: &str) -> String {
    let inner = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name);
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            // Quotes inside an unquoted name are typing noise, not part of it.
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_commas_outside_quotes_and_brackets() {
        let list = parse_address_list(r#""Lovelace, Ada" <ada@x.org>; b@y.org,"#).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name.as_deref(), Some("Lovelace, Ada"));
        assert_eq!(list[1].email, "b@y.org");
    }

    #[test]
    fn unclosed_quote_is_named() {
        let error = parse_address_list(r#""Ada <a@b>"#).unwrap_err();
        assert!(error.reason.contains("quote"), "{error}");
    }
}

//! Random opaque strings in the shapes providers use.

use rand::Rng;

const BASE64_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const USER_CODE: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn pick(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// An opaque token that, like Microsoft's, contains `+` and `/` (so a client that forgets
/// to form-encode it sends a different token). `len` is clamped to at least 16.
pub(crate) fn opaque_token(len: usize) -> String {
    let len = len.max(16);
    let mut token = format!("EwB{}", pick(BASE64_ALPHABET, len - 3));
    token.replace_range(5..6, "+");
    token.replace_range(9..10, "/");
    token
}

pub(crate) fn device_code() -> String {
    format!("DAQABAAEAAAD{}", pick(ALNUM, 100))
}

pub(crate) fn user_code() -> String {
    pick(USER_CODE, 9)
}

pub(crate) fn auth_code() -> String {
    format!("M.C{}_{}", pick(ALNUM, 8), pick(ALNUM, 120))
}

pub(crate) fn client_id() -> String {
    let hex = pick(b"0123456789abcdef", 32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_plus_and_slash_and_the_asked_length() {
        for len in [16, 100, 1500] {
            let token = opaque_token(len);
            assert_eq!(token.len(), len);
            assert!(token.contains('+') && token.contains('/'));
        }
        assert_ne!(opaque_token(40), opaque_token(40));
    }
}

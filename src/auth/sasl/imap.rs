//! async-imap's `Authenticator`, driven by a [`SaslExchange`].

use zeroize::Zeroizing;

use super::SaslExchange;

/// Plugs an exchange into `async_imap::Client::authenticate`. async-imap calls
/// `process` for every `+` continuation: the first gets the initial response, a later
/// one (the failure challenge) gets the failure answer while the exchange keeps the
/// JSON. Borrowing the exchange lets the caller read the challenge afterwards.
#[derive(Debug)]
pub struct ImapAuthenticator<'e, 'a> {
    exchange: &'e mut SaslExchange<'a>,
}

impl<'e, 'a> ImapAuthenticator<'e, 'a> {
    pub fn new(exchange: &'e mut SaslExchange<'a>) -> Self {
        ImapAuthenticator { exchange }
    }
}

impl async_imap::Authenticator for ImapAuthenticator<'_, '_> {
    type Response = Zeroizing<Vec<u8>>;

    fn process(&mut self, challenge: &[u8]) -> Self::Response {
        self.exchange.answer(challenge)
    }
}

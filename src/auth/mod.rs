//! Authentication: OAuth2 flows, token caches and the shared SASL authenticator.
//! (Filled in by the account-manager work; nothing here yet.)

//! Mail protocols: TLS, IMAP, POP3 and SMTP clients.
//! (Filled in by the mail-engine work; nothing here yet.)

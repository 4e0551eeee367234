pub mod pop3;

//! postern: a terminal mail client that logs in with OAuth2 by itself.
//!
//! Layers (dependencies point down only):
//! - `tui` and `cli`: front ends, the only places that know about a terminal;
//! - `engine`: owns the accounts and performs every effect the front ends ask for;
//! - `compose`: the rules of writing mail that the engine and the CLI share;
//! - `auth`, `proto`, `store`, `mime`: libraries with no UI imports.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod app;
pub mod auth;
pub mod backend;
pub mod cli;
pub mod compose;
pub mod config;
pub mod demo;
pub mod engine;
pub mod error;
pub mod keys;
pub mod mime;
pub mod paths;
pub mod proto;
pub mod store;
pub mod sync;
pub mod tui;

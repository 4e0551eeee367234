//! The `postern` binary: parse arguments, set up logging, hand off to the CLI.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

fn main() -> ExitCode {
    postern::cli::main()
}

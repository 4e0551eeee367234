//! The `postern` binary: parse arguments, set up logging, hand off to the CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    postern::cli::main()
}

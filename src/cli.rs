//! Command-line front end: argument parsing and the headless subcommands.
//!
//! This is one of the two places (with `main.rs`) where `anyhow` is used: every
//! library error is turned into a message for a person here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{self, Config};
use crate::paths::{self, Paths};

/// A terminal mail client that logs in with OAuth2 by itself.
#[derive(Debug, Parser)]
#[command(name = "postern", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (default: $POSTERN_CONFIG, else $XDG_CONFIG_HOME/postern/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open postern on a throwaway demo profile with two sample Maildir accounts.
    Demo {
        /// Keep the demo profile instead of deleting it on exit (its path is printed).
        #[arg(long)]
        keep: bool,
    },
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the resolved accounts (exit code 1 on errors).
    Check,
}

/// Entry point used by `main.rs`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("postern: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => {
            let paths = Paths::from_env().context("locating postern's directories")?;
            let config_path = config_path(cli.config.as_deref(), &paths);
            let config = config::load(&config_path)?;
            crate::app::run_tui(&paths, &config)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo { keep }) => {
            run_demo(keep)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config(ConfigCommand::Check)) => {
            let paths = Paths::from_env().context("locating postern's directories")?;
            Ok(config_check(&config_path(cli.config.as_deref(), &paths)))
        }
    }
}

/// `postern demo`: build a throwaway profile and open the UI on it.
fn run_demo(keep: bool) -> anyhow::Result<()> {
    let temp = tempfile::Builder::new()
        .prefix("postern-demo-")
        .tempdir()
        .context("creating a temporary directory for the demo")?;
    let config_path = crate::demo::build(temp.path())?;
    let config = config::load(&config_path)?;
    let result = crate::app::run_tui(&Paths::under(temp.path()), &config);
    if keep {
        let kept = temp.keep();
        println!("demo profile kept at {}", kept.display());
    }
    result
}

/// `postern config check`: print the resolved accounts, or every error found.
fn config_check(path: &Path) -> ExitCode {
    match config::load(path) {
        Ok(config) => {
            print_accounts(path, &config);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

/// `--config`, else `$POSTERN_CONFIG`, else the XDG config file.
fn config_path(cli: Option<&Path>, paths: &Paths) -> PathBuf {
    paths::resolve_config_path(cli, |key| std::env::var_os(key), paths)
}

fn print_accounts(path: &Path, config: &Config) {
    println!(
        "{}: ok, {} account(s)",
        path.display(),
        config.accounts.len()
    );
    for account in &config.accounts {
        println!();
        println!("[{}] {}", account.name, account.email);
        for line in config::describe(account) {
            println!("  {line}");
        }
    }
}

//! Command-line front end: argument parsing and the headless subcommands.
//!
//! This is one of the two places (with `main.rs`) where `anyhow` is used: every
//! library error is turned into a message for a person here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{self, Account, Config};
use crate::paths::{self, Paths};

mod accounts;
mod login;
mod prompt;

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
    /// Sign in to an account with its configured OAuth2 flow and cache the tokens.
    Login {
        /// The account's name (`[accounts.<name>]`).
        account: String,
        /// Put the device code on your clipboard (OSC 52; works over SSH).
        #[arg(long)]
        copy_code: bool,
    },
    /// Remove an account's cached tokens.
    Logout {
        /// The account's name (`[accounts.<name>]`).
        account: String,
    },
    /// Show every account's login state (token expiry, refresh-token age, last error).
    Accounts {
        /// Also log in on each account's servers and explain any failure.
        #[arg(long)]
        check: bool,
    },
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
        Some(Command::Login { account, copy_code }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(login::login(&paths, account, copy_code))
        }
        Some(Command::Logout { account }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(login::logout(&paths, account))
        }
        Some(Command::Accounts { check }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            runtime()?.block_on(accounts::accounts(&paths, &config, check))
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

/// The directories and the configuration, for subcommands that need both.
fn load(cli_config: Option<&Path>) -> anyhow::Result<(Paths, Config)> {
    let paths = Paths::from_env().context("locating postern's directories")?;
    let config = config::load(&config_path(cli_config, &paths))?;
    crate::app::init_logging(&paths);
    Ok((paths, config))
}

/// The account called `name`, or an error listing the configured ones.
fn find<'c>(config: &'c Config, name: &str) -> anyhow::Result<&'c Account> {
    config.account(name).ok_or_else(|| {
        let names: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
        anyhow::anyhow!(
            "no account named `{name}`; configured: {}",
            names.join(", ")
        )
    })
}

/// One runtime for a subcommand's network work.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
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

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

/// `eprintln!` for messages that may carry text from a server or a mail (error
/// details, provider answers): every line goes through `mime::sanitize` first, so a
/// hostile server cannot put escape sequences on the user's terminal.
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::cli::output::terminal_safe(&format!($($arg)*)))
    };
}

/// `println!` for text that may hold a server's or provider's words: sanitized
/// like [`say!`].
macro_rules! show {
    ($($arg:tt)*) => {
        println!("{}", $crate::cli::output::terminal_safe(&format!($($arg)*)))
    };
}

mod accounts;
mod actions;
mod addresses;
mod compose;
mod drafts;
mod login;
mod lookup;
mod mail;
mod output;
mod prompt;
mod remote;
mod send;
mod sync;

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
    /// Fetch mail into the local store: one account, or all of them.
    Sync {
        /// The account's name (default: every account).
        account: Option<String>,
    },
    /// An account's folders from the store: name, role, total, unread.
    Folders { account: String },
    /// Messages of a folder, newest first: id, date, from, subject, flags.
    List {
        account: String,
        /// The folder's name (default: the Inbox).
        #[arg(long, value_name = "FOLDER")]
        folder: Option<String>,
        /// At most this many messages.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One JSON array instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
    /// Show a message (fetched from the server if only its envelope is stored).
    Read {
        account: String,
        /// The message's id, as `postern list` shows it.
        id: i64,
        /// Write the message's raw bytes instead of rendering it.
        #[arg(long)]
        raw: bool,
    },
    /// Send a message; the body is read from stdin. It goes through the outbox.
    Send {
        account: String,
        #[command(flatten)]
        message: send::Message,
    },
    /// Write a message in your editor ($VISUAL, $EDITOR or [compose] editor), then
    /// send, edit again, postpone or discard it.
    Compose(compose::Args),
    /// Messages being written or postponed: id, account, last saved, to, subject, state.
    Drafts {
        /// The account's name (default: every account).
        account: Option<String>,
        /// One JSON array instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
    /// Complete an address: `email<TAB>name` lines (mutt's query format), the
    /// address book command's first, then those known from mail, best first.
    Addresses {
        /// What is typed of the address, its name or a word of the name.
        prefix: String,
        /// The account whose mail is looked in (default: the default account).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// One JSON array instead of tab-separated lines.
        #[arg(long)]
        json: bool,
    },
    /// Messages not sent yet, with attempts and the last error.
    Outbox {
        /// The account's name (default: every account).
        account: Option<String>,
        /// Requeue failed messages and send everything waiting.
        #[arg(long)]
        retry: bool,
    },
    /// Set or clear flags on messages (on the server too).
    Flag {
        account: String,
        #[arg(required = true)]
        ids: Vec<i64>,
        #[command(flatten)]
        flags: actions::FlagArgs,
    },
    /// Move messages to another folder (IMAP accounts).
    Move {
        account: String,
        #[arg(required = true)]
        ids: Vec<i64>,
        /// The target folder's name.
        #[arg(long, value_name = "FOLDER")]
        to: String,
    },
    /// Move messages to Trash; messages already in Trash are removed for good (IMAP accounts).
    Delete {
        account: String,
        #[arg(required = true)]
        ids: Vec<i64>,
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
            say!("postern: {err:#}");
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
        Some(Command::Sync { account }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let only = account.map(|name| find(&config, &name)).transpose()?;
            Ok(runtime()?.block_on(sync::sync(&paths, &config, only)))
        }
        Some(Command::Folders { account }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            mail::folders(&paths, find(&config, &account)?)
        }
        Some(Command::List {
            account,
            folder,
            limit,
            json,
        }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            mail::list(&paths, account, folder.as_deref(), limit, json)
        }
        Some(Command::Read { account, id, raw }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(mail::read(&paths, account, id, raw))
        }
        Some(Command::Send { account, message }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(send::send(&paths, account, &message))
        }
        Some(Command::Compose(args)) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = match &args.account {
                Some(name) => find(&config, name)?,
                None => config
                    .default_account()
                    .context("no account is configured to write from")?,
            };
            compose::compose(&paths, &config, account, &args)
        }
        Some(Command::Drafts { account, json }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let only = account.map(|name| find(&config, &name)).transpose()?;
            drafts::drafts(&paths, &config, only, json)
        }
        Some(Command::Addresses {
            prefix,
            account,
            json,
        }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = match &account {
                Some(name) => find(&config, name)?,
                None => config
                    .default_account()
                    .context("no account is configured")?,
            };
            addresses::addresses(&paths, &config, account, &prefix, json)
        }
        Some(Command::Outbox { account, retry }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let only = account.map(|name| find(&config, &name)).transpose()?;
            runtime()?.block_on(send::outbox(&paths, &config, only, retry))
        }
        Some(Command::Flag {
            account,
            ids,
            flags,
        }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(actions::flag(&paths, account, &ids, flags))
        }
        Some(Command::Move { account, ids, to }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(actions::move_to(&paths, account, &ids, &to))
        }
        Some(Command::Delete { account, ids }) => {
            let (paths, config) = load(cli.config.as_deref())?;
            let account = find(&config, &account)?;
            runtime()?.block_on(actions::delete(&paths, account, &ids))
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
            say!("{err}");
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
    println!();
    println!("[compose]");
    for line in config::describe_compose(&config.compose) {
        println!("  {line}");
    }
}

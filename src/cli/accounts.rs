//! `postern accounts`: each account's login state, and with `--check` a real
//! login on its servers, every failure explained.

use std::process::ExitCode;

use chrono::Local;

use crate::auth::account::token_manager;
use crate::auth::credentials::Credentials;
use crate::auth::manager::TokenStatus;
use crate::config::{Account, Auth, Config, Receive};
use crate::paths::Paths;
use crate::proto::{self, ConnectOptions};

use super::output::local_time;
use crate::engine::explain::{Problem, proto_error};

pub async fn accounts(paths: &Paths, config: &Config, check: bool) -> anyhow::Result<ExitCode> {
    let mut all_ok = true;
    for (n, account) in config.accounts.iter().enumerate() {
        if n > 0 {
            println!();
        }
        show!("{}  {}", account.name, account.email);
        show!("  auth: {}", auth_summary(account));
        if matches!(account.auth, Auth::OAuth2(_)) {
            match token_manager(&paths.token_dir(), account) {
                Ok(manager) => match manager.status().await {
                    Ok(status) => print_status(account, &status),
                    Err(err) => {
                        show!("  tokens: {err}");
                        all_ok = false;
                    }
                },
                Err(err) => {
                    show!("  tokens: {err}");
                    all_ok = false;
                }
            }
        }
        if check {
            all_ok &= check_account(paths, account).await;
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn auth_summary(account: &Account) -> String {
    match &account.auth {
        Auth::OAuth2(oauth) => {
            let tenant = oauth
                .tenant
                .as_deref()
                .map(|t| format!(", tenant {t}"))
                .unwrap_or_default();
            format!(
                "oauth2, {} flow ({}{tenant})",
                oauth.flow.as_str(),
                account.provider.as_str()
            )
        }
        Auth::Password { .. } => "password (from password_command)".into(),
        Auth::None => "none (local Maildir)".into(),
    }
}

fn print_status(account: &Account, status: &TokenStatus) {
    if !status.logged_in {
        show!(
            "  tokens: not logged in; run `postern login {}`",
            account.name
        );
        return;
    }
    let now = Local::now().timestamp();
    match status.access_expires_at {
        Some(at) if at > now => show!(
            "  access token: expires in {} (at {})",
            span(at - now),
            local_time(at)
        ),
        Some(at) => show!(
            "  access token: expired {} ago (renewed on next use)",
            span(now - at)
        ),
        None => show!("  access token: no expiry given"),
    }
    match (status.has_refresh_token, status.refresh_token_age) {
        (true, Some(age)) => show!("  refresh token: {} old", span(age)),
        (true, None) => show!("  refresh token: present"),
        (false, _) => {
            show!("  refresh token: none (app-only accounts renew with client credentials)")
        }
    }
    if let Some(error) = &status.last_error {
        show!("  last error ({}): {}", local_time(error.at), error.message);
    }
}

/// Log in on the receiving server and on SMTP; print each outcome.
async fn check_account(paths: &Paths, account: &Account) -> bool {
    let options = ConnectOptions::for_account(account);
    let receive = match account.receive {
        Receive::Imap => Some("IMAP"),
        Receive::Pop3 => Some("POP3"),
        Receive::Maildir => None,
    };
    let Some(label) = receive else {
        let exists = account
            .maildir
            .as_deref()
            .is_some_and(|dir| dir.join("cur").is_dir());
        show!(
            "  maildir: {}",
            if exists {
                "ok"
            } else {
                "not found (no cur/ directory)"
            }
        );
        return exists;
    };
    let credentials = match super::remote::credentials(paths, account).await {
        Ok(credentials) => credentials,
        Err(problem) => return report(label, account, Err(problem)),
    };
    let mut ok = report(
        label,
        account,
        check_receive(account, &credentials, &options).await,
    );
    if account.smtp.is_some() {
        ok &= report(
            "SMTP",
            account,
            check_smtp(account, &credentials, &options).await,
        );
    }
    ok
}

fn report(label: &str, account: &Account, outcome: Result<(), Problem>) -> bool {
    let endpoint = match label {
        "SMTP" => account.smtp.as_ref(),
        "POP3" => account.pop3.as_ref(),
        _ => account.imap.as_ref(),
    };
    let at = endpoint
        .map(|e| format!(" {}:{}", e.host, e.port))
        .unwrap_or_default();
    let problem = match outcome {
        Ok(()) => {
            show!("  {label}{at}: login ok");
            return true;
        }
        Err(problem) => problem.to_string(),
    };
    show!("  {label}{at}: FAILED");
    for line in problem.lines() {
        show!("    {line}");
    }
    false
}

async fn check_receive(
    account: &Account,
    credentials: &Credentials,
    options: &ConnectOptions,
) -> Result<(), Problem> {
    let outcome = match account.receive {
        Receive::Pop3 => proto::pop3::connect(account, credentials, options)
            .await
            .map(drop),
        _ => proto::imap::connect(account, credentials, options)
            .await
            .map(drop),
    };
    outcome.map_err(|e| proto_error(&e, account))
}

async fn check_smtp(
    account: &Account,
    credentials: &Credentials,
    options: &ConnectOptions,
) -> Result<(), Problem> {
    let outcome = proto::smtp::connect(account, credentials, options)
        .await
        .map(drop);
    outcome.map_err(|e| proto_error(&e, account))
}

fn span(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86400),
    }
}

//! `new_mail_command`: the user's command, run when new mail arrives (a desktop
//! notification, a bell, a script). What arrived is in its environment, never in
//! the command line, so a folder name cannot inject shell code.

use std::time::Duration;

use tokio::process::Command;

use super::worker::Context;

/// Longest a notification command may run.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the account's `new_mail_command`, if it has one, in the background:
/// `POSTERN_ACCOUNT`, `POSTERN_FOLDER` and `POSTERN_NEW` say what arrived. A failure
/// is reported; it never holds up mail.
pub(super) fn new_mail(context: &Context, folder: &str, count: usize) {
    let Some(command) = context.account.new_mail_command.clone() else {
        return;
    };
    let context = context.clone();
    let folder = folder.to_owned();
    tokio::spawn(async move {
        let run = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .env("POSTERN_ACCOUNT", &context.account.name)
            .env("POSTERN_FOLDER", &folder)
            .env("POSTERN_NEW", count.to_string())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .output();
        let outcome = match tokio::time::timeout(TIMEOUT, run).await {
            Err(_) => Err(format!("did not finish within {} s", TIMEOUT.as_secs())),
            Ok(Err(error)) => Err(format!("could not start: {error}")),
            Ok(Ok(output)) if output.status.success() => Ok(()),
            Ok(Ok(output)) => Err(format!(
                "{}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        };
        if let Err(why) = outcome {
            context.error("running new_mail_command", why);
        }
    });
}

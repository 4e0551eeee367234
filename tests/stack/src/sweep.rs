//! Removes run directories left behind by test processes that died (SIGKILL, Ctrl-C):
//! their Dovecot got SIGTERM through PR_SET_PDEATHSIG, but nobody deleted the files.

use crate::RUN_DIR_PREFIX;
use crate::system::{process_alive, processes_matching};

pub fn remove_stale_runs() {
    let Ok(entries) = std::fs::read_dir(crate::runs_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(RUN_DIR_PREFIX) else {
            continue;
        };
        let Some(pid) = rest
            .split('-')
            .next()
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        if pid as u32 == std::process::id() || process_alive(pid) {
            continue;
        }
        // Its Dovecot may still be shutting down: leave it for a later run.
        if !processes_matching(&name).is_empty() {
            continue;
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

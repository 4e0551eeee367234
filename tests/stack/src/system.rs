//! What the stack needs from the machine: root, the `vmail` user, the Dovecot binary.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use crate::error::StackError;

/// uid/gid of the user owning every Maildir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vmail {
    pub uid: u32,
    pub gid: u32,
}

pub(crate) fn require_root() -> Result<(), StackError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(StackError::NotRoot);
    }
    Ok(())
}

pub(crate) fn vmail() -> Result<Vmail, StackError> {
    let name = CString::new("vmail").map_err(|_| StackError::VmailMissing)?;
    // SAFETY: getpwnam returns NULL or a pointer to static storage that we read at once;
    // the stack looks it up once per start, not concurrently with other getpw* users.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return Err(StackError::VmailMissing);
    }
    // SAFETY: non-null, points to a valid passwd struct.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok(Vmail { uid, gid })
}

pub(crate) fn dovecot_binary() -> Result<PathBuf, StackError> {
    let mut candidates = vec![PathBuf::from("/usr/sbin/dovecot")];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join("dovecot")));
    }
    candidates
        .into_iter()
        .find(|candidate| candidate.is_file())
        .ok_or(StackError::DovecotMissing)
}

pub(crate) fn dh_params_present() -> bool {
    Path::new("/usr/share/dovecot/dh.pem").is_file()
}

/// True while a process with this pid exists and is not a zombie.
pub fn process_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// Pids of live processes whose command line contains `needle` (the stack's processes
/// carry the run's directory name in theirs).
pub fn processes_matching(needle: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|raw| {
                    String::from_utf8_lossy(&raw)
                        .replace('\0', " ")
                        .contains(needle)
                })
                .unwrap_or(false)
        })
        .filter(|pid| process_alive(*pid))
        .collect()
}

//! One account's tokens on disk: `<token_dir>/tokens/<account>.json`.
//!
//! The file is private (0600 in a 0700 directory), replaced whole (temp file, fsync,
//! rename, fsync of the directory) so a reader never sees half a document, and guarded by
//! an advisory lock file (`<account>.lock`, `flock` through std's `File::lock`) that the
//! token manager holds around every read-modify-write, so two postern processes never
//! clobber each other's refresh tokens.
//!
//! Nothing read from the file ever goes into an error message: a parse error names only
//! the line and column, because serde's own text can quote the token it choked on.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::TokenSet;
use crate::paths::{PathsError, ensure_private_dir};

/// The document layout written today. Older layouts would be migrated on load; newer
/// ones (from a newer postern) are refused rather than misread.
pub const CACHE_VERSION: u32 = 1;

/// Subdirectory of the token directory that holds the files.
const TOKENS_SUBDIR: &str = "tokens";

/// Longest account name accepted (config allows far less in practice).
const MAX_ACCOUNT_LEN: usize = 128;

/// How often a waiting process retries the lock.
const LOCK_POLL: Duration = Duration::from_millis(25);

/// Which registration the tokens were issued to. A config change of any of these makes
/// the cached tokens useless (a refresh token only works with its own client and
/// endpoint), so the cache refuses them with a message instead of failing at the IdP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenOwner {
    /// Provider preset name (`microsoft`, `google`, `generic`, ...).
    pub provider: String,
    pub client_id: String,
    pub token_url: String,
}

/// The last failed renewal, kept so `postern accounts` can show it later. Text only,
/// built from error messages that never contain tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastError {
    /// Unix seconds.
    pub at: i64,
    pub message: String,
}

/// What the cache holds for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    pub tokens: TokenSet,
    pub last_error: Option<LastError>,
}

/// The file's JSON document.
#[derive(Serialize, Deserialize)]
struct Document {
    version: u32,
    account: String,
    #[serde(flatten)]
    owner: TokenOwner,
    tokens: TokenSet,
    #[serde(default)]
    last_error: Option<LastError>,
}

/// Just enough of a document to learn its version before trusting the rest.
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "`{account}` cannot be used as a token file name (only letters, digits, `-` and `_`, at most 128)"
    )]
    InvalidAccount { account: String },
    #[error("cannot prepare the token directory: {0}")]
    Directory(#[from] PathsError),
    #[error(
        "cannot read the token cache {path}: {source}; fix its permissions, or run `postern login {account}` to sign in afresh"
    )]
    Read {
        path: PathBuf,
        account: String,
        source: io::Error,
    },
    #[error(
        "the token cache {path} is damaged ({problem}); run `postern login {account}` to sign in afresh"
    )]
    Corrupt {
        path: PathBuf,
        account: String,
        problem: String,
    },
    #[error(
        "the token cache {path} was written by a newer postern (format {found}, this one knows {CACHE_VERSION}); upgrade postern, or run `postern login {account}` to sign in afresh"
    )]
    NewerVersion {
        path: PathBuf,
        account: String,
        found: u32,
    },
    #[error(
        "the token cache {path} holds tokens of {what} {cached}, but the config now says {configured}; run `postern login {account}` to sign in with the new settings"
    )]
    OwnerChanged {
        path: PathBuf,
        account: String,
        what: &'static str,
        cached: String,
        configured: String,
    },
    #[error(
        "the token cache {path} is not a regular file owned by you; move it away and run `postern login {account}`"
    )]
    NotOwnFile { path: PathBuf, account: String },
    #[error("cannot write the token cache {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot remove the token cache {path}: {source}")]
    Remove { path: PathBuf, source: io::Error },
    #[error("cannot lock {path}: {source}")]
    Lock { path: PathBuf, source: io::Error },
    #[error(
        "another postern process has held {path} for over {} s; is one stuck? If none is running, try again",
        waited.as_secs()
    )]
    LockTimeout { path: PathBuf, waited: Duration },
    #[error("the token file task for {path} stopped: {message}")]
    Task { path: PathBuf, message: String },
}

/// The token file of one account. Cheap to clone; holds no open files.
#[derive(Debug, Clone)]
pub struct TokenCache {
    base_dir: PathBuf,
    dir: PathBuf,
    account: String,
    owner: TokenOwner,
}

/// An exclusive hold on an account's lock file; released when dropped (closing the
/// descriptor releases the `flock`).
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
}

impl TokenCache {
    /// The cache for `account` under `token_dir` (postern passes `Paths::token_dir()`).
    /// No IO happens until the first load, save or lock.
    pub fn new(
        token_dir: &Path,
        account: &str,
        owner: TokenOwner,
    ) -> Result<TokenCache, CacheError> {
        if !is_safe_account_name(account) {
            return Err(CacheError::InvalidAccount {
                account: account.escape_default().to_string(),
            });
        }
        Ok(TokenCache {
            base_dir: token_dir.to_path_buf(),
            dir: token_dir.join(TOKENS_SUBDIR),
            account: account.to_owned(),
            owner,
        })
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn owner(&self) -> &TokenOwner {
        &self.owner
    }

    /// `<token_dir>/tokens/<account>.json`
    pub fn path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.account))
    }

    /// `<token_dir>/tokens/<account>.lock`
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.account))
    }

    /// The cached tokens; `Ok(None)` when the account has never logged in (or logged out).
    ///
    /// A file that group or others can read is tightened to 0600 with a warning rather
    /// than refused: refusing would leave the user with a working login they cannot use,
    /// and the warning tells them to log in afresh if the exposure matters.
    pub fn load(&self) -> Result<Option<CacheEntry>, CacheError> {
        let path = self.path();
        let file = match open_no_follow(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if is_symlink_refusal(&e) => return Err(self.not_own_file()),
            Err(source) => return Err(self.read_error(source)),
        };
        self.check_and_tighten(&file)?;
        let bytes = read_all(file).map_err(|source| self.read_error(source))?;
        self.parse(&bytes).map(Some)
    }

    /// Replaces the file whole. Callers hold [`TokenCache::lock`] around
    /// read-modify-write sequences.
    pub fn save(&self, entry: &CacheEntry) -> Result<(), CacheError> {
        self.ensure_dirs()?;
        remove_orphaned_temp_files(&self.dir, &self.path());
        let document = Document {
            version: CACHE_VERSION,
            account: self.account.clone(),
            owner: self.owner.clone(),
            tokens: entry.tokens.clone(),
            last_error: entry.last_error.clone(),
        };
        let path = self.path();
        let mut bytes = serde_json::to_vec_pretty(&document).map_err(|e| CacheError::Write {
            path: path.clone(),
            source: io::Error::other(json_problem(&e)),
        })?;
        bytes.push(b'\n');
        write_atomically(&self.dir, &path, &bytes).map_err(|source| CacheError::Write {
            path: path.clone(),
            source,
        })
    }

    /// Deletes the cached tokens (logout). True if there was a file. The lock file
    /// stays: deleting it could let two processes lock two different files.
    pub fn remove(&self) -> Result<bool, CacheError> {
        let path = self.path();
        match std::fs::remove_file(&path) {
            Ok(()) => {
                sync_dir(&self.dir).map_err(|source| CacheError::Remove {
                    path: path.clone(),
                    source,
                })?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(CacheError::Remove { path, source }),
        }
    }

    /// Takes the account's cross-process lock, waiting up to `timeout`. Polls with
    /// `try_lock` so the wait is an ordinary async sleep: dropping the future leaves no
    /// blocked thread behind (a `spawn_blocking(flock)` could not be cancelled).
    pub async fn lock(&self, timeout: Duration) -> Result<CacheLock, CacheError> {
        let cache = self.clone();
        let file = run_blocking(&self.lock_path(), move || cache.open_lock_file()).await??;
        let path = self.lock_path();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(CacheLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(source)) => {
                    return Err(CacheError::Lock { path, source });
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CacheError::LockTimeout {
                    path,
                    waited: timeout,
                });
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    fn open_lock_file(&self) -> Result<File, CacheError> {
        self.ensure_dirs()?;
        let path = self.lock_path();
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        set_private_mode(&mut options);
        options
            .open(&path)
            .map_err(|source| CacheError::Lock { path, source })
    }

    fn ensure_dirs(&self) -> Result<(), CacheError> {
        // The parent holds the mail store too: private as well.
        ensure_private_dir(&self.base_dir)?;
        ensure_private_dir(&self.dir)?;
        Ok(())
    }

    fn parse(&self, bytes: &[u8]) -> Result<CacheEntry, CacheError> {
        let version: VersionOnly =
            serde_json::from_slice(bytes).map_err(|e| self.corrupt(describe_json_error(&e)))?;
        if version.version > CACHE_VERSION {
            return Err(CacheError::NewerVersion {
                path: self.path(),
                account: self.account.clone(),
                found: version.version,
            });
        }
        if version.version == 0 {
            return Err(self.corrupt("format version 0 does not exist".into()));
        }
        let document: Document =
            serde_json::from_slice(bytes).map_err(|e| self.corrupt(describe_json_error(&e)))?;
        if document.account != self.account {
            return Err(self.corrupt(format!(
                "it belongs to account `{}`",
                document.account.escape_default()
            )));
        }
        self.check_owner(&document.owner)?;
        Ok(CacheEntry {
            tokens: document.tokens,
            last_error: document.last_error,
        })
    }

    fn check_owner(&self, cached: &TokenOwner) -> Result<(), CacheError> {
        let pairs = [
            ("provider", &cached.provider, &self.owner.provider),
            ("client_id", &cached.client_id, &self.owner.client_id),
            ("token URL", &cached.token_url, &self.owner.token_url),
        ];
        for (what, cached, configured) in pairs {
            if cached != configured {
                return Err(CacheError::OwnerChanged {
                    path: self.path(),
                    account: self.account.clone(),
                    what,
                    cached: cached.escape_default().to_string(),
                    configured: configured.escape_default().to_string(),
                });
            }
        }
        Ok(())
    }

    #[cfg(unix)]
    fn check_and_tighten(&self, file: &File) -> Result<(), CacheError> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = file.metadata().map_err(|e| self.read_error(e))?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if !meta.is_file() || meta.uid() != me {
            return Err(self.not_own_file());
        }
        let mode = meta.mode() & 0o7777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                account = %self.account,
                path = %self.path().display(),
                mode = format_args!("{mode:04o}"),
                "token cache was readable by other users; restricted it to 0600. \
                 If others may have read it, run `postern logout` and `postern login`"
            );
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| self.read_error(e))?;
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn check_and_tighten(&self, _file: &File) -> Result<(), CacheError> {
        Ok(())
    }

    fn read_error(&self, source: io::Error) -> CacheError {
        CacheError::Read {
            path: self.path(),
            account: self.account.clone(),
            source,
        }
    }

    fn corrupt(&self, problem: String) -> CacheError {
        CacheError::Corrupt {
            path: self.path(),
            account: self.account.clone(),
            problem,
        }
    }

    fn not_own_file(&self) -> CacheError {
        CacheError::NotOwnFile {
            path: self.path(),
            account: self.account.clone(),
        }
    }
}

/// Runs blocking file work off the async threads.
pub(crate) async fn run_blocking<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CacheError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CacheError::Task {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

fn is_safe_account_name(account: &str) -> bool {
    !account.is_empty()
        && account.len() <= MAX_ACCOUNT_LEN
        && account
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where and what kind of damage, never the offending text (it may be a token).
fn describe_json_error(error: &serde_json::Error) -> String {
    format!(
        "{} at line {} column {}",
        json_problem(error),
        error.line(),
        error.column()
    )
}

fn json_problem(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "unexpected or missing field",
        serde_json::error::Category::Eof => "the file ends too early",
    }
}

fn read_all(mut file: File) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// O_NOFOLLOW on a symlink fails with ELOOP.
#[cfg(unix)]
fn is_symlink_refusal(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_refusal(_error: &io::Error) -> bool {
    false
}

fn set_private_mode(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Temp file in the same directory (created 0600, never readable by others even for an
/// instant), write, fsync, rename over the target, fsync the directory so the rename
/// survives a crash. On failure the temp file is removed and the old file is untouched.
fn write_atomically(dir: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
    let (tmp_path, mut file) = create_temp(dir, target)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp_path, target)
        });
    if let Err(error) = written {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(error);
    }
    sync_dir(dir)
}

fn create_temp(dir: &Path, target: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stem = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last_error = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = dir.join(format!(".{stem}.{}-{n}-{nanos:x}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        set_private_mode(&mut options);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// Temp files of writers that died between create and rename (they hold a copy of the
/// tokens). Only files whose writer process is gone are touched, so a concurrent writer
/// is never disturbed; failures are ignored, the next save tries again.
fn remove_orphaned_temp_files(dir: &Path, target: &Path) {
    let Some(stem) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{stem}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let writer = name
            .strip_prefix(&prefix)
            .filter(|rest| rest.ends_with(".tmp"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = writer
            && !process_alive(pid)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

//! Where postern keeps things: XDG directories through the `directories` crate.
//!
//! On Linux `directories` honours `XDG_CONFIG_HOME`, `XDG_DATA_HOME`, `XDG_CACHE_HOME` and
//! `XDG_STATE_HOME` (absolute values only, as the XDG spec says); the tests check this by
//! running themselves in a child process with those variables set.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// Environment variable naming a config file; beaten only by `--config`.
pub const CONFIG_ENV: &str = "POSTERN_CONFIG";

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error(
        "cannot find your home directory, so postern does not know where to keep its files; \
         set HOME (or XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME and XDG_STATE_HOME)"
    )]
    NoHome,
    #[error("cannot create the private directory {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot restrict {path} to its owner (mode 0700): {source}")]
    Restrict { path: PathBuf, source: io::Error },
    #[error("{path} exists but is not a directory; move it away")]
    NotADirectory { path: PathBuf },
}

/// The four directories postern uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `config.toml` lives here.
    pub config_dir: PathBuf,
    /// The SQLite store and the token cache.
    pub data_dir: PathBuf,
    /// Things that can be rebuilt (rendered bodies, attachments opened once).
    pub cache_dir: PathBuf,
    /// Logs.
    pub state_dir: PathBuf,
}

impl Paths {
    /// The platform's directories for postern (XDG on Linux).
    pub fn from_env() -> Result<Self, PathsError> {
        let dirs = directories::ProjectDirs::from("", "", "postern").ok_or(PathsError::NoHome)?;
        let data_dir = dirs.data_dir().to_path_buf();
        // Only Linux has a state dir; elsewhere keep logs beside the data.
        let state_dir = dirs
            .state_dir()
            .map_or_else(|| data_dir.join("state"), Path::to_path_buf);
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir,
            cache_dir: dirs.cache_dir().to_path_buf(),
            state_dir,
        })
    }

    /// Everything below one root (`root/config`, `root/data`, ...): for the demo and tests.
    pub fn under(root: &Path) -> Self {
        Self {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
            cache_dir: root.join("cache"),
            state_dir: root.join("state"),
        }
    }

    /// The default config file, `config_dir/config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The local store, `data_dir/postern.sqlite3`.
    pub fn store_db(&self) -> PathBuf {
        self.data_dir.join("postern.sqlite3")
    }

    /// Where the token cache keeps its files.
    pub fn token_dir(&self) -> PathBuf {
        self.data_dir.clone()
    }

    /// The files an external editor edits, `data_dir/drafts` (one `<draft id>.txt`
    /// per message being written; see `compose::EditFile`).
    pub fn drafts_dir(&self) -> PathBuf {
        self.data_dir.join("drafts")
    }

    /// Where logs go.
    pub fn log_dir(&self) -> PathBuf {
        self.state_dir.clone()
    }
}

/// Which config file to read: `--config PATH`, then `$POSTERN_CONFIG` (if non-empty), then
/// `paths.config_file()`. `env` looks up a variable, so tests need not touch the process
/// environment; the program passes `|name| std::env::var_os(name)`.
pub fn resolve_config_path(
    cli: Option<&Path>,
    env: impl Fn(&str) -> Option<OsString>,
    paths: &Paths,
) -> PathBuf {
    if let Some(path) = cli {
        return path.to_path_buf();
    }
    match env(CONFIG_ENV) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => paths.config_file(),
    }
}

/// Create `path` (and missing parents) as a directory only its owner can enter (0700), and
/// tighten an existing one that group or others can reach. Tokens and mail live here.
pub fn ensure_private_dir(path: &Path) -> Result<(), PathsError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_dir() => {
            return Err(PathsError::NotADirectory {
                path: path.to_path_buf(),
            });
        }
        Ok(meta) => return restrict(path, &meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(PathsError::CreateDir {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .map_err(|source| PathsError::CreateDir {
            path: path.to_path_buf(),
            source,
        })?;
    // A umask can only remove bits, but check anyway: the promise is 0700.
    let meta = std::fs::metadata(path).map_err(|source| PathsError::CreateDir {
        path: path.to_path_buf(),
        source,
    })?;
    restrict(path, &meta)
}

#[cfg(unix)]
fn restrict(path: &Path, meta: &std::fs::Metadata) -> Result<(), PathsError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 && mode & 0o700 == 0o700 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(|source| {
        PathsError::Restrict {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), PathsError> {
    Ok(())
}

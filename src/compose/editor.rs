//! The external editor, shared by the TUI and `postern compose`: which editor
//! ([`choose_editor`]), the file it edits ([`EditFile`]), running it
//! ([`run_editor`]) and getting back what was written when postern stopped while an
//! edit was under way ([`recover_edits`]).
//!
//! The life of an edit: the draft is saved in the store, [`EditFile::hold`] marks the
//! edit as under way, [`EditFile::write`] puts [`Written::to_text`] in
//! `<drafts dir>/<draft id>.txt`, the editor runs, [`EditFile::read`] and
//! [`Written::from_text`] read it back, the draft is saved again, and only then is the
//! file removed ([`EditFile::remove`]) and the hold dropped. So an edit file that is
//! there while nobody holds it is text that may not be in the store yet: the next
//! postern saves it into its draft.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::EditorSetting;
use crate::mime::compose::{TextProblem, Written};
use crate::paths::ensure_private_dir;
use crate::store::{DraftId, Store, StoreError};

/// The editor a message is written in.
#[derive(Clone, PartialEq, Eq)]
pub enum Editor {
    /// postern's own editor (the TUI's).
    Builtin,
    /// A shell command; the file's path is given to it as one more argument.
    Command(String),
}

// Commands are kept out of Debug, as in the config.
impl fmt::Debug for Editor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Editor::Builtin => f.write_str("Builtin"),
            Editor::Command(_) => f.write_str("Command(<command not shown>)"),
        }
    }
}

/// Where the editor command was found, so a message can say what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorOrigin {
    /// `[compose] editor` in the config file.
    Config,
    /// `$VISUAL`.
    Visual,
    /// `$EDITOR`.
    Editor,
}

impl EditorOrigin {
    /// How a person names it: "$EDITOR", "`[compose] editor` in the config file".
    pub fn describe(self) -> &'static str {
        match self {
            EditorOrigin::Config => "`[compose] editor` in the config file",
            EditorOrigin::Visual => "$VISUAL",
            EditorOrigin::Editor => "$EDITOR",
        }
    }
}

/// The editor to use: the config's `editor` first, then `$VISUAL`, then `$EDITOR`
/// (each only when not empty), else the builtin one. `env` looks a variable up (the
/// program passes `|name| std::env::var_os(name)`); a value that is not UTF-8 is read
/// lossily.
pub fn choose_editor(
    setting: Option<&EditorSetting>,
    env: impl Fn(&str) -> Option<OsString>,
) -> Editor {
    choose_editor_from(setting, env).0
}

/// [`choose_editor`], and where the command came from (`None` for the builtin
/// editor when nothing named one).
pub fn choose_editor_from(
    setting: Option<&EditorSetting>,
    env: impl Fn(&str) -> Option<OsString>,
) -> (Editor, Option<EditorOrigin>) {
    match setting {
        Some(EditorSetting::Builtin) => return (Editor::Builtin, Some(EditorOrigin::Config)),
        Some(EditorSetting::Command(command)) if !command.trim().is_empty() => {
            return (Editor::Command(command.clone()), Some(EditorOrigin::Config));
        }
        _ => {}
    }
    for (name, origin) in [
        ("VISUAL", EditorOrigin::Visual),
        ("EDITOR", EditorOrigin::Editor),
    ] {
        if let Some(value) = env(name) {
            let value = value.to_string_lossy();
            if !value.trim().is_empty() {
                return (Editor::Command(value.into_owned()), Some(origin));
            }
        }
    }
    (Editor::Builtin, None)
}

/// Why the editor did not run as it should.
#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    /// The shell could not find the command (it exited 127).
    #[error("{}", not_found(command, *origin))]
    NotFound {
        command: String,
        origin: Option<EditorOrigin>,
    },
    /// The command is there but cannot be run (the shell exited 126).
    #[error("{}", not_executable(command, *origin))]
    NotExecutable {
        command: String,
        origin: Option<EditorOrigin>,
    },
    /// `sh` itself could not be started.
    #[error("cannot start the editor `{command}`: running sh failed: {source}")]
    Spawn {
        command: String,
        #[source]
        source: io::Error,
    },
    /// The editor ran and exited with another status than 0 (vim's `:cq`), or was
    /// killed by a signal. Not a failure of the edit: the file is the truth, so read
    /// it back as usual and show this as a note (as mutt does).
    #[error("{}", exited(command, *code))]
    Exited { command: String, code: Option<i32> },
}

impl EditorError {
    /// The same error, naming where the command came from (see [`choose_editor_from`]).
    pub fn with_origin(self, from: Option<EditorOrigin>) -> EditorError {
        match self {
            EditorError::NotFound { command, .. } => EditorError::NotFound {
                command,
                origin: from,
            },
            EditorError::NotExecutable { command, .. } => EditorError::NotExecutable {
                command,
                origin: from,
            },
            other => other,
        }
    }

    /// Whether what the editor left in the file is still to be read back: only a
    /// status other than 0; the other errors mean the editor never ran.
    pub fn text_is_written(&self) -> bool {
        matches!(self, EditorError::Exited { .. })
    }
}

fn where_from(origin: Option<EditorOrigin>) -> String {
    match origin {
        Some(origin) => format!("it is the editor set by {}", origin.describe()),
        None => "postern takes the editor from `[compose] editor` in the config file, \
                 else $VISUAL, else $EDITOR"
            .to_owned(),
    }
}

fn fix(origin: Option<EditorOrigin>) -> &'static str {
    match origin {
        Some(origin) => origin.describe(),
        None => "one of them",
    }
}

fn not_found(command: &str, origin: Option<EditorOrigin>) -> String {
    format!(
        "cannot start the editor `{command}`: the shell found no such command (exit status 127)\n  \
         {}\n  hint: install it, or set {} to an editor you have, such as `vim`, `nano` or `emacsclient -t`",
        where_from(origin),
        fix(origin)
    )
}

fn not_executable(command: &str, origin: Option<EditorOrigin>) -> String {
    format!(
        "cannot start the editor `{command}`: it is not an executable program (exit status 126)\n  \
         {}\n  hint: make it executable (`chmod +x`), or set {} to another editor",
        where_from(origin),
        fix(origin)
    )
}

fn exited(command: &str, code: Option<i32>) -> String {
    match code {
        Some(code) => format!(
            "the editor `{command}` exited with status {code}; what it left in the file is kept"
        ),
        None => format!(
            "the editor `{command}` was stopped by a signal; what it left in the file is kept"
        ),
    }
}

/// Runs `command` on `path` and waits for it, the terminal inherited (the caller
/// has given it back). The command goes through `sh -c '<command> "$1"' sh <path>`,
/// so it may carry arguments (`vim -u NONE`, `code --wait`) while the path is one
/// argument, never part of the shell text.
///
/// A status other than 0 is [`EditorError::Exited`]: read the file back anyway. The
/// shell's 127 (no such command) and 126 (not executable) are explained; a program
/// that itself exits 126 or 127 is taken for the same.
pub fn run_editor(command: &str, path: &Path) -> Result<(), EditorError> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|source| EditorError::Spawn {
            command: command.to_owned(),
            source,
        })?;
    let command = command.to_owned();
    match status.code() {
        Some(0) => Ok(()),
        Some(127) => Err(EditorError::NotFound {
            command,
            origin: None,
        }),
        Some(126) => Err(EditorError::NotExecutable {
            command,
            origin: None,
        }),
        code => Err(EditorError::Exited { command, code }),
    }
}

/// The file an editor edits for one draft: `<dir>/<draft id>.txt`. The directory is
/// private (0700), the file its owner's only (0600).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditFile {
    path: PathBuf,
}

/// What an editor left in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedText {
    /// The text; bytes that are not UTF-8 are each replaced by U+FFFD, a byte order
    /// mark at the start is dropped.
    pub text: String,
    /// The 1-based lines where bytes were replaced: nothing is dropped silently.
    pub not_utf8: Vec<usize>,
}

impl EditedText {
    fn decode(bytes: Vec<u8>) -> EditedText {
        let (text, not_utf8) = match String::from_utf8(bytes) {
            Ok(text) => (text, Vec::new()),
            Err(error) => {
                let bytes = error.into_bytes();
                let lines = bytes
                    .split(|b| *b == b'\n')
                    .enumerate()
                    .filter(|(_, line)| std::str::from_utf8(line).is_err())
                    .map(|(index, _)| index + 1)
                    .collect();
                (String::from_utf8_lossy(&bytes).into_owned(), lines)
            }
        };
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        EditedText { text, not_utf8 }
    }

    /// The replaced bytes as problems to show with the text's own (see
    /// [`Written::from_text`]).
    pub fn problems(&self) -> Vec<TextProblem> {
        self.not_utf8
            .iter()
            .map(|&line| TextProblem {
                line,
                message: "bytes that are not UTF-8 were replaced by \u{fffd}; \
                          save the file as UTF-8 to keep them"
                    .to_owned(),
            })
            .collect()
    }

    /// The text as a message, every problem in line order.
    pub fn written(&self) -> (Written, Vec<TextProblem>) {
        let (written, mut problems) = Written::from_text(&self.text);
        problems.extend(self.problems());
        problems.sort_by_key(|problem| problem.line);
        (written, problems)
    }
}

/// An edit under way: while it is held, [`recover_edits`] leaves the draft's file
/// alone (another postern is editing it). Dropped: released.
#[derive(Debug)]
pub struct EditHold {
    path: PathBuf,
    _file: File,
}

impl Drop for EditHold {
    fn drop(&mut self) {
        // Removed while still locked: whoever opens the path next makes a new file.
        let _ = fs::remove_file(&self.path);
    }
}

impl EditFile {
    pub fn for_draft(dir: &Path, id: DraftId) -> EditFile {
        EditFile {
            path: dir.join(format!("{}.txt", id.0)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }

    /// Writes `text` atomically: a private temporary file in the same directory,
    /// flushed to disk, then renamed over the file; a crash leaves the old file or the
    /// new one, never half of one. The directory is made (0700) when missing.
    pub fn write(&self, text: &str) -> io::Result<()> {
        let dir = self.dir();
        ensure_private_dir(dir).map_err(io::Error::other)?;
        let name = self
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Starts with a dot: never taken for an edit file by recover_edits.
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        restrict_file(temp.as_file())?;
        temp.write_all(text.as_bytes())?;
        temp.as_file().sync_all()?;
        temp.persist(&self.path).map_err(|error| error.error)?;
        // The rename itself, on disk.
        File::open(dir)?.sync_all()
    }

    /// What the file holds; `None` when there is no file. See [`EditedText`] for
    /// text that is not UTF-8.
    pub fn read(&self) -> io::Result<Option<EditedText>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(EditedText::decode(bytes))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Removes the file; one that is not there is fine.
    pub fn remove(&self) -> io::Result<()> {
        match fs::remove_file(&self.path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Marks the edit as under way (a locked `<dir>/<id>.lock`) until the hold is
    /// dropped. Another postern holding it: an error of kind `WouldBlock`.
    pub fn hold(&self) -> io::Result<EditHold> {
        ensure_private_dir(self.dir()).map_err(io::Error::other)?;
        let path = self.path.with_extension("lock");
        let busy = || {
            io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("{} is being edited by another postern", self.path.display()),
            )
        };
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(busy()),
            Err(fs::TryLockError::Error(error)) => return Err(error),
        }
        // The holder before us may have removed the file we opened and another one
        // made a new one: only the file at the path counts.
        if !same_file(&file, &path) {
            return Err(busy());
        }
        Ok(EditHold { path, _file: file })
    }
}

#[cfg(unix)]
fn restrict_file(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_file(_file: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// A draft whose text was read back from an edit file left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub id: DraftId,
    /// Its subject as recovered (mail text: sanitize before showing).
    pub subject: String,
    /// What [`Written::from_text`] (and the UTF-8 check) found in the file.
    pub problems: Vec<TextProblem>,
}

/// An edit file left where it is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub path: PathBuf,
    pub reason: KeptReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptReason {
    /// No draft with its id in the store (deleted, or another store's).
    NoSuchDraft,
    /// Its draft is queued to be sent: the message going out is not changed.
    Queued,
    /// It could not be read.
    Unreadable(String),
}

impl fmt::Display for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.reason {
            KeptReason::NoSuchDraft => write!(
                f,
                "{path}: text from an edit that was under way, but its draft is no longer in the store; \
                 the file is kept: copy what you need from it, then delete it"
            ),
            KeptReason::Queued => write!(
                f,
                "{path}: text from an edit that was under way, but its draft is already queued to be sent, \
                 so it was not changed; the file is kept: copy what you need from it, then delete it"
            ),
            KeptReason::Unreadable(error) => {
                write!(
                    f,
                    "{path}: text from an edit that was under way, but it cannot be read ({error}); \
                     the file is kept"
                )
            }
        }
    }
}

/// What [`recover_edits`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recovery {
    /// Drafts whose text changed, in id order.
    pub recovered: Vec<Recovered>,
    /// Files not taken in (never deleted).
    pub kept: Vec<Kept>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error("cannot look for unfinished edits in {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Saves into their drafts the edit files left in `dir` by a postern that stopped
/// while an edit was under way. Each `<id>.txt` nobody holds (see
/// [`EditFile::hold`]) whose draft exists is read with [`Written::from_text`], the
/// draft's other fields (threading, files) kept, saved with `save_draft`, and only
/// then removed. A file whose text is the draft's already is just removed. A file
/// without its draft, or whose draft is queued to be sent, is kept and reported,
/// never deleted. No directory: nothing to do.
pub fn recover_edits(dir: &Path, store: &mut Store) -> Result<Recovery, RecoverError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Recovery::default()),
        Err(source) => {
            return Err(RecoverError::Dir {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut ids: Vec<DraftId> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| edit_file_id(&entry.file_name()))
        .collect();
    ids.sort();
    let mut recovery = Recovery::default();
    for id in ids {
        let file = EditFile::for_draft(dir, id);
        let kept = |reason| Kept {
            path: file.path().to_path_buf(),
            reason,
        };
        let hold = match file.hold() {
            Ok(hold) => hold,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
            Err(error) => {
                recovery
                    .kept
                    .push(kept(KeptReason::Unreadable(error.to_string())));
                continue;
            }
        };
        let edited = match file.read() {
            Ok(Some(edited)) => edited,
            // Finished meanwhile.
            Ok(None) => continue,
            Err(error) => {
                recovery
                    .kept
                    .push(kept(KeptReason::Unreadable(error.to_string())));
                continue;
            }
        };
        let Some(row) = store.draft(id)? else {
            recovery.kept.push(kept(KeptReason::NoSuchDraft));
            continue;
        };
        let (written, problems) = edited.written();
        if written == row.draft.written {
            remove_or_keep(&file, &mut recovery);
            continue;
        }
        if row.outbox.is_some() {
            recovery.kept.push(kept(KeptReason::Queued));
            continue;
        }
        let mut draft = row.draft;
        draft.written = written;
        store.save_draft(row.account, Some(id), &draft)?;
        remove_or_keep(&file, &mut recovery);
        drop(hold);
        recovery.recovered.push(Recovered {
            id,
            subject: draft.written.subject,
            problems,
        });
    }
    Ok(recovery)
}

fn remove_or_keep(file: &EditFile, recovery: &mut Recovery) {
    if let Err(error) = file.remove() {
        recovery.kept.push(Kept {
            path: file.path().to_path_buf(),
            reason: KeptReason::Unreadable(format!("removing it failed: {error}")),
        });
    }
}

/// `12.txt` -> draft 12; anything else (temporary files, locks) -> `None`.
fn edit_file_id(name: &std::ffi::OsStr) -> Option<DraftId> {
    let digits = name.to_str()?.strip_suffix(".txt")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(DraftId)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::store::{DraftFile, DraftFileSource, NewDraft};

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn the_config_beats_visual_which_beats_editor() {
        let both = [("VISUAL", "vis"), ("EDITOR", "ed -s")];
        let config = EditorSetting::Command("vim -u NONE".into());
        assert_eq!(
            choose_editor_from(Some(&config), env(&both)),
            (
                Editor::Command("vim -u NONE".into()),
                Some(EditorOrigin::Config)
            )
        );
        assert_eq!(
            choose_editor(Some(&EditorSetting::Builtin), env(&both)),
            Editor::Builtin
        );
        assert_eq!(
            choose_editor_from(None, env(&both)),
            (Editor::Command("vis".into()), Some(EditorOrigin::Visual))
        );
        let empty_visual = [("VISUAL", " "), ("EDITOR", "ed -s")];
        assert_eq!(
            choose_editor_from(None, env(&empty_visual)),
            (Editor::Command("ed -s".into()), Some(EditorOrigin::Editor))
        );
        assert_eq!(
            choose_editor_from(None, env(&[("EDITOR", "")])),
            (Editor::Builtin, None)
        );
        assert_eq!(choose_editor(None, env(&[])), Editor::Builtin);
    }

    #[test]
    fn commands_stay_out_of_debug() {
        let debug = format!("{:?}", Editor::Command("vim --secret hunter2".into()));
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_edit_file_is_private_and_replaced_whole() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data/drafts");
        let file = EditFile::for_draft(&dir, DraftId(12));
        assert_eq!(file.path(), dir.join("12.txt"));
        assert_eq!(file.read().unwrap(), None);
        file.write("To: bob@example.org\n\nfirst\n").unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(file.path()), 0o600);
        let before = {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(file.path()).unwrap().ino()
        };
        file.write("second\n").unwrap();
        let after = {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(file.path()).unwrap().ino()
        };
        assert_ne!(before, after, "a new file renamed over the old one");
        assert_eq!(mode(file.path()), 0o600);
        assert_eq!(file.read().unwrap().unwrap().text, "second\n");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![OsString::from("12.txt")],
            "no temporary file left"
        );
        file.remove().unwrap();
        file.remove().unwrap();
        assert_eq!(file.read().unwrap(), None);
    }

    #[test]
    fn a_write_that_fails_leaves_the_old_file() {
        let root = tempfile::tempdir().unwrap();
        let file = EditFile::for_draft(root.path(), DraftId(1));
        file.write("kept\n").unwrap();
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o500)).unwrap();
        let result = file.write("lost\n");
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o700)).unwrap();
        // As root the write may succeed: then it wrote the whole new text.
        let text = file.read().unwrap().unwrap().text;
        match result {
            Err(_) => assert_eq!(text, "kept\n"),
            Ok(()) => assert_eq!(text, "lost\n"),
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_read_with_its_lines_named() {
        let root = tempfile::tempdir().unwrap();
        let file = EditFile::for_draft(root.path(), DraftId(3));
        fs::write(
            file.path(),
            b"\xef\xbb\xbfSubject: caf\xe9\n\nline two\n\xff\n",
        )
        .unwrap();
        let edited = file.read().unwrap().unwrap();
        assert_eq!(edited.text, "Subject: caf\u{fffd}\n\nline two\n\u{fffd}\n");
        assert_eq!(edited.not_utf8, vec![1, 4]);
        let (written, problems) = edited.written();
        assert_eq!(written.subject, "caf\u{fffd}");
        assert_eq!(
            problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            vec![1, 4]
        );
        let clean = EditedText::decode(b"plain\n".to_vec());
        assert!(clean.problems().is_empty());
    }

    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("editor.sh");
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        path
    }

    #[test]
    fn the_editor_gets_its_arguments_and_the_path_as_one_more() {
        let root = tempfile::tempdir().unwrap();
        let editor = script(
            root.path(),
            r#"printf '%s|' "$@" > "$1.args"; echo typed >> "$3""#,
        );
        // A path with a space and shell syntax stays one argument.
        let path = root.path().join("a dir $(x)");
        fs::create_dir(&path).unwrap();
        let file = path.join("7.txt");
        fs::write(&file, "To: x\n\n").unwrap();
        let out = root.path().join("out");
        let command = format!("{} {} --wait", editor.display(), out.display());
        run_editor(&command, &file).unwrap();
        let args = fs::read_to_string(root.path().join("out.args")).unwrap();
        assert_eq!(
            args,
            format!("{}|--wait|{}|", out.display(), file.display())
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "To: x\n\ntyped\n");
    }

    #[test]
    fn a_failing_editor_is_a_note_and_a_missing_one_is_explained() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("1.txt");
        fs::write(&file, "").unwrap();
        let editor = script(root.path(), r#"echo written > "$1"; exit 1"#);
        let error = run_editor(&editor.display().to_string(), &file).unwrap_err();
        assert!(error.text_is_written(), "{error}");
        assert!(matches!(error, EditorError::Exited { code: Some(1), .. }));
        assert_eq!(fs::read_to_string(&file).unwrap(), "written\n");

        let error = run_editor("postern-no-such-editor -x", &file)
            .unwrap_err()
            .with_origin(Some(EditorOrigin::Editor));
        assert!(!error.text_is_written());
        let message = error.to_string();
        assert!(matches!(error, EditorError::NotFound { .. }), "{message}");
        assert!(message.contains("`postern-no-such-editor -x`"), "{message}");
        assert!(message.contains("set by $EDITOR"), "{message}");
        assert!(
            message.contains("hint: install it, or set $EDITOR"),
            "{message}"
        );

        let not_executable = root.path().join("plain");
        fs::write(&not_executable, "").unwrap();
        let error = run_editor(&not_executable.display().to_string(), &file).unwrap_err();
        assert!(
            matches!(error, EditorError::NotExecutable { origin: None, .. }),
            "{error}"
        );
        assert!(
            error.to_string().contains("$VISUAL, else $EDITOR"),
            "{error}"
        );
    }

    #[test]
    fn a_hold_keeps_a_second_one_out_until_dropped() {
        let root = tempfile::tempdir().unwrap();
        let file = EditFile::for_draft(root.path(), DraftId(5));
        let hold = file.hold().unwrap();
        assert_eq!(mode(&root.path().join("5.lock")), 0o600);
        let error = file.hold().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
        drop(hold);
        assert!(!root.path().join("5.lock").exists());
        drop(file.hold().unwrap());
    }

    fn store_with_draft(subject: &str) -> (Store, DraftId, NewDraft) {
        let mut store = Store::open_in_memory().unwrap();
        let account = store.upsert_account("work", "ada@example.org").unwrap();
        let draft = NewDraft {
            written: Written {
                from: "ada@example.org".into(),
                subject: subject.into(),
                ..Written::default()
            },
            in_reply_to: Some("m1@example.net".into()),
            references: vec!["m0@example.net".into(), "m1@example.net".into()],
            files: vec![DraftFile {
                filename: "a.txt".into(),
                mime_type: "text/plain".into(),
                source: DraftFileSource::Bytes(b"a".to_vec()),
            }],
            ..NewDraft::default()
        };
        let id = store.save_draft(account, None, &draft).unwrap();
        (store, id, draft)
    }

    #[test]
    fn an_edit_left_behind_is_saved_into_its_draft_and_removed() {
        let root = tempfile::tempdir().unwrap();
        let (mut store, id, draft) = store_with_draft("Old");
        let file = EditFile::for_draft(root.path(), id);
        file.write("From: ada@example.org\nSubject: New\nOops\n\nbody\n")
            .unwrap();
        let recovery = recover_edits(root.path(), &mut store).unwrap();
        assert_eq!(recovery.kept, vec![]);
        assert_eq!(recovery.recovered.len(), 1);
        let recovered = &recovery.recovered[0];
        assert_eq!((recovered.id, recovered.subject.as_str()), (id, "New"));
        assert_eq!(recovered.problems[0].line, 3);
        let row = store.draft(id).unwrap().unwrap();
        assert_eq!(row.draft.written.subject, "New");
        assert_eq!(row.draft.written.body, "Oops\n\nbody\n");
        assert_eq!(row.draft.in_reply_to, draft.in_reply_to);
        assert_eq!(row.draft.references, draft.references);
        assert_eq!(row.draft.files, draft.files);
        assert_eq!(file.read().unwrap(), None);
        // Nothing left: nothing to do.
        assert_eq!(
            recover_edits(root.path(), &mut store).unwrap(),
            Recovery::default()
        );
    }

    #[test]
    fn orphans_queued_drafts_and_held_edits_are_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let (mut store, id, draft) = store_with_draft("Same");
        // Its text is the draft's: just removed.
        let same = EditFile::for_draft(root.path(), id);
        same.write(&draft.written.to_text()).unwrap();
        let orphan = EditFile::for_draft(root.path(), DraftId(999));
        orphan.write("Subject: lost?\n\nnever deleted\n").unwrap();
        fs::write(root.path().join(".999.txt.abc.tmp"), "half").unwrap();
        fs::write(root.path().join("notes.txt"), "mine").unwrap();
        let recovery = recover_edits(root.path(), &mut store).unwrap();
        assert_eq!(recovery.recovered, vec![]);
        assert_eq!(
            recovery.kept,
            vec![Kept {
                path: orphan.path().to_path_buf(),
                reason: KeptReason::NoSuchDraft
            }]
        );
        assert!(recovery.kept[0].to_string().contains("999.txt"));
        assert_eq!(same.read().unwrap(), None);
        assert!(orphan.read().unwrap().is_some());
        assert!(root.path().join("notes.txt").exists());

        // Held by an editor running now: not touched.
        let file = EditFile::for_draft(root.path(), id);
        let hold = file.hold().unwrap();
        file.write("Subject: being written\n\n").unwrap();
        let recovery = recover_edits(root.path(), &mut store).unwrap();
        assert!(recovery.recovered.is_empty());
        assert_eq!(
            store.draft(id).unwrap().unwrap().draft.written.subject,
            "Same"
        );
        drop(hold);

        // Queued to be sent: the message going out is not changed.
        store
            .queue_draft(id, b"raw", crate::store::Queued::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let recovery = recover_edits(root.path(), &mut store).unwrap();
        assert!(recovery.recovered.is_empty());
        assert!(
            recovery
                .kept
                .iter()
                .any(|k| k.reason == KeptReason::Queued && k.path == file.path())
        );
        assert!(file.read().unwrap().is_some());
    }

    #[test]
    fn no_directory_is_nothing_to_recover() {
        let root = tempfile::tempdir().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let recovery = recover_edits(&root.path().join("none"), &mut store).unwrap();
        assert_eq!(recovery, Recovery::default());
        assert_eq!(edit_file_id("12.txt".as_ref()), Some(DraftId(12)));
        for name in [".txt", "12.txt.lock", "1a.txt", "12.lock", ".12.txt.x.tmp"] {
            assert_eq!(edit_file_id(name.as_ref()), None, "{name}");
        }
    }
}

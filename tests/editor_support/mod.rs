//! An editor for the tests of writing mail (`cli_compose`, `tui_compose_stack`): a
//! small shell script standing in for `$EDITOR`, which records what it was given
//! and then edits the file as a person would.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A script that copies what it was given to `seen`, then runs `action` on the file
/// (`$FILE`). Its command carries an argument, as real editors' often do.
pub struct ScriptEditor {
    pub command: String,
    seen: PathBuf,
}

impl ScriptEditor {
    /// The script `<dir>/editors/<name>.sh`.
    pub fn new(dir: &Path, name: &str, action: &str) -> ScriptEditor {
        let dir = dir.join("editors");
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join(format!("{name}.sh"));
        let seen = dir.join(format!("{name}.seen"));
        std::fs::write(
            &script,
            format!("#!/bin/sh\nSEEN=\"$1\"\nFILE=\"$2\"\ncp \"$FILE\" \"$SEEN\"\n{action}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
        ScriptEditor {
            command: format!("{} {}", script.display(), seen.display()),
            seen,
        }
    }

    /// Appends `body` below what the file holds (it ends with the text, which for
    /// a new message is empty).
    pub fn typing(dir: &Path, name: &str, body: &str) -> ScriptEditor {
        ScriptEditor::new(
            dir,
            name,
            &format!("cat >> \"$FILE\" <<'TYPED'\n{body}\nTYPED"),
        )
    }

    /// Sets the To header to `to`, then appends `line` below the text (a forward
    /// written to someone).
    pub fn addressing(dir: &Path, name: &str, to: &str, line: &str) -> ScriptEditor {
        ScriptEditor::new(
            dir,
            name,
            &format!("sed -i '1,/^$/s/^To:.*/To: {to}/' \"$FILE\"\necho '{line}' >> \"$FILE\""),
        )
    }

    pub fn env(&self) -> [(&str, &OsStr); 1] {
        [("EDITOR", OsStr::new(&self.command))]
    }

    /// What the editor was given, the last time it ran.
    pub fn seen(&self) -> String {
        std::fs::read_to_string(&self.seen).unwrap()
    }

    /// Whether it has run.
    pub fn ran(&self) -> bool {
        self.seen.exists()
    }
}

//! The loop's side of writing: the draft's file for the editor (held while the edit
//! is under way, removed once its text is saved in the store), the editor run on
//! it, and a file to attach looked at. The rules are `compose::editor`'s, shared
//! with `postern compose`.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::compose::{EditFile, EditHold, EditedText, run_editor};
use crate::store::DraftId;

use super::model::Writing;

/// The edits whose file is still needed: held from before the editor starts until
/// the text is saved, so another postern's recovery leaves the file alone.
#[derive(Debug, Default)]
pub(super) struct Edits {
    holds: HashMap<DraftId, (EditFile, EditHold)>,
}

/// How an edit ended: the text the editor left, and a note when it exited with an
/// error status (vim's `:cq`); or why there is no text.
pub type EditOutcome = Result<(EditedText, Option<String>), String>;

impl Edits {
    /// Writes the text for the editor, holding the file. Errors are said to the user.
    pub fn prepare(
        &mut self,
        writing: &Writing,
        draft: DraftId,
        text: &str,
    ) -> Result<EditFile, String> {
        let file = EditFile::for_draft(&writing.drafts_dir, draft);
        if let std::collections::hash_map::Entry::Vacant(entry) = self.holds.entry(draft) {
            let hold = file
                .hold()
                .map_err(|e| format!("cannot open the draft for the editor: {e}"))?;
            entry.insert((file.clone(), hold));
        }
        file.write(text)
            .map_err(|e| format!("cannot write {} for the editor: {e}", file.path().display()))?;
        Ok(file)
    }

    /// The text saved: the file and its hold go.
    pub fn forget(&mut self, draft: DraftId) {
        if let Some((file, hold)) = self.holds.remove(&draft) {
            if let Err(error) = file.remove() {
                tracing::warn!("removing {}: {error}", file.path().display());
            }
            drop(hold);
        }
    }
}

/// Runs the editor on `file` (the terminal already lent) and reads back what it
/// left there.
pub(super) async fn run(command: &str, file: EditFile) -> EditOutcome {
    let editor = command.to_owned();
    let path = file.path().to_path_buf();
    // The editor owns the terminal until it exits; a blocking wait on its own thread.
    let ran = tokio::task::spawn_blocking(move || run_editor(&editor, &path))
        .await
        .map_err(|e| format!("the editor could not be waited for: {e}"))?;
    let note = match ran {
        Ok(()) => None,
        Err(error) if error.text_is_written() => Some(error.to_string()),
        Err(error) => return Err(error.to_string()),
    };
    match file.read() {
        Ok(Some(text)) => Ok((text, note)),
        Ok(None) => Err(format!(
            "the editor removed {}, so there was no text to read back",
            file.path().display()
        )),
        Err(error) => Err(format!("cannot read {}: {error}", file.path().display())),
    }
}

/// A file to attach: `~` is the home directory; it must be a readable file.
pub(super) fn look_at(path: &str) -> Result<(PathBuf, u64), String> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let path = crate::config::expand_tilde(path.trim(), home.as_deref())
        .map_err(|e| format!("{path}: {e}"))?;
    let meta =
        std::fs::metadata(&path).map_err(|e| format!("cannot attach {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "cannot attach {}: it is not a file (attach the files in it one by one)",
            path.display()
        ));
    }
    // Readable now, so that the message can be built when it is sent.
    std::fs::File::open(&path).map_err(|e| format!("cannot attach {}: {e}", path.display()))?;
    Ok((path, meta.len()))
}

/// Most paths offered for one Tab: a directory of thousands is not read whole.
const MOST_PATHS: usize = 200;

/// The paths that begin with `partial` as typed (`~/` kept), sorted, directories
/// ending in `/`. Hidden files only when the typed name starts with a dot, as in a
/// shell. Anything unreadable gives nothing.
pub(super) fn paths_beginning(partial: &str) -> Vec<String> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let (dir_typed, name) = match partial.rfind('/') {
        Some(at) => partial.split_at(at + 1),
        None => ("", partial),
    };
    let dir = if dir_typed.is_empty() {
        PathBuf::from(".")
    } else {
        match crate::config::expand_tilde(dir_typed, home.as_deref()) {
            Ok(dir) => dir,
            Err(_) => return Vec::new(),
        }
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .take(MOST_PATHS * 10)
        .filter_map(|entry| {
            let file = entry.file_name().into_string().ok()?;
            if !file.starts_with(name) || (file.starts_with('.') && !name.starts_with('.')) {
                return None;
            }
            let is_dir = entry.path().is_dir();
            Some(format!(
                "{dir_typed}{file}{}",
                if is_dir { "/" } else { "" }
            ))
        })
        .collect();
    found.sort();
    found.truncate(MOST_PATHS);
    found
}

#[cfg(test)]
mod tests {
    use super::paths_beginning;

    #[test]
    fn paths_are_completed_from_the_disk_as_typed() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["report.pdf", "report-draft.odt", ".hidden", "other.txt"] {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        let typed = format!("{}/rep", dir.path().display());
        let found = paths_beginning(&typed);
        let base = format!("{}/", dir.path().display());
        assert_eq!(
            found,
            [
                format!("{base}report-draft.odt"),
                format!("{base}report.pdf"),
                format!("{base}reports/"),
            ]
        );
        assert!(
            paths_beginning(&base)
                .iter()
                .all(|p| !p.contains(".hidden"))
        );
        assert_eq!(
            paths_beginning(&format!("{base}.h")),
            [format!("{base}.hidden")]
        );
        assert!(paths_beginning("/no/such/dir/x").is_empty());
    }
}

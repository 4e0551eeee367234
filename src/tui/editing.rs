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

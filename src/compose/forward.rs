//! Switching a forward between inline and attached in the review, keeping what the
//! user wrote and chose: the headers, their own text, the files they added.

use crate::mime::reply::FORWARD_MARKER;
use crate::store::{DraftFileSource, NewDraft};

/// `new` (the other kind of forward of the same message) with `old`'s headers, the
/// text written above the forwarded part (the signature left to `new`), and the
/// files added by hand (files from disk; the original's own are in `new` already).
pub fn switch_forward(old: &NewDraft, new: &NewDraft) -> NewDraft {
    let own: Vec<&str> = old
        .written
        .body
        .lines()
        .take_while(|line| *line != "-- " && line.trim() != FORWARD_MARKER)
        .collect();
    let own = own.join("\n");
    let own = own.trim_end();
    let mut draft = new.clone();
    let (from, to) = (&old.written, &mut draft.written);
    to.from.clone_from(&from.from);
    to.to.clone_from(&from.to);
    to.cc.clone_from(&from.cc);
    to.bcc.clone_from(&from.bcc);
    to.subject.clone_from(&from.subject);
    if !own.is_empty() {
        to.body = format!("{own}\n\n{}", new.written.body.trim_start_matches('\n'));
    }
    draft.files.extend(
        old.files
            .iter()
            .filter(|f| matches!(f.source, DraftFileSource::Path(_)))
            .cloned(),
    );
    draft
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::compose::Written;
    use crate::store::DraftFile;

    fn file(name: &str, source: DraftFileSource) -> DraftFile {
        DraftFile {
            filename: name.into(),
            mime_type: "application/octet-stream".into(),
            source,
        }
    }

    #[test]
    fn the_headers_the_own_text_and_added_files_move_over() {
        let old = NewDraft {
            written: Written {
                from: "ada@example.org".into(),
                to: "bob@example.org".into(),
                subject: "Fwd: Plans (see below)".into(),
                body: format!("Bob, look:\n\n{FORWARD_MARKER}\nFrom: x\n\nquoted\n-- \nAda\n"),
                ..Written::default()
            },
            files: vec![
                file("original.pdf", DraftFileSource::Bytes(vec![1])),
                file(
                    "mine.txt",
                    DraftFileSource::Path("/home/ada/mine.txt".into()),
                ),
            ],
            ..NewDraft::default()
        };
        let attached = NewDraft {
            written: Written {
                from: "ada@example.org".into(),
                subject: "Fwd: Plans".into(),
                body: "\n-- \nAda\n".into(),
                ..Written::default()
            },
            files: vec![file("Plans.eml", DraftFileSource::Bytes(vec![2]))],
            ..NewDraft::default()
        };
        let switched = switch_forward(&old, &attached);
        assert_eq!(switched.written.to, "bob@example.org");
        assert_eq!(switched.written.subject, "Fwd: Plans (see below)");
        assert_eq!(switched.written.body, "Bob, look:\n\n-- \nAda\n");
        let names: Vec<&str> = switched.files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, vec!["Plans.eml", "mine.txt"]);
    }
}

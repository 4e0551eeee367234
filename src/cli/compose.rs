//! `postern compose`: write a message in your editor, then send, edit again,
//! postpone or discard it, as mutt's compose menu asks. The draft is in the store
//! from the first moment, so nothing typed is lost: an editor that cannot start, a
//! postern that is killed, or input that ends all leave it there for `postern drafts`.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::compose::{
    Begin, Checked, EditFile, Editor, EditorOrigin, Mailto, begin, check, choose_editor_from,
    outgoing_message, parse_mailto, run_editor,
};
use crate::config::{Account, Config};
use crate::mime::compose::guess_mime_type;
use crate::paths::Paths;
use crate::store::{AccountId, DraftFile, DraftFileSource, DraftId, NewDraft, Store};
use crate::sync::outbox::queue_message;

use super::{drafts, remote, send};

/// What `postern compose` was given: the start of the message.
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// The account to write from (default: the one with `default = true`, else the first).
    pub account: Option<String>,
    /// Recipient (repeat, or separate with commas).
    #[arg(long, value_name = "ADDRESS")]
    pub to: Vec<String>,
    /// Copy to (repeat, or separate with commas).
    #[arg(long, value_name = "ADDRESS")]
    pub cc: Vec<String>,
    /// Blind copy to: receives the message without being named in it.
    #[arg(long, value_name = "ADDRESS")]
    pub bcc: Vec<String>,
    #[arg(long)]
    pub subject: Option<String>,
    /// Attach a file (repeatable); it is read when the message is sent.
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// Start from a mailto: link (RFC 6068); --to, --cc and --bcc add to its
    /// recipients, --subject replaces its subject.
    #[arg(long, value_name = "URI")]
    pub mailto: Option<String>,
}

/// `postern compose`.
pub fn compose(
    paths: &Paths,
    config: &Config,
    account: &Account,
    args: &Args,
) -> anyhow::Result<ExitCode> {
    let mailto = match &args.mailto {
        Some(uri) => parse_mailto(uri)?,
        None => Mailto::default(),
    };
    for name in &mailto.ignored {
        say!(
            "postern: the mailto: link's `{name}` is not used (a link fills only To, Cc, Bcc, \
             Subject, the text and In-Reply-To)"
        );
    }
    let files = attachments(&args.attach)?;
    let (editor, origin) = choose_editor_from(config.compose.editor.as_ref(), |name| {
        std::env::var_os(name)
    });
    let Editor::Command(command) = editor else {
        anyhow::bail!(
            "the built-in editor needs the TUI, and no other editor is set\n  \
             hint: set $EDITOR (or $VISUAL, or `editor` in the [compose] table of the config \
             file) to an editor such as `vim`, `nano` or `emacsclient -t`"
        );
    };

    let (mut store, account_id) = remote::open_store(paths, account)?;
    drafts::recover(paths, &mut store);
    let mut known = mailto.written();
    add_addresses(&mut known.to, &args.to);
    add_addresses(&mut known.cc, &args.cc);
    add_addresses(&mut known.bcc, &args.bcc);
    if let Some(subject) = &args.subject {
        known.subject = subject.clone();
    }
    let begun = begin(account, &config.compose, Begin::New(&known))?;
    for note in &begun.notes {
        say!("postern: {note}");
    }
    let mut draft = begun.draft;
    mailto.thread(&mut draft);
    draft.files = files;
    let id = store.save_draft(account_id, None, &draft)?;
    Session {
        paths,
        account,
        store,
        account_id,
        id,
        draft,
        command,
        origin,
        answers: Answers::stdin(),
    }
    .run()
}

/// `--to a --to "b, c"` -> `a, b, c`, after what the link gave.
fn add_addresses(list: &mut String, more: &[String]) {
    for item in more
        .iter()
        .map(|item| item.trim())
        .filter(|i| !i.is_empty())
    {
        if !list.trim().is_empty() {
            list.push_str(", ");
        }
        list.push_str(item);
    }
}

/// The `--attach` files: each must be a file now (named when it is not), kept by
/// its absolute path and read when the message is sent.
fn attachments(paths: &[PathBuf]) -> anyhow::Result<Vec<DraftFile>> {
    paths
        .iter()
        .map(|path| {
            let absolute = std::path::absolute(path)
                .with_context(|| format!("cannot attach {}", path.display()))?;
            let metadata = std::fs::metadata(&absolute)
                .with_context(|| format!("cannot attach {}", path.display()))?;
            if !metadata.is_file() {
                anyhow::bail!("cannot attach {}: it is not a file", path.display());
            }
            let filename = absolute
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| "attachment".to_owned());
            Ok(DraftFile {
                mime_type: guess_mime_type(&filename),
                filename,
                source: DraftFileSource::Path(absolute),
            })
        })
        .collect()
}

/// One message being written: its draft in the store and the editor.
struct Session<'a> {
    paths: &'a Paths,
    account: &'a Account,
    store: Store,
    account_id: AccountId,
    id: DraftId,
    draft: NewDraft,
    command: String,
    origin: Option<EditorOrigin>,
    answers: Answers,
}

/// What the compose menu can be told.
enum Choice {
    Send,
    Edit,
    Postpone,
    Discard,
}

impl Session<'_> {
    fn run(mut self) -> anyhow::Result<ExitCode> {
        loop {
            if let Err(error) = self.edit() {
                say!("postern: {error:#}");
                self.kept();
                return Ok(ExitCode::FAILURE);
            }
            let checked = check(&self.draft);
            self.summary(&checked);
            loop {
                match self.choose()? {
                    Choice::Edit => break,
                    Choice::Postpone => {
                        self.kept();
                        return Ok(ExitCode::SUCCESS);
                    }
                    Choice::Discard => {
                        if self.confirm("Discard this message? [y/N] ")? {
                            self.store.delete_draft(self.id)?;
                            say!("postern: discarded");
                            return Ok(ExitCode::SUCCESS);
                        }
                    }
                    Choice::Send => {
                        let checked = check(&self.draft);
                        if !checked.errors.is_empty() {
                            for error in &checked.errors {
                                say!("postern: cannot send: {error}");
                            }
                            say!("  edit the message (e) to mend it, or postpone it (p)");
                            continue;
                        }
                        if !checked.warnings.is_empty() {
                            for warning in &checked.warnings {
                                say!("postern: {warning}");
                            }
                            if !self.confirm("Send anyway? [y/N] ")? {
                                continue;
                            }
                        }
                        if let Some(code) = self.send()? {
                            return Ok(code);
                        }
                    }
                }
            }
        }
    }

    /// One round in the editor: the draft written to its file, edited, read back,
    /// saved; the file removed only then.
    fn edit(&mut self) -> anyhow::Result<()> {
        let file = EditFile::for_draft(&self.paths.drafts_dir(), self.id);
        let _hold = file
            .hold()
            .with_context(|| format!("cannot start editing draft {}", self.id.0))?;
        file.write(&self.draft.written.to_text())
            .with_context(|| format!("writing {}", file.path().display()))?;
        if let Err(error) = run_editor(&self.command, file.path()) {
            if !error.text_is_written() {
                // Nothing was edited: the file holds the draft as saved.
                let _ = file.remove();
                return Err(error.with_origin(self.origin).into());
            }
            say!("postern: note: {error}");
        }
        let Some(edited) = file
            .read()
            .with_context(|| format!("reading {}", file.path().display()))?
        else {
            say!(
                "postern: note: the editor removed {}; the message is as it was",
                file.path().display()
            );
            return Ok(());
        };
        let (written, problems) = edited.written();
        for problem in &problems {
            say!("postern: line {}: {}", problem.line, problem.message);
        }
        self.draft.written = written;
        self.store
            .save_draft(self.account_id, Some(self.id), &self.draft)?;
        file.remove()
            .with_context(|| format!("removing {}", file.path().display()))?;
        Ok(())
    }

    /// What is about to be sent, and what is wrong with it.
    fn summary(&self, checked: &Checked) {
        let written = &self.draft.written;
        let or_none = |text: &str| {
            if text.trim().is_empty() {
                "(none)".to_owned()
            } else {
                text.trim().to_owned()
            }
        };
        say!("");
        say!("From:    {}", or_none(&written.from));
        say!("To:      {}", or_none(&written.to));
        if !written.cc.trim().is_empty() {
            say!("Cc:      {}", written.cc.trim());
        }
        if !written.bcc.trim().is_empty() {
            say!("Bcc:     {}", written.bcc.trim());
        }
        say!("Subject: {}", or_none(&written.subject));
        for file in &self.draft.files {
            say!("Attach:  {} ({})", file.filename, file.mime_type);
        }
        say!("{} line(s) of text", written.body.lines().count());
        for error in &checked.errors {
            say!("error:   {error}");
        }
        for warning in &checked.warnings {
            say!("warning: {warning}");
        }
    }

    fn choose(&mut self) -> anyhow::Result<Choice> {
        loop {
            prompt("y = send, e = edit, p = postpone, q = discard: ");
            let Some(answer) = self.answers.line().context("reading the answer")? else {
                // No more input: keep the message, never lose it.
                eprintln!();
                return Ok(Choice::Postpone);
            };
            match answer.as_str() {
                "y" | "yes" | "s" | "send" => return Ok(Choice::Send),
                "e" | "edit" => return Ok(Choice::Edit),
                "p" | "postpone" => return Ok(Choice::Postpone),
                "q" | "quit" | "discard" => return Ok(Choice::Discard),
                _ => say!("postern: answer y, e, p or q"),
            }
        }
    }

    /// A yes/no question; no more input is no.
    fn confirm(&mut self, question: &str) -> anyhow::Result<bool> {
        prompt(question);
        let answer = self.answers.line().context("reading the answer")?;
        Ok(matches!(answer.as_deref(), Some("y" | "yes")))
    }

    fn kept(&self) {
        say!(
            "postern: the message is kept as draft {} of {}; `postern drafts` lists it",
            self.id.0,
            self.account.name
        );
    }

    /// Queues the message and sends it. `None`: nothing was queued (said why), the
    /// draft is kept, back to the menu. The draft is deleted once the message is in
    /// the outbox, which keeps it until the server took it.
    fn send(&mut self) -> anyhow::Result<Option<ExitCode>> {
        let raw = match outgoing_message(&self.draft) {
            Ok(raw) => raw,
            Err(error) => {
                say!("postern: not sent: {error}");
                return Ok(None);
            }
        };
        let runtime = super::runtime()?;
        runtime.block_on(async {
            let credentials = match send::sending_credentials(self.paths, self.account).await {
                Ok(credentials) => credentials,
                Err(error) => {
                    say!("postern: {error:#}");
                    say!("  the draft is kept: send it again (y) once that is fixed, or postpone it (p)");
                    return Ok(None);
                }
            };
            let queued = match queue_message(&self.store, self.account_id, &raw) {
                Ok(queued) => queued,
                Err(error) => {
                    say!("postern: not sent: {error}");
                    return Ok(None);
                }
            };
            if let Err(error) = self.store.delete_draft(self.id) {
                say!(
                    "postern: the message is queued, but its draft {} could not be deleted: {error}",
                    self.id.0
                );
            }
            let code = send::send_queued(
                self.account,
                &credentials,
                (&mut self.store, self.account_id),
                queued,
            )
            .await?;
            Ok(Some(code))
        })
    }
}

fn prompt(text: &str) {
    let mut err = io::stderr().lock();
    let _ = write!(err, "{text}");
    let _ = err.flush();
}

/// Answers typed (or piped) on stdin, read a byte at a time: nothing past the line is
/// taken, so an editor started next gets the rest of the input.
struct Answers {
    input: Box<dyn Read>,
    /// Input that is not a terminal is not echoed: show each answer after its
    /// question, so what was asked and answered reads as on a terminal.
    echo: bool,
}

impl Answers {
    fn stdin() -> Answers {
        use std::os::fd::AsFd;
        let input: Box<dyn Read> = match io::stdin().as_fd().try_clone_to_owned() {
            Ok(fd) => Box::new(File::from(fd)),
            Err(_) => Box::new(io::stdin()),
        };
        Answers {
            input,
            echo: !io::stdin().is_terminal(),
        }
    }

    /// The next line, trimmed and in lower case; `None` at the end of input.
    fn line(&mut self) -> io::Result<Option<String>> {
        let mut bytes = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match self.input.read(&mut byte) {
                Ok(0) if bytes.is_empty() => return Ok(None),
                Ok(0) => break,
                Ok(_) if byte[0] == b'\n' => break,
                Ok(_) => bytes.push(byte[0]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        let answer = String::from_utf8_lossy(&bytes).trim().to_lowercase();
        if self.echo {
            say!("{answer}");
        }
        Ok(Some(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_a_line_at_a_time_and_end_with_the_input() {
        let mut answers = Answers {
            input: Box::new(io::Cursor::new(b" Y \r\nsend anyway\nq".to_vec())),
            echo: false,
        };
        assert_eq!(answers.line().unwrap().as_deref(), Some("y"));
        assert_eq!(answers.line().unwrap().as_deref(), Some("send anyway"));
        assert_eq!(answers.line().unwrap().as_deref(), Some("q"));
        assert_eq!(answers.line().unwrap(), None);
    }

    #[test]
    fn addresses_from_flags_follow_the_link() {
        let mut to = "a@x.example".to_owned();
        add_addresses(
            &mut to,
            &["b@y.example".into(), " ".into(), "c@z.example".into()],
        );
        assert_eq!(to, "a@x.example, b@y.example, c@z.example");
        let mut empty = String::new();
        add_addresses(&mut empty, &["b@y.example".into()]);
        assert_eq!(empty, "b@y.example");
    }

    #[test]
    fn a_missing_attachment_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pdf");
        let error = attachments(std::slice::from_ref(&missing)).unwrap_err();
        assert!(
            format!("{error:#}").contains(&missing.display().to_string()),
            "{error:#}"
        );
        let present = dir.path().join("report.pdf");
        std::fs::write(&present, b"%PDF").unwrap();
        let files = attachments(std::slice::from_ref(&present)).unwrap();
        assert_eq!(files[0].filename, "report.pdf");
        assert_eq!(files[0].mime_type, "application/pdf");
        assert!(files[0].source == DraftFileSource::Path(present));
        let error = attachments(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(error.to_string().contains("not a file"), "{error}");
    }
}

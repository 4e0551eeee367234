//! The real TUI loop against real mail: `run_loop` in a task, drawing to a
//! `TestBackend` the test reads while it runs, keys fed through a channel, and a
//! real engine on accounts of the test mail stack (or a local Maildir tree). What
//! the keys did is then checked where the mail lives: on the server with another
//! IMAP client ([`Server`]), or on disk.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crossterm::event::Event as TermEvent;
use postern::config::Config;
use postern::engine::{BackoffPolicy, Engine, EngineOptions};
use postern_test_stack::{LineConn, Stack, TestUser};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::{buffer_text, keys};

/// Longest wait for anything to show, on screen or on the server.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(25);

// ---------- a screen the test reads while the loop draws ----------

/// A `TestBackend` shared between the loop (which draws) and the test (which reads).
#[derive(Clone)]
pub struct SharedBackend(Arc<Mutex<TestBackend>>);

impl SharedBackend {
    pub fn new(width: u16, height: u16) -> SharedBackend {
        SharedBackend(Arc::new(Mutex::new(TestBackend::new(width, height))))
    }

    fn lock(&self) -> MutexGuard<'_, TestBackend> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The screen as last drawn, one line per row.
    pub fn text(&self) -> String {
        buffer_text(&self.lock())
    }
}

impl Backend for SharedBackend {
    type Error = <TestBackend as Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.lock().draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.lock().show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.lock().get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.lock().set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.lock().clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.lock().clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.lock().size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.lock().window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.lock().flush()
    }
}

// ---------- accounts ----------

/// How an account reaches its mail.
pub enum Kind {
    Imap,
    Pop3,
    Maildir(PathBuf),
}

/// `[accounts.<name>]` for `user` of the stack; its password is read from a file
/// under `dir` by `password_command`.
pub fn account_config(dir: &Path, name: &str, user: &TestUser, kind: &Kind) -> String {
    let stack = Stack::shared();
    let ports = stack.ports();
    let (receive, port) = match kind {
        Kind::Imap => ("imap", ports.imaps),
        Kind::Pop3 => ("pop3", ports.pop3s),
        Kind::Maildir(root) => {
            return format!(
                "[accounts.{name}]\nemail = \"{}\"\nprovider = \"generic\"\n\
                 receive = \"maildir\"\nmaildir = \"{}\"\n",
                user.name,
                root.display()
            );
        }
    };
    let secret = dir.join(format!("{name}.pw"));
    std::fs::write(&secret, &user.password).unwrap();
    format!(
        "[accounts.{name}]\nemail = \"{}\"\nprovider = \"generic\"\nreceive = \"{receive}\"\n\
         {receive} = {{ host = \"localhost\", port = {port}, tls = \"implicit\" }}\n\
         smtp = {{ host = \"localhost\", port = {}, tls = \"implicit\" }}\n\
         ca_file = \"{}\"\nauth = {{ method = \"password\", password_command = \"cat {}\" }}\n",
        user.name,
        ports.submissions,
        stack.ca_file().display(),
        secret.display()
    )
}

pub fn parse_config(text: &str) -> Config {
    Config::parse_str(text, Path::new("test.toml"))
        .unwrap_or_else(|error| panic!("{error}\n{text}"))
}

/// The engine's tuning for tests: reconnects come quickly; `config`'s `[compose]`.
pub fn engine_options(config: &Config) -> EngineOptions {
    EngineOptions {
        compose: config.compose.clone(),
        backoff: BackoffPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(400),
        },
        ..EngineOptions::default()
    }
}

// ---------- the running UI ----------

/// `run_loop` with a real engine, in a task; the test presses keys and reads the
/// screen. End it with [`Live::quit`].
pub struct Live {
    screen: SharedBackend,
    keys: Option<UnboundedSender<io::Result<TermEvent>>>,
    ui: Option<JoinHandle<io::Result<()>>>,
    engine: Option<Engine>,
    _dir: tempfile::TempDir,
}

impl Live {
    /// The UI on `config`'s accounts in a terminal of `size`, with a new store.
    pub fn start(config: &Config, size: (u16, u16)) -> Live {
        Live::start_editing(config, size, None)
    }

    /// [`Live::start`] where messages are written with the shell command `editor`
    /// (`None`: postern's own editor).
    pub fn start_editing(config: &Config, size: (u16, u16), editor: Option<String>) -> Live {
        let dir = tempfile::tempdir().unwrap();
        let (engine, events) = Engine::start_with(
            &dir.path().join("store.sqlite3"),
            &dir.path().join("tokens"),
            &config.accounts,
            engine_options(config),
        )
        .unwrap();
        let screen = SharedBackend::new(size.0, size.1);
        let (key_tx, mut key_rx) = unbounded_channel::<io::Result<TermEvent>>();
        let input = futures_util::stream::poll_fn(move |cx| key_rx.poll_recv(cx));
        let settings = postern::tui::Settings {
            keys: config.keys.clone(),
            theme: postern::tui::theme::Theme::new(&config.theme, false),
            writing: postern::tui::Writing::new(
                &config.accounts,
                editor,
                dir.path().join("drafts"),
            ),
        };
        let commands = engine.commands();
        let backend = screen.clone();
        let ui = tokio::spawn(async move {
            let Ok(mut terminal) = Terminal::new(backend);
            postern::tui::run_loop(
                &mut terminal,
                input,
                commands,
                events,
                postern::tui::Loop {
                    tick: Duration::from_secs(1),
                    clock: now,
                    settings,
                    signals: None,
                },
            )
            .await
        });
        Live {
            screen,
            keys: Some(key_tx),
            ui: Some(ui),
            engine: Some(engine),
            _dir: dir,
        }
    }

    /// Presses the keys of `script` ("jj<Enter><C-r>", see [`keys`]), in order.
    pub fn press(&self, script: &str) {
        let sender = self.keys.as_ref().expect("the UI is running");
        for key in keys(script) {
            sender
                .send(Ok(TermEvent::Key(key)))
                .expect("the UI stopped taking keys");
        }
    }

    /// The screen as last drawn.
    pub fn screen(&self) -> String {
        self.screen.text()
    }

    /// Waits (bounded) until the screen contains `needle`; returns the screen.
    pub async fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?} on screen"), |screen| {
            screen.contains(needle)
        })
        .await
    }

    /// Waits (bounded) until `ok` holds for the screen; returns the screen.
    pub async fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if self.ui.as_ref().is_some_and(JoinHandle::is_finished) {
                panic!("the UI ended while waiting for {what}; screen:\n{screen}");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// The status line (the screen's last line).
    pub fn status_line(&self) -> String {
        self.screen().lines().last().unwrap_or_default().to_owned()
    }

    /// Ctrl-c, the loop's end (it must end cleanly), then the engine's shutdown.
    pub async fn quit(mut self) {
        self.press("<C-c>");
        self.keys = None;
        if let Some(ui) = self.ui.take() {
            let ended = tokio::time::timeout(WAIT, ui)
                .await
                .expect("the UI did not end after Ctrl-c")
                .expect("the UI task panicked");
            assert!(ended.is_ok(), "the UI ended with {ended:?}");
        }
        if let Some(engine) = self.engine.take() {
            tokio::time::timeout(WAIT, engine.shutdown())
                .await
                .expect("the engine did not shut down");
        }
    }
}

fn now() -> postern::tui::Clock {
    let now = chrono::Local::now();
    postern::tui::Clock {
        now: now.timestamp(),
        utc_offset: now.offset().local_minus_utc(),
    }
}

/// The list row of the message whose subject contains `subject`, from the list
/// pane's border on: its flag columns first (tagged, N, F, A, @).
pub fn row<'a>(screen: &'a str, subject: &str) -> Option<&'a str> {
    screen.lines().find_map(|line| {
        line.split('│')
            .find(|pane| pane.contains(subject))
            .filter(|pane| pane.chars().count() > 5)
    })
}

/// The folder pane's line for the folder whose label starts with `name` (its unread
/// count at the end), trimmed.
pub fn folder_row<'a>(screen: &'a str, name: &str) -> Option<&'a str> {
    screen.lines().find_map(|line| {
        let pane = line.split('│').nth(1)?.trim();
        pane.starts_with(name).then_some(pane)
    })
}

/// The five flag columns of the row of `subject`, or `None` when it is not listed.
pub fn flags_shown(screen: &str, subject: &str) -> Option<String> {
    row(screen, subject).map(|row| row.chars().take(5).collect())
}

// ---------- the server, seen by another client ----------

/// A message as another IMAP client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub uid: u32,
    pub subject: String,
    pub flags: Vec<String>,
}

/// Every folder of the account and its messages, as another client sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub folders: BTreeMap<String, Vec<Mail>>,
}

impl Snapshot {
    /// The folders holding a message whose subject contains `subject`.
    pub fn folders_of(&self, subject: &str) -> Vec<&str> {
        self.folders
            .iter()
            .filter(|(_, mails)| mails.iter().any(|m| m.subject.contains(subject)))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// The messages whose subject contains `subject`, in every folder (a message
    /// being moved may briefly be in both).
    pub fn mails(&self, subject: &str) -> Vec<&Mail> {
        self.folders
            .values()
            .flatten()
            .filter(|m| m.subject.contains(subject))
            .collect()
    }

    /// The first message whose subject contains `subject`.
    pub fn mail(&self, subject: &str) -> Option<&Mail> {
        self.mails(subject).into_iter().next()
    }

    /// Whether a message whose subject contains `subject` has `flag`.
    pub fn has_flag(&self, subject: &str, flag: &str) -> bool {
        self.mails(subject)
            .iter()
            .any(|m| m.flags.iter().any(|f| f.eq_ignore_ascii_case(flag)))
    }

    pub fn count(&self, folder: &str) -> usize {
        self.folders.get(folder).map_or(0, Vec::len)
    }

    pub fn has_folder(&self, folder: &str) -> bool {
        self.folders.contains_key(folder)
    }
}

/// Another IMAP client on a stack user's mailbox.
pub struct Server {
    conn: LineConn,
    user: TestUser,
    tag: u32,
}

impl Server {
    pub async fn login(user: &TestUser) -> Server {
        let conn = Stack::shared().imap_login(user).await.unwrap();
        Server {
            conn,
            user: user.clone(),
            tag: 0,
        }
    }

    /// Runs `command`; the answer's lines, up to the tagged one (any status).
    pub async fn try_run(&mut self, command: &str) -> Vec<String> {
        self.tag += 1;
        let tag = format!("s{}", self.tag);
        self.conn.imap(&tag, command).await.unwrap()
    }

    /// Runs `command`, which must succeed.
    pub async fn run(&mut self, command: &str) -> Vec<String> {
        let reply = self.try_run(command).await;
        let ok = reply
            .last()
            .is_some_and(|line| line.split_whitespace().nth(1) == Some("OK"));
        assert!(ok, "{command}: {reply:?}");
        reply
    }

    /// Appends a message with `subject` to `folder`, dated `hours_ago` hours back
    /// (the list shows the newest first), with IMAP `flags` ("" or "\\Seen").
    pub async fn append(&mut self, folder: &str, subject: &str, hours_ago: i64, flags: &str) {
        let date = chrono::Utc::now() - chrono::Duration::hours(hours_ago);
        let slug: String = subject
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let message = format!(
            "From: Tess Tester <tess@example.test>\r\nTo: {}\r\nSubject: {subject}\r\n\
             Date: {}\r\nMessage-ID: <{slug}.{}@postern.test>\r\n\r\nThe body of {subject}.\r\n",
            self.user.name,
            date.format("%a, %d %b %Y %H:%M:%S +0000"),
            date.timestamp_millis(),
        );
        self.tag += 1;
        let tag = format!("s{}", self.tag);
        let internal = date.format("%d-%b-%Y %H:%M:%S +0000");
        self.conn
            .send(&format!(
                "{tag} APPEND \"{folder}\" ({flags}) \"{internal}\" {{{}+}}",
                message.len()
            ))
            .await
            .unwrap();
        // send() ends the literal with the CRLF that ends the command.
        self.conn.send(&message).await.unwrap();
        let prefix = format!("{tag} ");
        let reply = self
            .conn
            .until(|line| line.starts_with(&prefix))
            .await
            .unwrap();
        assert!(
            reply
                .last()
                .is_some_and(|l| l.starts_with(&format!("{tag} OK"))),
            "APPEND {subject}: {reply:?}"
        );
    }

    /// Appends `subjects` to `folder`, the first newest.
    pub async fn fill(&mut self, folder: &str, subjects: &[&str]) {
        for (n, subject) in subjects.iter().enumerate() {
            self.append(folder, subject, n as i64 + 1, "").await;
        }
    }

    /// The account's folder names.
    pub async fn folders(&mut self) -> Vec<String> {
        let reply = self.run("LIST \"\" \"*\"").await;
        reply
            .iter()
            .filter_map(|line| line.strip_prefix("* LIST "))
            .filter_map(|rest| rest.rsplit_once(" \"/\" ").map(|(_, name)| name))
            .map(|name| name.trim_matches('"').to_owned())
            .collect()
    }

    /// A folder's messages (none when it does not exist).
    pub async fn messages(&mut self, folder: &str) -> Vec<Mail> {
        let examine = self.try_run(&format!("EXAMINE \"{folder}\"")).await;
        let empty = examine.iter().any(|l| l == "* 0 EXISTS");
        let ok = examine
            .last()
            .is_some_and(|l| l.split_whitespace().nth(1) == Some("OK"));
        if !ok || empty {
            return Vec::new();
        }
        let reply = self
            .run("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            .await;
        let mut mails = Vec::new();
        let mut current: Option<Mail> = None;
        for line in &reply {
            if line.starts_with("* ") && line.contains(" FETCH (") {
                mails.extend(current.take());
                current = Some(Mail {
                    uid: number_after(line, "UID ").unwrap_or(0),
                    subject: String::new(),
                    flags: flags_in(line),
                });
            } else if let (Some(mail), Some(subject)) =
                (current.as_mut(), line.strip_prefix("Subject: "))
            {
                mail.subject = subject.to_owned();
            }
        }
        mails.extend(current);
        mails
    }

    /// Every folder and its messages, now.
    pub async fn snapshot(&mut self) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for folder in self.folders().await {
            let mails = self.messages(&folder).await;
            snapshot.folders.insert(folder, mails);
        }
        snapshot
    }

    /// Waits (bounded) until the server looks as `ok` wants; returns what it saw.
    pub async fn eventually(&mut self, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Snapshot {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let snapshot = self.snapshot().await;
            if ok(&snapshot) {
                return snapshot;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting on the server for {what}; it has {snapshot:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn number_after(line: &str, key: &str) -> Option<u32> {
    let at = line.find(key)? + key.len();
    line[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
}

fn flags_in(line: &str) -> Vec<String> {
    let Some(at) = line.find("FLAGS (") else {
        return Vec::new();
    };
    let rest = &line[at + "FLAGS (".len()..];
    let end = rest.find(')').unwrap_or(rest.len());
    rest[..end].split_whitespace().map(str::to_owned).collect()
}

// ---------- a local Maildir tree ----------

/// A Maildir++ tree under a temporary directory: the root is the inbox.
pub struct LocalTree {
    pub root: PathBuf,
    _dir: tempfile::TempDir,
}

impl LocalTree {
    /// A tree with the inbox and the folders `folders` (".Name" directories).
    pub fn new(folders: &[&str]) -> LocalTree {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("Mail");
        for folder in std::iter::once("").chain(folders.iter().copied()) {
            let path = LocalTree::dir_of(&root, folder);
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(path.join(sub)).unwrap();
            }
        }
        LocalTree { root, _dir: dir }
    }

    fn dir_of(root: &Path, folder: &str) -> PathBuf {
        if folder.is_empty() || folder == "INBOX" {
            root.to_path_buf()
        } else {
            root.join(format!(".{}", folder.replace('/', ".")))
        }
    }

    /// The directory of `folder` ("INBOX" is the root).
    pub fn folder(&self, folder: &str) -> PathBuf {
        LocalTree::dir_of(&self.root, folder)
    }

    /// Writes `subjects` into the inbox's cur/ (read: `:2,S`), the first newest.
    pub fn fill(&self, subjects: &[&str]) {
        let newest = 1_700_000_000 + 100 * subjects.len() as i64;
        for (n, subject) in subjects.iter().enumerate() {
            let time = newest - 100 * n as i64;
            let date = chrono::DateTime::from_timestamp(time, 0)
                .unwrap()
                .format("%a, %d %b %Y %H:%M:%S +0000");
            let name = format!("{time}.{n}.postern-test:2,S");
            std::fs::write(
                self.root.join("cur").join(name),
                format!(
                    "From: Tess Tester <tess@example.test>\nTo: me@example.test\n\
                     Subject: {subject}\nDate: {date}\n\nThe body of {subject}.\n"
                ),
            )
            .unwrap();
        }
    }

    /// The info part (`S`, `FS`, ...) of each message file of `folder` whose file
    /// holds `subject`.
    pub fn files_of(&self, folder: &str, subject: &str) -> Vec<String> {
        let dir = self.folder(folder);
        ["cur", "new"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
            .flatten()
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let text = std::fs::read_to_string(&path).ok()?;
                if !text.contains(&format!("Subject: {subject}")) {
                    return None;
                }
                let name = path.file_name()?.to_string_lossy().into_owned();
                Some(
                    name.rsplit_once(":2,")
                        .map_or("", |(_, info)| info)
                        .to_owned(),
                )
            })
            .collect()
    }

    /// Whether `folder/cur` (not new/) holds the message of `subject`.
    pub fn in_cur(&self, folder: &str, subject: &str) -> bool {
        let cur = self.folder(folder).join("cur");
        std::fs::read_dir(cur).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|entry| {
                std::fs::read_to_string(entry.path())
                    .is_ok_and(|text| text.contains(&format!("Subject: {subject}")))
            })
        })
    }
}

/// Waits (bounded) until `ok` holds (for state on disk).
pub async fn eventually(what: &str, ok: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

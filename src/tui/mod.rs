//! The terminal UI: Model / Msg / update -> effects / view.
//!
//! `update` and `view` are pure; this module owns the terminal and the one loop
//! that feeds keys, engine events and ticks to `update`, sends its effects to
//! the engine and redraws when the model says something changed.

pub mod acting;
pub mod completion;
pub mod composer;
pub mod editing;
pub mod keymap;
pub mod layer;
pub mod layout;
pub mod list;
pub mod model;
pub mod msg;
pub mod theme;
pub mod update;
pub mod view;
pub mod writer;

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::engine::{Command, Event};

pub use model::{Model, Settings, Writing};
pub use msg::{Clock, Effect, Msg};
pub use update::update;
pub use view::view;

/// How often the loop wakes to follow the clock (dates are drawn to the minute).
const TICK: Duration = Duration::from_secs(1);

/// Whether this process has the terminal in raw mode / the alternate screen.
/// Shared with the panic hook, which has no other way to know.
static TERMINAL_TAKEN: AtomicBool = AtomicBool::new(false);

/// Run the UI until the user quits. The terminal is restored on every way out:
/// return, error, or panic.
pub async fn run(
    commands: UnboundedSender<Command>,
    events: UnboundedReceiver<Event>,
    settings: Settings,
) -> io::Result<()> {
    install_panic_hook();
    // A polite kill or a dropped SSH session ends the UI like `q` does, after the
    // drafts being written are saved (`Msg::Hangup`); the guard below still puts
    // the terminal back.
    let signals = stop_signals()?;
    let _guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    run_loop(
        &mut terminal,
        Tty::new()?,
        commands,
        events,
        Loop {
            tick: TICK,
            clock: local_clock,
            settings,
            signals: Some(signals),
        },
    )
    .await
}

/// SIGTERM and SIGHUP, as one stream of "stop now".
fn stop_signals() -> io::Result<UnboundedReceiver<()>> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = terminate.recv() => {}
                Some(()) = hangup.recv() => {}
                else => return,
            }
            if tx.send(()).is_err() {
                return;
            }
        }
    });
    Ok(rx)
}

/// How the loop runs: how often it wakes, where it reads the time, the settings
/// the model starts with, and the signals that stop it (SIGHUP, SIGTERM).
pub struct Loop<C> {
    pub tick: Duration,
    pub clock: C,
    pub settings: Settings,
    pub signals: Option<UnboundedReceiver<()>>,
}

/// Where the keys come from, and how the terminal is lent to an editor. Any key
/// stream is a host whose suspend does nothing (tests); [`Tty`] is the real one.
pub trait Host {
    type Input: Stream<Item = io::Result<TermEvent>> + Unpin;
    fn input(&mut self) -> &mut Self::Input;
    /// Stop reading the terminal and put it back as a shell has it.
    fn suspend(&mut self) -> io::Result<()>;
    /// Take the terminal again.
    fn resume(&mut self) -> io::Result<()>;
}

impl<S: Stream<Item = io::Result<TermEvent>> + Unpin> Host for S {
    type Input = S;

    fn input(&mut self) -> &mut S {
        self
    }

    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The real terminal. Its keys are read by a thread of ours with crossterm's
/// blocking `poll` and `read`, which stops reading while the terminal is lent to
/// an editor. (Not crossterm's `EventStream`: dropping one to stop its reader
/// leaves a wake-up behind, and a key that comes with it is lost; a new one made
/// while the old one's thread waits for a key waits for ever.)
pub struct Tty {
    keys: Keys,
    reader: Arc<Reader>,
}

/// The keys the reading thread sends.
pub struct Keys(UnboundedReceiver<io::Result<TermEvent>>);

impl Stream for Keys {
    type Item = io::Result<TermEvent>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// How long the reading thread waits for a key before it looks whether it must
/// stop: the longest an editor waits to get the terminal.
const READ_SLICE: Duration = Duration::from_millis(100);

/// What the loop and the reading thread say to each other.
#[derive(Default)]
struct Reader {
    state: Mutex<ReaderState>,
    changed: Condvar,
}

#[derive(Default)]
struct ReaderState {
    /// The terminal is lent: do not read it.
    lent: bool,
    /// The thread is not reading (it waits while the terminal is lent).
    idle: bool,
    /// The thread has ended.
    ended: bool,
}

impl Reader {
    fn lock(&self) -> MutexGuard<'_, ReaderState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, state: MutexGuard<'a, ReaderState>) -> MutexGuard<'a, ReaderState> {
        self.changed
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Lends the terminal or takes it back.
    fn set_lent(&self, lent: bool) {
        let mut state = self.lock();
        state.lent = lent;
        self.changed.notify_all();
        // Lent: only once the thread has stopped reading.
        while lent && !state.idle && !state.ended {
            state = self.wait(state);
        }
    }
}

impl Tty {
    fn new() -> io::Result<Tty> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let reader = Arc::new(Reader::default());
        let theirs = Arc::clone(&reader);
        std::thread::Builder::new()
            .name("keys".into())
            .spawn(move || read_keys(&theirs, &tx))?;
        Ok(Tty {
            keys: Keys(rx),
            reader,
        })
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        // The thread ends at its next look, when it sees the keys are not wanted.
        self.reader.set_lent(false);
    }
}

/// The reading thread: every event to `keys`, until the loop is gone or reading
/// fails; it does not read while the terminal is lent.
fn read_keys(reader: &Reader, keys: &UnboundedSender<io::Result<TermEvent>>) {
    struct Ended<'a>(&'a Reader);
    impl Drop for Ended<'_> {
        fn drop(&mut self) {
            self.0.lock().ended = true;
            self.0.changed.notify_all();
        }
    }
    let _ended = Ended(reader);
    loop {
        {
            let mut state = reader.lock();
            while state.lent {
                state.idle = true;
                reader.changed.notify_all();
                state = reader.wait(state);
            }
            state.idle = false;
        }
        if keys.is_closed() {
            return;
        }
        match crossterm::event::poll(READ_SLICE) {
            Ok(false) => continue,
            Ok(true) => {}
            Err(error) => {
                let _ = keys.send(Err(error));
                return;
            }
        }
        let event = crossterm::event::read();
        let failed = event.is_err();
        if keys.send(event).is_err() || failed {
            return;
        }
    }
}

impl Host for Tty {
    type Input = Keys;

    fn input(&mut self) -> &mut Keys {
        &mut self.keys
    }

    fn suspend(&mut self) -> io::Result<()> {
        // Not read while the editor has it: its keys are its own. (Waits for the
        // thread's current look, at most READ_SLICE.)
        self.reader.set_lent(true);
        leave_terminal()
    }

    fn resume(&mut self) -> io::Result<()> {
        take_terminal()?;
        self.reader.set_lent(false);
        Ok(())
    }
}

/// The event loop, generic over the backend, the input and the clock so tests can
/// drive it with `TestBackend`, a scripted key stream and a fixed time.
///
/// Ends with `Ok` on quit or when the input stream ends, with an error when the
/// terminal fails or the engine goes away.
pub async fn run_loop<B, H, C>(
    terminal: &mut Terminal<B>,
    mut host: H,
    commands: UnboundedSender<Command>,
    mut events: UnboundedReceiver<Event>,
    how: Loop<C>,
) -> io::Result<()>
where
    B: Backend,
    H: Host,
    C: FnMut() -> Clock,
{
    let Loop {
        tick,
        mut clock,
        settings,
        signals,
    } = how;
    let writing = settings.writing.clone();
    let size = terminal.size().map_err(backend_error)?;
    let mut model = Model::with_settings((size.width, size.height), clock(), settings);
    send(&commands, Command::LoadAccounts)?;
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Without signals (tests), a channel that never says anything.
    let (_quiet, quiet) = tokio::sync::mpsc::unbounded_channel();
    let mut signals = signals.unwrap_or(quiet);
    let mut stopping = false;
    let mut edits = editing::Edits::default();
    // Messages that effects answer at once (the editor ended), before any other.
    let mut answers: VecDeque<Msg> = VecDeque::new();
    loop {
        // Not while an answer waits: the frame would show the screen as it was
        // before the editor (its text not yet in the review).
        if answers.is_empty()
            && model.take_dirty()
            && let Err(error) = terminal.draw(|frame| view(&model, frame))
        {
            // The terminal is gone (a dropped SSH session): keep what is written.
            keep_and_stop(&mut model, &commands);
            return Err(backend_error(error));
        }
        let msg = match answers.pop_front() {
            Some(msg) => msg,
            // Engine events first: they only come in answer to what we asked, and
            // handling them in order keeps tests deterministic.
            None => tokio::select! {
                biased;
                Some(()) = signals.recv(), if !stopping => {
                    stopping = true;
                    Msg::Hangup
                }
                event = events.recv() => match event {
                    Some(event) => Msg::Engine(event),
                    None => return Err(engine_gone()),
                },
                input = host.input().next() => match input {
                    Some(Ok(TermEvent::Key(key))) => Msg::Key(key),
                    Some(Ok(TermEvent::Resize(w, h))) => Msg::Resize(w, h),
                    Some(Ok(TermEvent::Paste(text))) => Msg::Paste(text),
                    Some(Ok(_)) => continue,
                    // The terminal is gone: keep what is written, then stop.
                    Some(Err(e)) => {
                        keep_and_stop(&mut model, &commands);
                        return Err(e);
                    }
                    None => {
                        keep_and_stop(&mut model, &commands);
                        return Ok(());
                    }
                },
                _ = ticker.tick() => Msg::Tick(clock()),
            },
        };
        for effect in update(&mut model, msg) {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Engine(command) => send(&commands, command)?,
                Effect::Edit { draft, text } => {
                    let edited =
                        edit(terminal, &mut host, (&writing, &mut edits), draft, &text).await;
                    let outcome = match edited {
                        Ok(outcome) => outcome,
                        Err(error) => {
                            keep_and_stop(&mut model, &commands);
                            return Err(error);
                        }
                    };
                    answers.push_back(Msg::Edited { draft, outcome });
                }
                Effect::ForgetEdit(draft) => edits.forget(draft),
                Effect::Attach { draft, path } => {
                    let file = editing::look_at(&path);
                    answers.push_back(Msg::Attached { draft, file });
                }
                Effect::CompletePath { partial } => {
                    let found = editing::paths_beginning(&partial);
                    answers.push_back(Msg::PathsFound { partial, found });
                }
            }
        }
    }
}

/// The terminal failed: what is being written is saved (the engine carries out the
/// saves before it shuts down); nothing else is done.
fn keep_and_stop(model: &mut Model, commands: &UnboundedSender<Command>) {
    for effect in update(model, Msg::Hangup) {
        if let Effect::Engine(command) = effect {
            let _ = commands.send(command);
        }
    }
}

/// Lends the terminal to the editor and takes it back exactly as it was, whatever
/// the editor did; the text is what it left in the file.
async fn edit<B: Backend, H: Host>(
    terminal: &mut Terminal<B>,
    host: &mut H,
    (writing, edits): (&Writing, &mut editing::Edits),
    draft: crate::store::DraftId,
    text: &str,
) -> io::Result<editing::EditOutcome> {
    let Some(command) = writing.editor.as_deref() else {
        return Ok(Err(
            "no editor is set: set $EDITOR, or `editor` in [compose]".into(),
        ));
    };
    let file = match edits.prepare(writing, draft, text) {
        Ok(file) => file,
        Err(why) => return Ok(Err(why)),
    };
    host.suspend()?;
    let outcome = editing::run(command, file).await;
    host.resume()?;
    // Everything on screen is stale after the editor: draw it all again. (Not with
    // `Terminal::clear`: it first asks the terminal where the cursor is and waits
    // for the answer, which a full screen has no use for.)
    let size = terminal.size().map_err(backend_error)?;
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
        .map_err(backend_error)?;
    Ok(outcome)
}

fn send(commands: &UnboundedSender<Command>, command: Command) -> io::Result<()> {
    commands.send(command).map_err(|_| engine_gone())
}

fn engine_gone() -> io::Error {
    io::Error::other("the mail engine stopped unexpectedly")
}

fn backend_error<E: std::error::Error>(error: E) -> io::Error {
    io::Error::other(format!("terminal: {error}"))
}

fn local_clock() -> Clock {
    let now = chrono::Local::now();
    Clock {
        now: now.timestamp(),
        utc_offset: now.offset().local_minus_utc(),
    }
}

/// Raw mode and the alternate screen for as long as it lives.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        // Built first, so a failure below still restores what was changed.
        let guard = TerminalGuard;
        take_terminal()?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Raw mode and the alternate screen.
fn take_terminal() -> io::Result<()> {
    TERMINAL_TAKEN.store(true, Ordering::SeqCst);
    enable_raw_mode()?;
    // Bracketed paste: a paste arrives as one text, not as keys that would act.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )
}

/// The terminal as a shell has it, for an editor.
fn leave_terminal() -> io::Result<()> {
    TERMINAL_TAKEN.store(false, Ordering::SeqCst);
    disable_raw_mode()?;
    execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    )
}

/// Put the terminal back as we found it; does nothing if we had not taken it.
fn restore_terminal() {
    if TERMINAL_TAKEN.load(Ordering::SeqCst) {
        // Best effort: there is nowhere left to report a failure to.
        let _ = leave_terminal();
    }
}

/// Restore the terminal before the panic message prints, so it is readable.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

//! The terminal UI: Model / Msg / update -> effects / view.
//!
//! `update` and `view` are pure; this module owns the terminal and the one loop
//! that feeds keys, engine events and ticks to `update`, sends its effects to
//! the engine and redraws when the model says something changed.

pub mod acting;
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

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream};
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

pub use model::{Model, Settings};
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
    // A polite kill or a dropped SSH session ends the UI like `q` does, so the
    // guard below still puts the terminal back.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let _guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    let ui = run_loop(
        &mut terminal,
        EventStream::new(),
        commands,
        events,
        Loop {
            tick: TICK,
            clock: local_clock,
            settings,
        },
    );
    tokio::select! {
        result = ui => result,
        _ = terminate.recv() => Ok(()),
        _ = hangup.recv() => Ok(()),
    }
}

/// How the loop runs: how often it wakes, where it reads the time, and the settings
/// the model starts with.
pub struct Loop<C> {
    pub tick: Duration,
    pub clock: C,
    pub settings: Settings,
}

/// The event loop, generic over the backend, the input stream and the clock
/// so tests can drive it with `TestBackend`, a scripted key stream and a fixed time.
///
/// Ends with `Ok` on quit or when the input stream ends, with an error when the
/// terminal fails or the engine goes away.
pub async fn run_loop<B, S, C>(
    terminal: &mut Terminal<B>,
    mut input: S,
    commands: UnboundedSender<Command>,
    mut events: UnboundedReceiver<Event>,
    how: Loop<C>,
) -> io::Result<()>
where
    B: Backend,
    S: Stream<Item = io::Result<TermEvent>> + Unpin,
    C: FnMut() -> Clock,
{
    let Loop {
        tick,
        mut clock,
        settings,
    } = how;
    let size = terminal.size().map_err(backend_error)?;
    let mut model = Model::with_settings((size.width, size.height), clock(), settings);
    send(&commands, Command::LoadAccounts)?;
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if model.take_dirty() {
            terminal
                .draw(|frame| view(&model, frame))
                .map_err(backend_error)?;
        }
        // Engine events first: they only come in answer to what we asked, and
        // handling them in order keeps tests deterministic.
        let msg = tokio::select! {
            biased;
            event = events.recv() => match event {
                Some(event) => Msg::Engine(event),
                None => return Err(engine_gone()),
            },
            input = input.next() => match input {
                Some(Ok(TermEvent::Key(key))) => Msg::Key(key),
                Some(Ok(TermEvent::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            _ = ticker.tick() => Msg::Tick(clock()),
        };
        for effect in update(&mut model, msg) {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Engine(command) => send(&commands, command)?,
            }
        }
    }
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
        TERMINAL_TAKEN.store(true, Ordering::SeqCst);
        // Built first, so a failure below still restores what was changed.
        let guard = TerminalGuard;
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Put the terminal back as we found it; does nothing if we had not taken it.
fn restore_terminal() {
    if TERMINAL_TAKEN.swap(false, Ordering::SeqCst) {
        // Best effort: there is nowhere left to report a failure to.
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
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

//! End to end: the real `postern demo` binary in a real terminal (tmux), driven by
//! keys and read back from the screen, then checked for a restored terminal.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A detached tmux session on a private server socket, killed on drop.
struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Start `command` in a `width`x`height` pane. The pane stays after the command
    /// exits, so the screen it leaves behind can be read.
    fn start(command: &str, width: u16, height: u16) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux is needed for this test: run scripts/test.sh, or apt-get install tmux"
        );
        let dir = tempfile::tempdir().unwrap();
        let tmux = Tmux {
            socket: dir.path().join("tmux.sock"),
            _dir: dir,
        };
        tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-e",
            "TERM=xterm-256color",
            command,
        ]);
        tmux.run(&["set-option", "-t", "e2e", "remain-on-exit", "on"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "e2e", key]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// The visible screen, one line per row.
    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// The screen and the scrollback above it.
    fn screen_and_history(&self) -> String {
        self.run(&["capture-pane", "-p", "-S", "-", "-t", "e2e"])
    }

    /// The screen including escape sequences as tmux would emit them (`-e`).
    fn screen_with_escapes(&self) -> String {
        self.run(&["capture-pane", "-p", "-e", "-t", "e2e"])
    }

    fn format(&self, fmt: &str) -> String {
        self.run(&["display-message", "-p", "-t", "e2e", fmt])
            .trim()
            .to_owned()
    }

    /// Wait until the screen contains `needle` (bounded), returning the screen.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// postern exited with 0 and left the terminal as it found it: main screen, cursor
/// shown, cooked mode (the pane's command prints `exit=$?` and `stty -a` afterwards).
fn assert_terminal_restored(tmux: &Tmux) {
    let after = tmux.screen_and_history();
    assert!(after.contains("exit=0"), "{after}");
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor left hidden");
    let modes: Vec<&str> = after.split_whitespace().collect();
    assert!(
        modes.contains(&"icanon") && modes.contains(&"echo"),
        "raw mode left on:\n{after}"
    );
}

/// The README's first command, as a newcomer would run it: two accounts, folders and a
/// message list; an HTML message rendered as text; the hostile sample drawn harmlessly;
/// `q` closes the message, `q` again quits, and the terminal is back as it was (main screen, cursor, cooked mode).
#[test]
fn demo_in_a_real_terminal() {
    let postern = env!("CARGO_BIN_EXE_postern");
    // After postern exits, `stty -a` prints the line discipline it left behind.
    // The shell then stays, so tmux still reports on a live pane.
    let command = format!("{postern} demo; echo \"exit=$?\"; stty -a; sleep 60");
    let tmux = Tmux::start(&command, 120, 40);

    let first = tmux.wait_for("Grace Okafor");
    assert!(first.contains("1 work"), "{first}");
    assert!(first.contains("2 personal"), "{first}");
    for folder in ["INBOX", "Archive", "Sent"] {
        assert!(first.contains(folder), "{folder} missing:\n{first}");
    }
    assert!(first.contains("Engineering Weekly #142"), "{first}");

    // The HTML-only newsletter is the 9th message of work's INBOX.
    tmux.keys(&["j", "j", "j", "j", "j", "j", "j", "j", "Enter"]);
    let html = tmux.wait_for("## Rust at Contoso: one year in");
    assert!(
        !html.contains("<h2>"),
        "HTML tags reached the screen:\n{html}"
    );
    assert!(html.contains("From: Contoso Engineering Weekly"), "{html}");

    // The personal account's hostile sample: its subject is drawn, its escapes are not.
    tmux.keys(&["Escape", "2"]);
    let personal = tmux.wait_for("URGENT mailbox full");
    assert!(personal.contains("Привет из Москвы!"), "{personal}");
    tmux.keys(&["j", "j", "j", "j", "Enter"]);
    tmux.wait_for("Right-to-left override");
    let raw = tmux.screen_with_escapes();
    assert!(
        !raw.contains("\u{1b}]"),
        "an OSC sequence from mail reached the terminal"
    );
    assert!(
        !raw.contains("\u{1b}[2J"),
        "a clear-screen from mail reached the terminal"
    );
    assert!(
        !tmux.format("#{pane_title}").contains("hacked"),
        "mail set the window title"
    );

    // q closes the message (as in NeoMutt and aerc), q again quits.
    tmux.keys(&["q"]);
    tmux.wait_for("Привет из Москвы!");
    tmux.keys(&["q"]);
    tmux.wait_for("icanon");
    assert_terminal_restored(&tmux);
}

/// `kill` (SIGTERM) ends postern like `q` does: the terminal is put back.
#[test]
fn terminal_restored_after_sigterm() {
    let postern = env!("CARGO_BIN_EXE_postern");
    let command = format!("{postern} demo; echo \"exit=$?\"; stty -a; sleep 60");
    let tmux = Tmux::start(&command, 100, 30);
    tmux.wait_for("Grace Okafor");
    let shell = tmux.format("#{pane_pid}");
    let out = Command::new("pkill")
        .args(["-TERM", "-P", &shell, "-x", "postern"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "no postern child of pane shell {shell}"
    );
    tmux.wait_for("icanon");
    assert_terminal_restored(&tmux);
}

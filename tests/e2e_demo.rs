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
        let tmux = Tmux { socket: dir.path().join("tmux.sock"), _dir: dir };
        tmux.run(&[
            "-f", "/dev/null", "new-session", "-d", "-s", "e2e",
            "-x", &width.to_string(), "-y", &height.to_string(),
            "-e", "TERM=xterm-256color", command,
        ]);
        tmux.run(&["set-option", "-t", "e2e", "remain-on-exit", "on"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().unwrap();
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
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

    /// The screen including escape sequences as tmux would emit them (`-e`).
    fn screen_with_escapes(&self) -> String {
        self.run(&["capture-pane", "-p", "-e", "-t", "e2e"])
    }

    fn format(&self, fmt: &str) -> String {
        self.run(&["display-message", "-p", "-t", "e2e", fmt]).trim().to_owned()
    }

    /// Wait until the screen contains `needle` (bounded), returning the screen.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {needle:?}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_until_exited(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.format("#{pane_dead}") != "1" {
            assert!(Instant::now() < deadline, "postern did not exit; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-S").arg(&self.socket).arg("kill-server").output();
    }
}

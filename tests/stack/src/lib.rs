//! A real mail stack for postern's tests: Dovecot 2.3 (IMAP, POP3, submission, LMTP)
//! with a per-run test CA, a test OAuth2 identity provider, and an SMTP sink, all on
//! loopback, started and stopped by the tests themselves. See docs/testing.md.
//!
//! ```no_run
//! let stack = postern_test_stack::Stack::shared();
//! let alice = stack.new_user("alice").unwrap();
//! let token = stack.token_for(&alice.name).unwrap();
//! // connect to stack.ports().imaps trusting stack.ca_file() ...
//! ```
//!
//! This crate is test support: [`Stack::shared`] panics (failing the test) when the stack
//! cannot start; everything else returns [`StackError`].

pub mod certs;
mod dovecot;
pub mod error;
pub mod idp;
mod lmtp;
pub mod ports;
pub mod seed;
pub mod sink;
pub mod sweep;
pub mod system;
pub mod wire;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use certs::Certs;
pub use error::StackError;
pub use idp::{ClientSpec, DeviceState, Endpoint, Fault, Flavor, Idp, RequestRecord};
pub use ports::Ports;
pub use seed::{SeedReport, SeedSpec};
pub use sink::{Sink, SunkMessage};
pub use wire::LineConn;

use dovecot::DovecotProcess;
use system::Vmail;

/// The mail domain of every test user.
pub const DOMAIN: &str = "example.test";
/// Prefix of every run directory under /tmp (and so of Dovecot's command line and
/// process titles): `pgrep -f "dovecot -F -c /dev/shm/postern-stack"` finds the masters.
pub const RUN_DIR_PREFIX: &str = "postern-stack-";

/// A user with a password (PLAIN/LOGIN) and a Maildir; any token minted for `name` works
/// for XOAUTH2/OAUTHBEARER too.
#[derive(Clone)]
pub struct TestUser {
    /// The full address, also the login name: `alice-3@example.test`.
    pub name: String,
    pub password: String,
    pub home: PathBuf,
    pub maildir: PathBuf,
}

impl std::fmt::Debug for TestUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestUser")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("maildir", &self.maildir)
            .finish()
    }
}

/// The IdP and the sink run on this thread's tokio runtime, independent of the tests'
/// runtimes (each `#[tokio::test]` has its own, which dies with the test).
struct ServiceThread {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServiceThread {
    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A running stack. Dropping a non-shared stack stops everything and removes its files.
pub struct Stack {
    root: PathBuf,
    instance: String,
    ports: Ports,
    certs: Certs,
    tls: Arc<rustls::ClientConfig>,
    vmail: Vmail,
    idp: Idp,
    sink: Sink,
    default_client: String,
    dovecot: Mutex<DovecotProcess>,
    services: Mutex<ServiceThread>,
    passwd: Mutex<Vec<String>>,
    next_user: AtomicU64,
    stopped: AtomicBool,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack")
            .field("root", &self.root)
            .field("ports", &self.ports)
            .finish()
    }
}

static SHARED: OnceLock<Result<Stack, StackError>> = OnceLock::new();
static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

extern "C" fn stop_shared_at_exit() {
    if let Some(Ok(stack)) = SHARED.get() {
        stack.shutdown();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Stack {
    /// The stack shared by every test of this test binary, started on first use and
    /// stopped when the process exits. Panics with the reason if it cannot start.
    pub fn shared() -> &'static Stack {
        match Stack::try_shared() {
            Ok(stack) => stack,
            Err(error) => panic!("the test mail stack could not start: {error}"),
        }
    }

    pub fn try_shared() -> Result<&'static Stack, &'static StackError> {
        SHARED
            .get_or_init(|| {
                let stack = Stack::start();
                if stack.is_ok() {
                    // Normal exit (all tests done, or some failed): stop Dovecot and wait
                    // for it, so nothing outlives the run. Abnormal death is covered by
                    // PR_SET_PDEATHSIG. SAFETY: registering a plain extern "C" fn.
                    unsafe { libc::atexit(stop_shared_at_exit) };
                }
                stack
            })
            .as_ref()
    }

    /// Starts a private stack (stopped on drop). Most tests want [`Stack::shared`].
    pub fn start() -> Result<Stack, StackError> {
        system::require_root()?;
        let binary = system::dovecot_binary()?;
        if !system::dh_params_present() {
            return Err(StackError::DovecotMissing);
        }
        let vmail = system::vmail()?;
        sweep::remove_stale_runs();

        let (root, instance) = make_root()?;
        let started = Self::start_in(&root, &instance, &binary, vmail);
        if started.is_err() {
            let _ = std::fs::remove_dir_all(&root);
        }
        started
    }

    fn start_in(
        root: &Path,
        instance: &str,
        binary: &Path,
        vmail: Vmail,
    ) -> Result<Stack, StackError> {
        for sub in ["log", "state"] {
            let dir = root.join(sub);
            std::fs::create_dir_all(&dir).map_err(StackError::fs("create", &dir))?;
        }
        let mail = root.join("mail").join(DOMAIN);
        std::fs::create_dir_all(&mail).map_err(StackError::fs("create", &mail))?;
        seed::chown(&root.join("mail"), vmail)?;
        seed::chown(&mail, vmail)?;
        let certs = Certs::generate(&root.join("certs"))?;
        let tls = certs.client_config()?;
        write_file(
            &root.join("nodelay.passwd"),
            "127.0.0.1:::::::nodelay=yes\n127.0.0.2:::::::nodelay=yes\n",
        )?;
        write_file(&root.join("passwd"), "")?;

        let lmtp_port = Arc::new(AtomicU16::new(0));
        let (services, idp, sink) = start_services(Arc::clone(&lmtp_port))?;
        let idp_port = port_of(idp.base_url());
        let plan = dovecot::StartPlan {
            binary,
            root,
            instance,
            vmail,
            introspection_url: &idp.introspection_url(),
            idp_port,
            sink_port: sink.port(),
        };
        let (process, ports) = match dovecot::start(&plan) {
            Ok(started) => started,
            Err(error) => {
                let mut services = services;
                services.stop();
                return Err(error);
            }
        };
        lmtp_port.store(ports.lmtp, Ordering::SeqCst);
        let default_client = idp.register_client(ClientSpec::microsoft());
        Ok(Stack {
            root: root.to_path_buf(),
            instance: instance.to_owned(),
            ports,
            certs,
            tls,
            vmail,
            idp,
            sink,
            default_client,
            dovecot: Mutex::new(process),
            services: Mutex::new(services),
            passwd: Mutex::new(Vec::new()),
            next_user: AtomicU64::new(1),
            stopped: AtomicBool::new(false),
        })
    }

    pub fn ports(&self) -> Ports {
        self.ports
    }
    /// The run directory (`<runs_dir>/postern-stack-...`, see [`runs_dir`]).
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The run's name: part of Dovecot's command line and of its children's titles.
    pub fn instance(&self) -> &str {
        &self.instance
    }
    /// PEM file of the run's CA: postern's account `ca_file`.
    pub fn ca_file(&self) -> &Path {
        &self.certs.ca_file
    }
    pub fn certs(&self) -> &Certs {
        &self.certs
    }
    /// A rustls client config trusting only the run's CA.
    pub fn tls_config(&self) -> Arc<rustls::ClientConfig> {
        Arc::clone(&self.tls)
    }
    pub fn idp(&self) -> &Idp {
        &self.idp
    }
    pub fn sink(&self) -> &Sink {
        &self.sink
    }
    pub fn dovecot_pid(&self) -> i32 {
        lock(&self.dovecot).pid()
    }
    pub fn dovecot_running(&self) -> bool {
        !lock(&self.dovecot).has_exited()
    }
    /// The last lines of Dovecot's log, for failure messages.
    pub fn log_tail(&self) -> String {
        dovecot::log_tail(&self.root.join("log"))
    }

    /// A new user with a unique name (`{prefix}-{n}@example.test`), a random password
    /// and an empty Maildir.
    pub fn new_user(&self, prefix: &str) -> Result<TestUser, StackError> {
        let clean: String = prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let clean = if clean.is_empty() {
            "user".to_owned()
        } else {
            clean
        };
        let n = self.next_user.fetch_add(1, Ordering::Relaxed);
        let local = format!("{clean}-{n}");
        let name = format!("{local}@{DOMAIN}");
        let password = random_password();
        let home = self.root.join("mail").join(DOMAIN).join(&local);
        std::fs::create_dir_all(&home).map_err(StackError::fs("create", &home))?;
        seed::chown(&home, self.vmail)?;
        let maildir = home.join("Maildir");
        seed::ensure_maildir(&maildir, self.vmail)?;

        let mut lines = lock(&self.passwd);
        lines.push(format!("{name}:{{PLAIN}}{password}\n"));
        // Replace the file whole: Dovecot re-reads it when it changes and must never
        // see half a line.
        let path = self.root.join("passwd");
        let tmp = self.root.join("passwd.tmp");
        write_file(&tmp, &lines.concat())?;
        std::fs::rename(&tmp, &path).map_err(StackError::fs("replace", &path))?;
        drop(lines);
        self.wait_until_known();
        Ok(TestUser {
            name,
            password,
            home,
            maildir,
        })
    }

    /// Dovecot's passwd-file driver looks at the file at most once per wall-clock second
    /// (it compares the second of its last check), so a user written now may be unknown
    /// to a login in the same second. Once the next second has begun, the next lookup
    /// re-reads the file: wait for that boundary (at most a second, half on average).
    fn wait_until_known(&self) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let into_second = Duration::from_nanos(u64::from(now.subsec_nanos()));
        std::thread::sleep(Duration::from_secs(1) - into_second + Duration::from_millis(5));
    }

    /// Writes generated messages into a user's folder.
    pub fn seed(&self, user: &TestUser, spec: &SeedSpec) -> Result<SeedReport, StackError> {
        seed::seed(&user.maildir, self.vmail, spec)
    }

    /// An access token for `user` from the stack's default IdP client (Microsoft shape).
    /// Tests that switch faults or token shapes register their own client.
    pub fn token_for(&self, user: &str) -> Result<String, StackError> {
        Ok(self
            .idp
            .mint_token(&self.default_client, user)?
            .access_token)
    }

    /// Files in a folder's `new/` and `cur/`, waiting until there are at least `count`.
    pub async fn wait_for_mail(
        &self,
        user: &TestUser,
        folder: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<PathBuf>, StackError> {
        let dir = seed::folder_dir(&user.maildir, folder)?;
        let deadline = Instant::now() + timeout;
        loop {
            let files: Vec<PathBuf> = ["new", "cur"]
                .iter()
                .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
                .flat_map(|entries| entries.filter_map(|entry| entry.ok().map(|e| e.path())))
                .collect();
            if files.len() >= count {
                return Ok(files);
            }
            if Instant::now() > deadline {
                return Err(StackError::Timeout(timeout, "mail in the Maildir"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn connect_tls(&self, port: u16) -> Result<LineConn, StackError> {
        LineConn::tls(port, self.tls_config()).await
    }

    pub async fn connect_plain(&self, port: u16) -> Result<LineConn, StackError> {
        LineConn::plain(port, self.tls_config()).await
    }

    /// Another IMAP client: `user` logged in over implicit TLS. A freshly added user
    /// may be refused for a moment (Dovecot re-reads its passwd-file by modification
    /// time, and tests add users at once), so a refusal is retried for up to 3 s.
    pub async fn imap_login(&self, user: &TestUser) -> Result<LineConn, StackError> {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let mut conn = self.connect_tls(self.ports().imaps).await?;
            conn.line().await?;
            let login = format!("LOGIN \"{}\" \"{}\"", user.name, user.password);
            let reply = conn.imap("l", &login).await?;
            if reply.last().is_some_and(|line| line.starts_with("l OK")) {
                return Ok(conn);
            }
            if Instant::now() > deadline {
                return Err(StackError::Timeout(
                    Duration::from_secs(3),
                    "an IMAP login of a new user",
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops Dovecot (waiting for it), the IdP and the sink, and removes the run
    /// directory. Idempotent.
    pub fn shutdown(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        lock(&self.dovecot).stop();
        lock(&self.services).stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or(0)
}

fn write_file(path: &Path, text: &str) -> Result<(), StackError> {
    std::fs::write(path, text).map_err(StackError::fs("write", path))
}

fn random_password() -> String {
    use rand::Rng;
    const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALNUM[rng.gen_range(0..ALNUM.len())] as char)
        .collect()
}

/// The environment that points postern at a private profile under `home`: HOME and
/// the four XDG base directories, for `Command::envs` (POSTERN_CONFIG must be
/// removed as well, so the user's own setting cannot leak in).
pub fn profile_env(home: &Path) -> [(&'static str, PathBuf); 5] {
    [
        ("HOME", home.to_path_buf()),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_DATA_HOME", home.join("data")),
        ("XDG_STATE_HOME", home.join("state")),
        ("XDG_CACHE_HOME", home.join("cache")),
    ]
}

/// Where run directories go: `$POSTERN_STACK_DIR` if set, else `/dev/shm` when it is
/// a writable tmpfs (seeding is metadata-bound: 20k files/s there against 3k/s on this
/// disk), else the system temp dir.
pub fn runs_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("POSTERN_STACK_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    let writable = shm.is_dir() && tempfile_probe(shm);
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn tempfile_probe(dir: &Path) -> bool {
    let probe = dir.join(format!("{RUN_DIR_PREFIX}probe-{}", std::process::id()));
    let ok = std::fs::create_dir(&probe).is_ok();
    let _ = std::fs::remove_dir(&probe);
    ok
}

/// `<runs_dir>/postern-stack-{pid}-{n}-{random}`, readable by Dovecot's unprivileged users.
fn make_root() -> Result<(PathBuf, String), StackError> {
    use rand::Rng;
    use std::os::unix::fs::PermissionsExt;
    let n = RUN_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tag: u32 = rand::thread_rng().gen_range(0..0xff_ffff);
    let instance = format!("{RUN_DIR_PREFIX}{}-{n}-{tag:06x}", std::process::id());
    let root = runs_dir().join(&instance);
    std::fs::create_dir(&root).map_err(StackError::fs("create", &root))?;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755))
        .map_err(StackError::fs("set permissions of", &root))?;
    Ok((root, instance))
}

fn start_services(lmtp_port: Arc<AtomicU16>) -> Result<(ServiceThread, Idp, Sink), StackError> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("stack-services".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = ready_tx.send(Err(StackError::io("start the tokio runtime")(error)));
                    return;
                }
            };
            runtime.block_on(async move {
                let bound = async {
                    let idp_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
                    let sink_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
                    let idp_port = idp_listener.local_addr()?.port();
                    let sink_port = sink_listener.local_addr()?.port();
                    Ok::<_, std::io::Error>((idp_listener, sink_listener, idp_port, sink_port))
                }
                .await;
                let (idp_listener, sink_listener, idp_port, sink_port) = match bound {
                    Ok(bound) => bound,
                    Err(error) => {
                        let _ = ready_tx
                            .send(Err(StackError::io("bind the IdP and sink ports")(error)));
                        return;
                    }
                };
                let idp = Idp::new(format!("http://127.0.0.1:{idp_port}"));
                let sink = Sink::new(sink_port);
                tokio::spawn(idp::serve(idp_listener, idp.clone()));
                tokio::spawn(sink::serve(sink_listener, sink.clone(), lmtp_port));
                let _ = ready_tx.send(Ok((idp, sink)));
                let _ = shutdown_rx.await;
            });
        })
        .map_err(StackError::io("start the stack's service thread"))?;
    let (idp, sink) = ready_rx.recv().map_err(|_| StackError::RuntimeGone)??;
    Ok((
        ServiceThread {
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        },
        idp,
        sink,
    ))
}

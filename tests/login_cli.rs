//! `postern login`, `accounts` and `logout` as a user runs them: the real binary,
//! the test identity provider and Dovecot.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use postern_test_stack::{ClientSpec, Endpoint, Fault, Stack, TestUser};

const WAIT: Duration = Duration::from_secs(20);

/// A home with its own XDG directories and a config for one account, `work`.
struct Profile {
    dir: tempfile::TempDir,
}

impl Profile {
    fn new(stack: &Stack, user: &TestUser, client_id: &str) -> Profile {
        let dir = tempfile::tempdir().unwrap();
        let base = stack.idp().base_url();
        let ports = stack.ports();
        let config = format!(
            r#"[accounts.work]
email = "{email}"
provider = "microsoft"
receive = "imap"
imap = {{ host = "localhost", port = {imaps}, tls = "implicit" }}
smtp = {{ host = "localhost", port = {submission}, tls = "starttls" }}
ca_file = "{ca}"
[accounts.work.auth]
method = "oauth2"
flow = "device"
client_id = "{client_id}"
tenant = "contoso.example"
device_authorization_url = "{base}/{{tenant}}/oauth2/v2.0/devicecode"
token_url = "{base}/{{tenant}}/oauth2/v2.0/token"
"#,
            email = user.name,
            imaps = ports.imaps,
            submission = ports.submission,
            ca = stack.ca_file().display(),
        );
        std::fs::create_dir_all(dir.path().join("config/postern")).unwrap();
        std::fs::write(dir.path().join("config/postern/config.toml"), config).unwrap();
        Profile { dir }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data/postern")
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let home = self.dir.path();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_postern"));
        command
            .args(args)
            .envs(postern_test_stack::profile_env(home))
            .env_remove("POSTERN_CONFIG")
            .env("POSTERN_LOG", "trace")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("state/postern/postern.log"))
            .unwrap_or_default()
    }

    async fn run(&self, args: &[&str]) -> Output {
        tokio::time::timeout(WAIT, self.command(args).output())
            .await
            .expect("postern did not finish")
            .unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn fast_device_client() -> ClientSpec {
    ClientSpec {
        device_interval: Duration::from_secs(1),
        ..ClientSpec::microsoft()
    }
}

/// "The user" approves the code postern shows while `postern login` waits.
async fn login_approved(stack: &Stack, profile: &Profile, client_id: &str, user: &str) -> Output {
    let child = profile.command(&["login", "work"]).spawn().unwrap();
    let code = stack.idp().wait_device_code(client_id, WAIT).await.unwrap();
    assert!(stack.idp().approve_device(&code, user));
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let err = text(&out.stderr);
    assert!(err.contains(&code), "the user code was not shown:\n{err}");
    out
}

#[tokio::test]
async fn device_login_caches_tokens_that_later_logins_reuse() {
    let stack = Stack::shared();
    let user = stack.new_user("ada").unwrap();
    let client_id = stack.idp().register_client(fast_device_client());
    let profile = Profile::new(stack, &user, &client_id);

    let out = login_approved(stack, &profile, &client_id, &user.name).await;
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Logged in work"), "{err}");

    // The cache is under $XDG_DATA_HOME/postern/, private, and holds no readable hints.
    let cache = profile.data().join("tokens/work.json");
    assert_eq!(mode(&cache), 0o600);
    assert_eq!(mode(&profile.data()), 0o700);
    assert_eq!(mode(&profile.data().join("tokens")), 0o700);

    // Later logins on IMAP and SMTP use the cached token: no call to the token endpoint.
    let calls = stack.idp().token_calls(&client_id);
    let out = profile.run(&["accounts", "--check"]).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("IMAP localhost"), "{stdout}");
    assert_eq!(stdout.matches("login ok").count(), 2, "{stdout}");
    assert!(stdout.contains("access token: expires in"), "{stdout}");
    assert_eq!(
        stack.idp().token_calls(&client_id),
        calls,
        "a token call was made"
    );

    // Logout forgets the tokens; accounts says so.
    let out = profile.run(&["logout", "work"]).await;
    assert!(out.status.success());
    assert!(!cache.exists());
    let out = profile.run(&["accounts"]).await;
    assert!(text(&out.stdout).contains("not logged in; run `postern login work`"));
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once_and_the_login_succeeds() {
    let stack = Stack::shared();
    let user = stack.new_user("grace").unwrap();
    let client_id = stack.idp().register_client(fast_device_client());
    let profile = Profile::new(stack, &user, &client_id);
    assert!(
        login_approved(stack, &profile, &client_id, &user.name)
            .await
            .status
            .success()
    );

    // The server now rejects the cached access token (revoked at the identity provider).
    let cached = std::fs::read_to_string(profile.data().join("tokens/work.json")).unwrap();
    let document: serde_json::Value = serde_json::from_str(&cached).unwrap();
    let access = document["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    stack.idp().revoke_token(&access);

    let calls = stack.idp().token_calls(&client_id);
    let out = profile.run(&["accounts", "--check"]).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.matches("login ok").count(), 2, "{stdout}");
    // One refresh for the rejected token, shared by IMAP and SMTP.
    assert_eq!(stack.idp().token_calls(&client_id), calls + 1);

    // Logging ran at trace level through login, refresh and three server logins, and
    // no token (old or new, access or refresh) reached the log or the output.
    let renewed = std::fs::read_to_string(profile.data().join("tokens/work.json")).unwrap();
    let renewed: serde_json::Value = serde_json::from_str(&renewed).unwrap();
    let log = profile.log();
    assert!(
        log.lines().count() > 5,
        "hardly anything was logged:\n{log}"
    );
    for token in [
        &document["tokens"]["access_token"],
        &document["tokens"]["refresh_token"],
        &renewed["tokens"]["access_token"],
        &renewed["tokens"]["refresh_token"],
    ] {
        let token = token.as_str().unwrap();
        // Any 24-character piece would give a token away.
        let piece = &token[token.len() / 2..token.len() / 2 + 24];
        assert!(!log.contains(piece), "a token is in the log");
        assert!(!stdout.contains(piece), "a token is in the output");
    }
    // Nor in another form: a SASL response is base64 of a string holding the token,
    // which the pieces above would not find. Nothing that long and opaque belongs in a log.
    let longest = longest_opaque_run(&log);
    assert!(
        longest < 64,
        "a {longest}-character opaque run in the log (an encoded token?)"
    );
}

/// The longest run of base64 alphabet characters.
fn longest_opaque_run(text: &str) -> usize {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_refused_login_is_explained() {
    let stack = Stack::shared();
    let user = stack.new_user("linus").unwrap();
    let client_id = stack.idp().register_client(fast_device_client());
    stack
        .idp()
        .set_fault(
            &client_id,
            Endpoint::DeviceCode,
            Fault::PublicClientDisabled,
        )
        .unwrap();
    let profile = Profile::new(stack, &user, &client_id);
    let out = profile.run(&["login", "work"]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("AADSTS7000218"), "{err}");
    assert!(
        err.contains("Allow public client flows"),
        "no fix named:\n{err}"
    );
    assert!(!profile.data().join("tokens/work.json").exists());
}

#[tokio::test]
async fn accounts_reports_a_missing_login() {
    let stack = Stack::shared();
    let user = stack.new_user("hedy").unwrap();
    let client_id = stack.idp().register_client(fast_device_client());
    let profile = Profile::new(stack, &user, &client_id);
    let out = profile.run(&["accounts", "--check"]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("not logged in; run `postern login work`"),
        "{stdout}"
    );
    assert!(stdout.contains("FAILED"), "{stdout}");
    assert_eq!(stack.idp().token_calls(&client_id), 0);
}

#[tokio::test]
async fn accounts_check_logs_in_with_a_password_command() {
    let stack = Stack::shared();
    let user = stack.new_user("barbara").unwrap();
    let profile = Profile::new(stack, &user, "unused");
    let ports = stack.ports();
    let secret_file = profile.dir.path().join("password");
    std::fs::write(&secret_file, format!("{}\n", user.password)).unwrap();
    let config = format!(
        r#"[accounts.home]
email = "{email}"
provider = "generic"
receive = "pop3"
pop3 = {{ host = "localhost", port = {pop3}, tls = "starttls" }}
smtp = {{ host = "localhost", port = {submissions}, tls = "implicit" }}
ca_file = "{ca}"
[accounts.home.auth]
method = "password"
password_command = "cat {secret}"
"#,
        email = user.name,
        pop3 = ports.pop3,
        submissions = ports.submissions,
        ca = stack.ca_file().display(),
        secret = secret_file.display(),
    );
    std::fs::write(
        profile.dir.path().join("config/postern/config.toml"),
        config,
    )
    .unwrap();
    let out = profile.run(&["accounts", "--check"]).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("auth: password"), "{stdout}");
    assert!(
        stdout.contains(&format!("POP3 localhost:{}: login ok", ports.pop3)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("SMTP localhost:{}: login ok", ports.submissions)),
        "{stdout}"
    );
    assert!(!stdout.contains(&user.password), "the password was printed");

    // A wrong password is a failure, said as the server said it.
    std::fs::write(&secret_file, "not-the-password\n").unwrap();
    let out = profile.run(&["accounts", "--check"]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("POP3") && stdout.contains("FAILED"),
        "{stdout}"
    );
    assert!(stdout.contains("refused the password"), "{stdout}");
    // Explained like every other failure: a likely cause and the fix.
    assert!(stdout.contains("likely cause:"), "{stdout}");
    assert!(
        stdout.contains("fix: run the `password_command` of [accounts.home.auth]"),
        "{stdout}"
    );
}

//! The token cache file: private modes, atomic replacement, the lock, and clear errors
//! (never a panic, never file content) for damaged files.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use postern::auth::token_cache::{CacheEntry, CacheError, LastError, TokenCache, TokenOwner};
use postern::auth::{Secret, TokenSet};

const ACCESS: &str = "ACCESS+tok/en-value-0123456789abcdefghijklmnopqrstuvwxyz";
const REFRESH: &str = "REFRESH-tok/en+value-9876543210";

fn owner() -> TokenOwner {
    TokenOwner {
        provider: "microsoft".into(),
        client_id: "client-1".into(),
        token_url: "http://127.0.0.1:1/common/oauth2/v2.0/token".into(),
    }
}

fn tokens(access: &str) -> TokenSet {
    TokenSet {
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(REFRESH)),
        expires_at: Some(2_000_000_000),
        scopes: vec!["https://outlook.office.com/IMAP.AccessAsUser.All".into()],
        obtained_at: 1_700_000_000,
        refresh_obtained_at: Some(1_700_000_000),
    }
}

fn entry(access: &str) -> CacheEntry {
    CacheEntry {
        tokens: tokens(access),
        last_error: None,
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn cache(dir: &Path) -> TokenCache {
    TokenCache::new(dir, "work", owner()).unwrap()
}

#[test]
fn missing_file_is_not_logged_in() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(cache(dir.path()).load().unwrap(), None);
}

#[test]
fn save_then_load_round_trips_under_tokens_subdir() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let mut saved = entry(ACCESS);
    saved.last_error = Some(LastError {
        at: 5,
        message: "invalid_grant (HTTP 400)".into(),
    });
    cache.save(&saved).unwrap();
    assert_eq!(cache.path(), dir.path().join("tokens").join("work.json"));
    assert_eq!(cache.load().unwrap(), Some(saved));
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cache.path()).unwrap()).unwrap();
    assert_eq!(document["version"], 1);
    assert_eq!(document["account"], "work");
    assert_eq!(document["client_id"], "client-1");
    assert_eq!(document["provider"], "microsoft");
    assert_eq!(document["tokens"]["refresh_token"], REFRESH);
}

#[tokio::test]
async fn file_is_0600_and_directories_0700() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("data").join("postern");
    let cache = cache(&base);
    cache.save(&entry(ACCESS)).unwrap();
    let _lock = cache.lock(Duration::from_secs(5)).await.unwrap();
    assert_eq!(mode(&cache.path()), 0o600);
    assert_eq!(mode(&cache.lock_path()), 0o600);
    assert_eq!(mode(&base.join("tokens")), 0o700);
    assert_eq!(mode(&base), 0o700);
}

#[test]
fn loose_existing_directories_are_tightened() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("postern");
    std::fs::create_dir_all(base.join("tokens")).unwrap();
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(base.join("tokens"), std::fs::Permissions::from_mode(0o777)).unwrap();
    cache(&base).save(&entry(ACCESS)).unwrap();
    assert_eq!(mode(&base), 0o700);
    assert_eq!(mode(&base.join("tokens")), 0o700);
}

#[test]
fn a_file_readable_by_others_is_tightened_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    cache.save(&entry(ACCESS)).unwrap();
    std::fs::set_permissions(cache.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(cache.load().unwrap(), Some(entry(ACCESS)));
    assert_eq!(mode(&cache.path()), 0o600);
}

#[test]
fn replacement_is_atomic_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    cache.save(&entry("first")).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (path, done) = (cache.path(), Arc::clone(&done));
        let cache = cache.clone();
        std::thread::spawn(move || {
            let mut reads = 0u64;
            while !done.load(Ordering::Relaxed) {
                // Raw bytes must always be a whole document, old or new.
                let bytes = std::fs::read(&path).unwrap();
                let parsed: serde_json::Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("partial file seen after {reads} reads: {e}"));
                assert!(parsed["tokens"]["access_token"].is_string());
                assert!(cache.load().unwrap().is_some());
                reads += 1;
            }
            reads
        })
    };
    for i in 0..300 {
        // Sizes differ a lot, so a torn write would be visible.
        let access = "x".repeat(if i % 2 == 0 { 10 } else { 20_000 });
        cache.save(&entry(&access)).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    println!("reader checked {reads} whole documents during 300 replacements");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("tokens"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["work.json"]);
}

fn write_raw(cache: &TokenCache, text: &str) {
    cache.save(&entry(ACCESS)).unwrap();
    std::fs::write(cache.path(), text).unwrap();
}

fn assert_offers_login(error: &CacheError) {
    let text = error.to_string();
    assert!(text.contains("postern login work"), "{text}");
    assert!(!text.contains("SECRETVALUE"), "file content leaked: {text}");
    assert!(!format!("{error:?}").contains("SECRETVALUE"));
}

#[test]
fn corrupt_files_give_a_typed_error_offering_login() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let valid = String::from_utf8(
        std::fs::read({
            cache.save(&entry("SECRETVALUE-access")).unwrap();
            cache.path()
        })
        .unwrap(),
    )
    .unwrap();
    let cases = [
        "SECRETVALUE not json at all".to_owned(),
        valid[..valid.len() / 2].to_owned(),
        String::new(),
        // serde would quote the offending string: the error must not.
        valid.replace("2000000000", "\"SECRETVALUE-in-a-number-field\""),
        valid.replace("\"version\": 1", "\"version\": \"SECRETVALUE\""),
        "\u{0}\u{1}\u{2}".to_owned(),
    ];
    for case in cases {
        write_raw(&cache, &case);
        match cache.load() {
            Err(error @ CacheError::Corrupt { .. }) => assert_offers_login(&error),
            other => panic!("expected Corrupt for {case:?}, got {other:?}"),
        }
    }
}

#[test]
fn newer_format_other_account_and_changed_client_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    cache.save(&entry(ACCESS)).unwrap();
    let valid = std::fs::read_to_string(cache.path()).unwrap();

    write_raw(&cache, &valid.replace("\"version\": 1", "\"version\": 7"));
    let error = cache.load().unwrap_err();
    assert!(matches!(error, CacheError::NewerVersion { found: 7, .. }));
    assert_offers_login(&error);

    write_raw(
        &cache,
        &valid.replace("\"account\": \"work\"", "\"account\": \"home\""),
    );
    assert!(matches!(cache.load(), Err(CacheError::Corrupt { .. })));

    write_raw(&cache, &valid);
    let changed = TokenCache::new(
        dir.path(),
        "work",
        TokenOwner {
            client_id: "client-2".into(),
            ..owner()
        },
    )
    .unwrap();
    let error = changed.load().unwrap_err();
    assert!(
        matches!(error, CacheError::OwnerChanged { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("client-1") && text.contains("client-2"),
        "{text}"
    );
    assert_offers_login(&error);
}

#[test]
fn unreadable_or_foreign_paths_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    // A directory where the file should be: reading fails.
    std::fs::create_dir_all(cache.path()).unwrap();
    let error = cache.load().unwrap_err();
    assert!(
        matches!(
            error,
            CacheError::Read { .. } | CacheError::NotOwnFile { .. }
        ),
        "{error:?}"
    );
    assert_offers_login(&error);
    std::fs::remove_dir(cache.path()).unwrap();

    // A symlink is not followed: someone could point it at their own file.
    let elsewhere = dir.path().join("elsewhere.json");
    std::fs::write(&elsewhere, "{}").unwrap();
    std::os::unix::fs::symlink(&elsewhere, cache.path()).unwrap();
    let error = cache.load().unwrap_err();
    assert!(matches!(error, CacheError::NotOwnFile { .. }), "{error:?}");
    assert_offers_login(&error);
}

#[test]
fn unsafe_account_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["", "..", "../x", "a/b", "a.b", "a b", "ä", &"x".repeat(129)] {
        assert!(
            matches!(
                TokenCache::new(dir.path(), name, owner()),
                Err(CacheError::InvalidAccount { .. })
            ),
            "{name:?}"
        );
    }
    assert!(TokenCache::new(dir.path(), "Work_2-x", owner()).is_ok());
}

#[test]
fn remove_deletes_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    assert!(!cache.remove().unwrap());
    cache.save(&entry(ACCESS)).unwrap();
    assert!(cache.remove().unwrap());
    assert_eq!(cache.load().unwrap(), None);
}

#[tokio::test]
async fn the_lock_is_exclusive_until_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let held = cache.lock(Duration::from_secs(5)).await.unwrap();
    // A second open file description (like another process) must wait.
    let error = cache.lock(Duration::from_millis(100)).await.unwrap_err();
    assert!(matches!(error, CacheError::LockTimeout { .. }), "{error:?}");
    drop(held);
    let _again = cache.lock(Duration::from_secs(5)).await.unwrap();
}

#[test]
fn debug_output_hides_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let text = format!("{:?} {:?}", entry(ACCESS), cache);
    assert!(!text.contains(ACCESS) && !text.contains(REFRESH), "{text}");
}

#[test]
fn a_file_owned_by_someone_else_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to give the file away");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    cache.save(&entry(ACCESS)).unwrap();
    std::os::unix::fs::chown(cache.path(), Some(65534), None).unwrap();
    let error = cache.load().unwrap_err();
    assert!(matches!(error, CacheError::NotOwnFile { .. }), "{error:?}");
    assert_offers_login(&error);
}

#[test]
fn temp_files_of_dead_writers_are_swept_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    cache.save(&entry(ACCESS)).unwrap();
    let tokens_dir = dir.path().join("tokens");
    // No process has pid 999999999 (above pid_max); ours is alive.
    let dead = tokens_dir.join(".work.json.999999999-0-1.tmp");
    let live = tokens_dir.join(format!(".work.json.{}-77-1.tmp", std::process::id()));
    let other_account = tokens_dir.join(".home.json.999999999-0-1.tmp");
    for path in [&dead, &live, &other_account] {
        std::fs::write(path, "{}").unwrap();
    }
    cache.save(&entry(ACCESS)).unwrap();
    assert!(!dead.exists());
    assert!(live.exists());
    assert!(other_account.exists());
}

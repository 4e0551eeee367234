//! Keeps one account's access token fresh: serves it from memory or the cache file while
//! it is good, and renews it through a [`TokenEndpoint`] shortly before it expires or
//! when a server rejects it.
//!
//! At most one renewal runs per account: inside a process a tokio mutex makes callers
//! queue behind the one that renews, and across processes the cache's lock file does the
//! same. Whoever gets the locks first re-reads the file, because another process may
//! already have renewed and rotated the refresh token (using the old one could fail, or
//! burn a rotation). A new refresh token is on disk before anyone gets the access token.

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::token_cache::{CacheEntry, CacheError, LastError, TokenCache, run_blocking};
use super::{AccessTokens, OAuthError, Secret, TokenEndpoint, TokenSet};

/// Renew this long before the access token expires, so a token handed out is still good
/// when the server checks it.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// How long to wait for another process's renewal before giving up.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(90);

/// The current time in Unix seconds; injected so tests can move time.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("account {account} is not logged in; run `postern login {account}`")]
    NotLoggedIn { account: String },
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("could not renew the access token: {0}")]
    OAuth(#[from] OAuthError),
}

/// What `postern accounts` shows about an account's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStatus {
    pub logged_in: bool,
    /// When the access token expires (Unix seconds), if known.
    pub access_expires_at: Option<i64>,
    pub has_refresh_token: bool,
    /// Seconds since the current refresh token was issued (rotation resets it).
    pub refresh_token_age: Option<i64>,
    pub last_error: Option<LastError>,
}

/// Tokens of one account, renewed on demand. Share it (`Arc`) between connections.
pub struct TokenManager<E: TokenEndpoint, C: Clock = SystemClock> {
    cache: TokenCache,
    endpoint: E,
    clock: C,
    margin: i64,
    lock_timeout: Duration,
    /// What this process last read or wrote; saves a file read per connection.
    current: StdMutex<Option<TokenSet>>,
    /// Held by the one task renewing; the others wait on it, then find the new token.
    renewal: tokio::sync::Mutex<()>,
    /// Renewal attempts so far; a waiter that sees it move knows someone tried for it.
    attempts: AtomicU64,
    /// The error of the latest attempt if it failed, with that attempt's number: the
    /// callers that queued behind it get it too, rather than each asking again.
    last_failure: StdMutex<Option<(u64, OAuthError)>>,
}

impl<E: TokenEndpoint, C: Clock> fmt::Debug for TokenManager<E, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("account", &self.cache.account())
            .field("cache", &self.cache.path())
            .field("margin_secs", &self.margin)
            .finish_non_exhaustive()
    }
}

impl<E: TokenEndpoint> TokenManager<E, SystemClock> {
    pub fn new(cache: TokenCache, endpoint: E) -> Self {
        TokenManager::with_clock(cache, endpoint, SystemClock)
    }
}

impl<E: TokenEndpoint, C: Clock> TokenManager<E, C> {
    pub fn with_clock(cache: TokenCache, endpoint: E, clock: C) -> Self {
        TokenManager {
            cache,
            endpoint,
            clock,
            margin: secs(DEFAULT_REFRESH_MARGIN),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            current: StdMutex::new(None),
            renewal: tokio::sync::Mutex::new(()),
            attempts: AtomicU64::new(0),
            last_failure: StdMutex::new(None),
        }
    }

    /// Renew when the access token expires within `margin`.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = secs(margin);
        self
    }

    /// How long to wait for another process's renewal.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    pub fn account(&self) -> &str {
        self.cache.account()
    }

    pub fn cache_path(&self) -> PathBuf {
        self.cache.path()
    }

    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }

    /// Saves what a login flow obtained, replacing whatever was cached and clearing the
    /// last error.
    pub async fn store_login(&self, tokens: TokenSet) -> Result<(), TokenError> {
        let tokens = with_refresh_time(tokens);
        let _renewal = self.renewal.lock().await;
        let _lock = self.cache.lock(self.lock_timeout).await?;
        self.save(CacheEntry {
            tokens: tokens.clone(),
            last_error: None,
        })
        .await?;
        self.remember(Some(tokens));
        Ok(())
    }

    /// Forgets the account's tokens (logout). True if there were any.
    pub async fn logout(&self) -> Result<bool, TokenError> {
        let _renewal = self.renewal.lock().await;
        let _lock = self.cache.lock(self.lock_timeout).await?;
        let cache = self.cache.clone();
        let removed = run_blocking(&self.cache.path(), move || cache.remove()).await??;
        self.remember(None);
        Ok(removed)
    }

    /// The account's token state as the file says now.
    pub async fn status(&self) -> Result<TokenStatus, TokenError> {
        let now = self.clock.now();
        Ok(match self.load().await? {
            None => TokenStatus {
                logged_in: false,
                access_expires_at: None,
                has_refresh_token: false,
                refresh_token_age: None,
                last_error: None,
            },
            Some(entry) => TokenStatus {
                logged_in: true,
                access_expires_at: entry.tokens.expires_at,
                has_refresh_token: entry.tokens.refresh_token.is_some(),
                refresh_token_age: entry
                    .tokens
                    .refresh_token
                    .as_ref()
                    .and(entry.tokens.refresh_obtained_at)
                    .map(|at| now - at),
                last_error: entry.last_error,
            },
        })
    }

    /// The token to use now, renewing first when `needs_renewal` says the one we have
    /// will not do. Single flight: see the module comment.
    async fn token_where(
        &self,
        needs_renewal: impl Fn(&TokenSet, i64) -> bool,
    ) -> Result<Secret, TokenError> {
        if let Some(tokens) = self.known().await?
            && !needs_renewal(&tokens, self.clock.now())
        {
            return Ok(tokens.access_token);
        }
        let attempts_before = self.attempts.load(Ordering::SeqCst);
        let _renewal = self.renewal.lock().await;
        // Someone tried while we waited and failed: theirs is our answer too.
        if self.attempts.load(Ordering::SeqCst) != attempts_before
            && let Some(error) = self.failure_of_latest_attempt()
        {
            return Err(self.token_error(error));
        }
        // Whoever held the mutex before us may have renewed already.
        if let Some(tokens) = self.remembered()
            && !needs_renewal(&tokens, self.clock.now())
        {
            return Ok(tokens.access_token);
        }
        let _lock = self.cache.lock(self.lock_timeout).await?;
        // Another process may have renewed (and rotated the refresh token) meanwhile.
        let Some(entry) = self.load().await? else {
            self.remember(None);
            return Err(self.not_logged_in());
        };
        if !needs_renewal(&entry.tokens, self.clock.now()) {
            let token = entry.tokens.access_token.clone();
            self.remember(Some(entry.tokens));
            return Ok(token);
        }
        self.renew(entry).await
    }

    /// Calls the endpoint with the cached tokens and saves the answer at once. The
    /// caller holds both locks.
    async fn renew(&self, entry: CacheEntry) -> Result<Secret, TokenError> {
        tracing::debug!(
            account = %self.account(),
            "refreshing access token for {}",
            self.account()
        );
        let outcome = self.endpoint.renew(Some(&entry.tokens)).await;
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        *lock_ignoring_poison(&self.last_failure) =
            outcome.as_ref().err().map(|error| (attempt, error.clone()));
        match outcome {
            Ok(fresh) => {
                let tokens = merge(entry.tokens, fresh);
                let token = tokens.access_token.clone();
                self.save(CacheEntry {
                    tokens: tokens.clone(),
                    last_error: None,
                })
                .await?;
                self.remember(Some(tokens));
                tracing::debug!(account = %self.account(), "access token renewed");
                Ok(token)
            }
            Err(error) => {
                let message = error.to_string();
                tracing::debug!(account = %self.account(), "token renewal failed: {message}");
                let failed = CacheEntry {
                    tokens: entry.tokens,
                    last_error: Some(LastError {
                        at: self.clock.now(),
                        message,
                    }),
                };
                // Keep the provider's reason for `postern accounts`; if even that cannot
                // be written, the renewal error is still the one to report.
                if let Err(save_error) = self.save(failed).await {
                    tracing::warn!(
                        account = %self.account(),
                        "could not record the renewal error: {save_error}"
                    );
                }
                Err(self.token_error(error))
            }
        }
    }

    fn failure_of_latest_attempt(&self) -> Option<OAuthError> {
        let latest = self.attempts.load(Ordering::SeqCst);
        match &*lock_ignoring_poison(&self.last_failure) {
            Some((attempt, error)) if *attempt == latest => Some(error.clone()),
            _ => None,
        }
    }

    fn token_error(&self, error: OAuthError) -> TokenError {
        match error {
            // Nothing to renew with (no refresh token): the user must log in.
            OAuthError::NotLoggedIn { .. } => self.not_logged_in(),
            other => TokenError::OAuth(other),
        }
    }

    async fn load(&self) -> Result<Option<CacheEntry>, CacheError> {
        let cache = self.cache.clone();
        run_blocking(&self.cache.path(), move || cache.load()).await?
    }

    async fn save(&self, entry: CacheEntry) -> Result<(), CacheError> {
        let cache = self.cache.clone();
        run_blocking(&self.cache.path(), move || cache.save(&entry)).await?
    }

    /// The tokens in memory, else those in the file. No lock needed to read: the file
    /// is only ever replaced whole.
    async fn known(&self) -> Result<Option<TokenSet>, CacheError> {
        if let Some(tokens) = self.remembered() {
            return Ok(Some(tokens));
        }
        let loaded = self.load().await?.map(|entry| entry.tokens);
        let mut current = lock_ignoring_poison(&self.current);
        // A renewal may have finished while we read: its tokens are newer than ours.
        if current.is_none() {
            current.clone_from(&loaded);
        }
        Ok(current.clone())
    }

    /// The tokens this process last read or wrote.
    fn remembered(&self) -> Option<TokenSet> {
        lock_ignoring_poison(&self.current).clone()
    }

    fn remember(&self, tokens: Option<TokenSet>) {
        *lock_ignoring_poison(&self.current) = tokens;
    }

    fn not_logged_in(&self) -> TokenError {
        TokenError::NotLoggedIn {
            account: self.account().to_owned(),
        }
    }
}

impl<E: TokenEndpoint, C: Clock> AccessTokens for TokenManager<E, C> {
    type Error = TokenError;

    async fn access_token(&self) -> Result<Secret, TokenError> {
        let margin = self.margin;
        self.token_where(move |tokens, now| tokens.expires_within(now, margin))
            .await
    }

    async fn token_rejected(&self, token: &Secret) -> Result<Secret, TokenError> {
        let margin = self.margin;
        let rejected = token.clone();
        self.token_where(move |tokens, now| {
            tokens.access_token == rejected || tokens.expires_within(now, margin)
        })
        .await
    }
}

fn lock_ignoring_poison<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The renewed set, keeping the old refresh token when the answer has none (Google does
/// not rotate and leaves it out).
fn merge(old: TokenSet, fresh: TokenSet) -> TokenSet {
    let fresh = with_refresh_time(fresh);
    if fresh.refresh_token.is_some() {
        return fresh;
    }
    TokenSet {
        refresh_token: old.refresh_token,
        refresh_obtained_at: old.refresh_obtained_at,
        ..fresh
    }
}

/// A refresh token without an issue time was issued with the access token.
fn with_refresh_time(mut tokens: TokenSet) -> TokenSet {
    if tokens.refresh_token.is_some() && tokens.refresh_obtained_at.is_none() {
        tokens.refresh_obtained_at = Some(tokens.obtained_at);
    }
    tokens
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

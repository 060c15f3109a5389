//! Bearer tokens kept until shortly before they expire, for every vendor that signs in. How a
//! token is fetched stays with the vendor (client credentials, a refresh token, a login); when
//! to reuse it and how concurrent callers share one sign-in is here, once.

use crate::error::Result;
use crate::secret::Secret;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

struct CachedToken {
    value: Arc<Secret>,
    refresh_after: Instant,
}

/// Tokens by what they are for (AvePoint: the scope; a vendor with one kind of token uses one
/// key, [`TokenCache::ONLY`]).
pub struct TokenCache {
    /// The lock also makes concurrent callers share one sign-in.
    tokens: Mutex<HashMap<String, CachedToken>>,
    /// How long before the vendor's expiry a token is no longer used, from its lifetime.
    early: fn(Duration) -> Duration,
}

impl TokenCache {
    /// The key of a vendor that has one kind of token.
    pub const ONLY: &'static str = "";

    /// An empty cache that stops using a token `early(lifetime)` before it expires.
    pub fn new(early: fn(Duration) -> Duration) -> Self {
        TokenCache { tokens: Mutex::new(HashMap::new()), early }
    }

    /// A cache that starts with `token` under `key` (one just issued by an interactive sign-in).
    pub fn holding(early: fn(Duration) -> Duration, key: &str, token: Secret, lifetime: Duration) -> Self {
        let cached = CachedToken { value: Arc::new(token), refresh_after: refresh_after(early, lifetime) };
        TokenCache { tokens: Mutex::new(HashMap::from([(key.to_string(), cached)])), early }
    }

    /// The token for `key`: the cached one unless it is close to expiring or `fresh` is asked
    /// for (after a 401), else `fetch`'s (a token and its lifetime), which is then kept.
    pub async fn get<Fut>(&self, key: &str, fresh: bool, fetch: impl FnOnce() -> Fut) -> Result<Arc<Secret>>
    where
        Fut: Future<Output = Result<(Secret, Duration)>>,
    {
        let mut tokens = self.tokens.lock().await;
        if !fresh {
            if let Some(cached) = tokens.get(key).filter(|cached| Instant::now() < cached.refresh_after) {
                return Ok(cached.value.clone());
            }
        }
        let (value, lifetime) = fetch().await?;
        let value = Arc::new(value);
        let refresh_after = refresh_after(self.early, lifetime);
        tokens.insert(key.to_string(), CachedToken { value: value.clone(), refresh_after });
        Ok(value)
    }
}

fn refresh_after(early: fn(Duration) -> Duration, lifetime: Duration) -> Instant {
    Instant::now() + lifetime - early(lifetime).min(lifetime)
}

/// For OAuth access tokens (about an hour): a tenth of the lifetime, at most a minute early, so
/// a token never dies mid-request.
pub fn oauth_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn fetcher(count: &AtomicU32, lifetime: Duration) -> Result<(Secret, Duration)> {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        Ok((Secret::new(format!("token-{n}")), lifetime))
    }

    #[tokio::test]
    async fn a_fresh_token_is_reused_until_fresh_is_asked_for() {
        let cache = TokenCache::new(oauth_margin);
        let count = AtomicU32::new(0);
        let hour = Duration::from_secs(3600);
        let first = cache.get("a", false, || fetcher(&count, hour)).await.unwrap();
        let again = cache.get("a", false, || fetcher(&count, hour)).await.unwrap();
        assert_eq!((first.expose(), again.expose()), ("token-1", "token-1"));
        let other = cache.get("b", false, || fetcher(&count, hour)).await.unwrap();
        assert_eq!(other.expose(), "token-2", "each key has its own token");
        let renewed = cache.get("a", true, || fetcher(&count, hour)).await.unwrap();
        assert_eq!(renewed.expose(), "token-3");
        assert_eq!(cache.get("a", false, || fetcher(&count, hour)).await.unwrap().expose(), "token-3");
    }

    #[tokio::test]
    async fn a_token_inside_its_margin_is_fetched_again() {
        let cache = TokenCache::new(oauth_margin);
        let count = AtomicU32::new(0);
        // A 5-second token is used until half a second before it expires: not at once again.
        cache.get(TokenCache::ONLY, false, || fetcher(&count, Duration::from_secs(5))).await.unwrap();
        cache.get(TokenCache::ONLY, false, || fetcher(&count, Duration::from_secs(5))).await.unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 1);
        // A token that lives no longer than its margin is never reused.
        let cache = TokenCache::new(|_| Duration::from_secs(60));
        cache.get(TokenCache::ONLY, false, || fetcher(&count, Duration::from_secs(1))).await.unwrap();
        cache.get(TokenCache::ONLY, false, || fetcher(&count, Duration::from_secs(1))).await.unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_held_token_is_used_first() {
        let cache =
            TokenCache::holding(oauth_margin, TokenCache::ONLY, Secret::new("given"), Duration::from_secs(3600));
        let count = AtomicU32::new(0);
        let token = cache.get(TokenCache::ONLY, false, || fetcher(&count, Duration::from_secs(3600))).await.unwrap();
        assert_eq!(token.expose(), "given");
        assert_eq!(count.load(Ordering::SeqCst), 0);
    }
}

//! The bounded cache that keeps a key server's PEM from being parsed on
//! every login (docs/contract.md §5). Keyed by the exact key bytes; failures are
//! cached too. HMAC secrets never enter it.
#![forbid(unsafe_code)]

use super::asymmetric::AsymmetricKey;
use super::error::KeyError;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

/// How many parsed keys the cache holds; the oldest entry leaves first.
pub const KEY_CACHE_ENTRIES: usize = 256;
/// Keys longer than this many bytes are parsed but never cached.
pub const KEY_CACHE_MAX_KEY_LEN: usize = 16 * 1024;

/// `parse(key)`, through the cache: the same bytes give the same `Arc`.
pub(crate) fn cached(
    key: &[u8],
    parse: impl FnOnce(&[u8]) -> Result<AsymmetricKey, KeyError>,
) -> Result<Arc<AsymmetricKey>, KeyError> {
    if key.len() > KEY_CACHE_MAX_KEY_LEN {
        return parse(key).map(Arc::new);
    }
    let cache = CACHE.get_or_init(|| Mutex::new(KeyCache::default()));
    // A panic while the lock was held cannot leave the map inconsistent
    // (inserts are single calls), so a poisoned lock is still usable.
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
        return hit;
    }
    let parsed = parse(key).map(Arc::new);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, parsed.clone());
    parsed
}

static CACHE: OnceLock<Mutex<KeyCache>> = OnceLock::new();

type Entry = Result<Arc<AsymmetricKey>, KeyError>;

/// A bounded map from exact key bytes to parse results, oldest out first.
/// Failures are cached too, so a misconfigured key is not re-parsed per login.
#[derive(Default)]
struct KeyCache {
    map: HashMap<Box<[u8]>, Entry>,
    order: VecDeque<Box<[u8]>>,
}

impl KeyCache {
    fn get(&self, key: &[u8]) -> Option<Entry> {
        self.map.get(key).cloned()
    }

    fn insert(&mut self, key: &[u8], entry: Entry) {
        if self.map.contains_key(key) {
            return;
        }
        while self.order.len() >= KEY_CACHE_ENTRIES {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        self.order.push_back(key.into());
        self.map.insert(key.into(), entry);
    }
}

/// Number of keys in the cache (for tests and diagnostics).
pub fn cache_len() -> usize {
    CACHE
        .get()
        .map_or(0, |c| c.lock().unwrap_or_else(|e| e.into_inner()).map.len())
}

#[cfg(test)]
mod tests {
    use super::super::error::FileError;
    use super::*;

    #[test]
    fn cache_is_bounded_and_keeps_the_newest() {
        let mut cache = KeyCache::default();
        for i in 0..(KEY_CACHE_ENTRIES + 10) {
            cache.insert(format!("k{i}").as_bytes(), Err(FileError::NotAKey.into()));
        }
        assert_eq!(cache.map.len(), KEY_CACHE_ENTRIES);
        assert!(cache.get(b"k0").is_none());
        assert!(cache
            .get(format!("k{}", KEY_CACHE_ENTRIES + 9).as_bytes())
            .is_some());
    }
}

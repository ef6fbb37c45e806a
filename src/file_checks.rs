//! Checks that read every source file on every build (personal data,
//! figures stated in the text), run through a cache that `serve` keeps
//! between rebuilds: a file's findings are looked up by a key covering the
//! file (its path and the hash of its bytes) and what the check depends on
//! besides (the configuration it reads: the `seed`), so after an edit only
//! the changed files are checked again. Without a session, the cache is a
//! fresh one and every file is checked.

use crate::diagnostics::Diagnostic;
use crate::hash::HashedMap;
use rayon::prelude::*;
use std::sync::Arc;

/// Findings of one check per file, for this build's files only (shared
/// between the lookup and the new cache, not copied: thousands of
/// warnings at city scale).
#[derive(Default)]
pub struct Cache {
    seed: u64,
    files: HashedMap<Arc<[Diagnostic]>>,
}

/// A key for a file at `path` whose bytes hash to `hash` (or any other
/// value standing for all the file's check reads of it).
pub fn key(path: &str, hash: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(path.as_bytes(), hash)
}

impl Cache {
    /// Runs `check` on every item whose key is not held from the last run
    /// with the same `seed`, in parallel; returns all items' findings in
    /// the order of `items`. The cache then holds these items only.
    pub fn run<T: Sync>(
        &mut self,
        seed: u64,
        items: &[T],
        key: impl Fn(&T) -> u64 + Sync,
        check: impl Fn(&T) -> Vec<Diagnostic> + Sync,
    ) -> Vec<Diagnostic> {
        let mut prev = std::mem::take(&mut self.files);
        if self.seed != seed {
            prev.clear();
            self.seed = seed;
        }
        let found: Vec<(u64, Arc<[Diagnostic]>)> = items
            .par_iter()
            .map(|t| {
                let k = key(t);
                let d = prev.get(&k).cloned().unwrap_or_else(|| check(t).into());
                (k, d)
            })
            .collect();
        drop(prev);
        let mut out = Vec::new();
        self.files.reserve(found.len());
        for (k, d) in found {
            out.extend(d.iter().cloned());
            self.files.insert(k, d);
        }
        out
    }
}

/// A seed from the configuration a check reads (as `Debug` text).
pub fn seed(config: &impl std::fmt::Debug) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("{config:?}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::text;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn checks_only_new_keys_and_forgets_on_a_new_seed() {
        let calls = AtomicUsize::new(0);
        let check = |n: &u64| {
            calls.fetch_add(1, Ordering::Relaxed);
            vec![Diagnostic::warning(format!("f{n}"), 1, 1, text!("w"; "w"))]
        };
        let mut c = Cache::default();
        let all = c.run(1, &[1u64, 2, 3], |n| key("p", *n), check);
        assert_eq!(all.len(), 3);
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        let again = c.run(1, &[1u64, 3, 4], |n| key("p", *n), check);
        assert_eq!(calls.load(Ordering::Relaxed), 4, "only 4 is new");
        let paths: Vec<_> = again.iter().map(|d| d.path.clone()).collect();
        assert_eq!(paths, ["f1", "f3", "f4"].map(std::path::PathBuf::from));
        c.run(2, &[1u64], |n| key("p", *n), check);
        assert_eq!(calls.load(Ordering::Relaxed), 5, "a new seed checks again");
    }
}

//! The file this thread is working on, for the one-line message `main`
//! prints if something panics anyway ("internal error, please report …,
//! while processing content/x.md"). Set by the stages that handle one
//! document at a time; rayon workers set their own.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

thread_local! {
    static FILE: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// Marks `path` as the file being processed until dropped.
pub struct Processing {
    previous: Option<PathBuf>,
}

impl Drop for Processing {
    fn drop(&mut self) {
        let previous = self.previous.take();
        FILE.with(|f| *f.borrow_mut() = previous);
    }
}

/// `path` is being processed on this thread until the guard is dropped.
///
/// `JIANBAO_TEST_PANIC=<text>` makes processing any file whose path
/// contains `<text>` panic: the integration tests use it to check that an
/// internal error still ends in one clear line and exit code 3.
pub fn processing(path: &Path) -> Processing {
    let previous = FILE.with(|f| f.borrow_mut().replace(path.to_path_buf()));
    let guard = Processing { previous };
    static INJECT: OnceLock<Option<String>> = OnceLock::new();
    let inject = INJECT.get_or_init(|| std::env::var("JIANBAO_TEST_PANIC").ok());
    if let Some(needle) = inject.as_deref().filter(|n| !n.is_empty()) {
        if path.to_string_lossy().contains(needle) {
            panic!("JIANBAO_TEST_PANIC: injected panic");
        }
    }
    guard
}

/// The file being processed on this thread, if any.
pub fn file() -> Option<PathBuf> {
    FILE.with(|f| f.borrow().clone())
}

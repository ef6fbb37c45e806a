//! Frees large structures on a background thread, so a build does not wait
//! on one core while the allocator takes back hundreds of megabytes (10k
//! reports: ≈ 0.15 s at the end of a build). A one-shot `build` exits
//! without waiting for the thread; `serve` goes on meanwhile.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Values handed to [`drop_aside`] not yet dropped.
static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Drops `value` on a new thread (here, when no thread can be started: the
/// refused closure is dropped with it).
pub fn drop_aside<T: Send + 'static>(value: T) {
    PENDING.fetch_add(1, Ordering::SeqCst);
    let spawned = std::thread::Builder::new()
        .name("jianbao-free".into())
        .spawn(move || {
            drop(value);
            PENDING.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        PENDING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// [`trim`] on a thread of its own once every value handed to
/// [`drop_aside`] so far is dropped (`serve`, after a build of most
/// documents: what it freed goes back at once, not after the audit line).
pub fn trim_when_freed() {
    let _ = std::thread::Builder::new()
        .name("jianbao-trim".into())
        .spawn(|| {
            while PENDING.load(Ordering::SeqCst) > 0 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            trim();
        });
}

/// Hands the allocator's free pages back to the system (glibc keeps what
/// was freed for later allocations: after `serve`'s first build at 10k,
/// ≈ 110 MB of its 550 MB resident). For a long-running `serve`, after
/// each build and its audit; a no-op elsewhere.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim takes the allocator's own locks and only returns
    // unused pages to the kernel; it touches no memory in use.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() {}

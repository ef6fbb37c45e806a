//! Frees large structures on a background thread, so a build does not wait
//! on one core while the allocator takes back hundreds of megabytes (10k
//! reports: ≈ 0.15 s at the end of a build). A one-shot `build` exits
//! without waiting for the thread; `serve` goes on meanwhile.

/// Drops `value` on a new thread (here, when no thread can be started: the
/// refused closure is dropped with it).
pub fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("jianbao-free".into())
        .spawn(move || drop(value));
}

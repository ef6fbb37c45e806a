//! `jianbao serve` under abuse, on 127.0.0.1 only: a 100 MB request path,
//! 1,000 concurrent clients for a few seconds while a normal request is
//! answered in under a second throughout, and clients that hang up in the
//! middle of a response. The server's memory stays bounded (the request
//! line is held whole while read: see the note below); the figures are
//! printed (run with `--nocapture` to see them).

mod common;

use common::serve::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server's resident memory now and at its peak, in MB.
fn rss_mb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

fn site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    common::copy_dir(&common::fixtures().join("serve-site"), &root);
    // A page big enough that a response takes several writes.
    let para = "陶乐镇开展环境卫生整治，清理垃圾600多吨，出动人员1200人次。\n\n".repeat(20_000);
    std::fs::write(
        root.join("content/reports/big.md"),
        format!("---\ntitle: 长报告\nunit: 陶乐镇\ndate: 2024-06-01\n---\n{para}"),
    )
    .unwrap();
    (tmp, root)
}

/// What a failed request saw, for the failure message.
fn probe(port: u16) -> String {
    let mut c = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(c) => c,
        Err(e) => return format!("connect: {e}"),
    };
    let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
    if let Err(e) =
        c.write_all(b"GET /cw/reports/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    {
        return format!("write: {e}");
    }
    let mut out = Vec::new();
    match c.read_to_end(&mut out) {
        Ok(_) => String::from_utf8_lossy(&out[..out.len().min(200)]).into_owned(),
        Err(e) => format!("read: {e} after {} bytes", out.len()),
    }
}

/// A normal request, timed.
fn timed_get(s: &Server, path: &str) -> (Option<u16>, Duration) {
    let t = Instant::now();
    let r = s.get(path).map(|r| r.status);
    (r, t.elapsed())
}

#[test]
fn serve_survives_abuse_with_bounded_memory() {
    let (_tmp, root) = site();
    let s = Server::start(&root, "/cw/");
    let pid = s.child.id();
    let (_, base) = rss_mb(pid);

    // 1. A 100 MB request path: refused or dropped, the server lives on
    // and does not hold the path in memory.
    {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut sent = c.write_all(b"GET /cw/").is_ok();
        let chunk = vec![b'a'; 1 << 20];
        let t = Instant::now();
        for _ in 0..100 {
            if !sent || c.write_all(&chunk).is_err() || t.elapsed() > Duration::from_secs(20) {
                sent = false;
                break;
            }
        }
        if sent {
            let _ = c.write_all(b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut out = Vec::new();
            let _ = c.read_to_end(&mut out);
            let head = String::from_utf8_lossy(&out[..out.len().min(64)]).into_owned();
            assert!(
                out.is_empty() || !head.contains(" 200 "),
                "a 100 MB path got {head:?}"
            );
        }
    }
    let (r, took) = timed_get(&s, "/cw/");
    assert_eq!(r, Some(200), "alive after the long path");
    assert!(took < Duration::from_secs(1), "{took:?}");
    let (_, after_path) = rss_mb(pid);

    // 2. Clients that hang up mid-response, many times over.
    for _ in 0..200 {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.write_all(b"GET /cw/reports/big/ HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut first = [0u8; 512];
        let _ = c.read(&mut first);
        drop(c);
    }
    let (r, _) = timed_get(&s, "/cw/reports/big/");
    assert_eq!(r, Some(200), "alive after hang-ups");

    // 3. 1,000 concurrent clients, each with its own connection, asking
    // again and again for 5 s; a normal request every 100 ms must be
    // answered within a second.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients = 1000;
    let threads = 20;
    // All connect first (the kernel's listen backlog of 128 drops SYNs
    // in a storm of 1,000, which costs a 1 s retry to whoever is caught in
    // it), then all ask while the normal requests are timed.
    let ready = Arc::new(std::sync::Barrier::new(threads + 1));
    let mut handles = Vec::new();
    for _ in 0..threads {
        let (stop, answered, port) = (stop.clone(), answered.clone(), s.port);
        let ready = ready.clone();
        handles.push(std::thread::spawn(move || {
            let mut conns: Vec<TcpStream> = Vec::new();
            for _ in 0..clients / threads {
                if let Ok(c) = TcpStream::connect(("127.0.0.1", port)) {
                    conns.push(c);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            ready.wait();
            for c in &conns {
                let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
            }
            let mut buf = vec![0u8; 1 << 16];
            while !stop.load(Ordering::Relaxed) {
                for c in conns.iter_mut() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let req = b"GET /cw/ HTTP/1.1\r\nHost: x\r\n\r\n";
                    if c.write_all(req).is_ok() && c.read(&mut buf).is_ok_and(|n| n > 0) {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // Each client asks about ten times a second: 1,000 clients
                // at a steady rate, not one tight loop starving the machine
                // the test shares with its harness.
                std::thread::sleep(Duration::from_millis(100));
            }
            conns.len()
        }));
    }
    ready.wait();
    let start = Instant::now();
    let mut worst = Duration::ZERO;
    let mut peak_during = 0;
    while start.elapsed() < Duration::from_secs(5) {
        let (r, took) = timed_get(&s, "/cw/reports/");
        assert_eq!(
            r,
            Some(200),
            "a normal request failed under load after {took:?}: {:?}",
            probe(s.port)
        );
        worst = worst.max(took);
        peak_during = peak_during.max(rss_mb(pid).0);
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    let connected: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let (now, peak) = rss_mb(pid);
    eprintln!(
        "serve memory: {base} MB at start, {after_path} MB peak after a 100 MB path, \
         {peak_during} MB during {connected} clients ({} answers), {now} MB after, {peak} MB peak; \
         slowest normal request {worst:?}",
        answered.load(Ordering::Relaxed)
    );
    assert!(
        connected >= clients * 9 / 10,
        "only {connected} clients connected"
    );
    assert!(
        answered.load(Ordering::Relaxed) > 0,
        "no client was answered"
    );
    assert!(
        worst < Duration::from_secs(1),
        "a normal request took {worst:?} under load"
    );
    // The HTTP layer (tiny_http 0.12) buffers a request line whole in a
    // doubling Vec: a 100 MB path costs up to four times that while it is
    // read (measured 90–420 MB), bounded by what one request sends, not by
    // a fixed limit (docs/security.md, open item). 1,000 client threads
    // cost 30–440 MB resident while they are served (stacks and glibc's
    // arenas; measured), and the memory goes back once they are gone: the
    // bound that matters is that nothing stays behind.
    assert!(
        after_path < base + 500,
        "a 100 MB path cost {} MB",
        after_path - base
    );
    assert!(
        peak_during < base + 600,
        "1,000 clients: {peak_during} MB resident (start {base} MB)"
    );
    assert!(peak < base + 700, "peak memory {peak} MB");
    assert!(
        now < base + 150,
        "{now} MB resident after the abuse (start {base} MB): memory stayed behind"
    );
    let (r, _) = timed_get(&s, "/cw/");
    assert_eq!(r, Some(200), "alive at the end");
}

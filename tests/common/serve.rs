//! A running `jianbao serve` on 127.0.0.1 for the security and abuse
//! tests: started on a free port, asked over raw HTTP, killed when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `jianbao serve` on `root` at `port`, logging to `root/serve.log`.
pub fn spawn(root: &Path, port: u16) -> Child {
    spawn_with(root, port, &[])
}

/// [`spawn`] with more arguments (`--timings`).
pub fn spawn_with(root: &Path, port: u16, args: &[&str]) -> Child {
    let log = std::fs::File::create(root.join("serve.log")).unwrap();
    Command::new(super::bin())
        .args(["serve", "--root"])
        .arg(root)
        .args(["--port", &port.to_string()])
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response's status code and body.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts `jianbao serve --root root` and waits (up to 20 s) until it
    /// answers `probe`.
    pub fn start(root: &Path, probe: &str) -> Server {
        let port = free_port();
        let s = Server {
            child: spawn(root, port),
            port,
        };
        let start = Instant::now();
        while s.get(probe).is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "serve did not answer within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    /// Sends raw bytes and reads the reply to the end (None on any failure).
    pub fn raw(&self, request: &[u8], timeout: Duration) -> Option<Reply> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(timeout)).ok()?;
        s.set_write_timeout(Some(timeout)).ok()?;
        s.write_all(request).ok()?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).ok()?;
        let head_end = out.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&out[..head_end]).into_owned();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some(Reply {
            status,
            body: out[head_end + 4..].to_vec(),
        })
    }

    /// `GET path` with `Connection: close`.
    pub fn get(&self, path: &str) -> Option<Reply> {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        self.raw(req.as_bytes(), Duration::from_secs(10))
    }
}

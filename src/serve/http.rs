//! The preview's HTTP/1.1 layer, no more than serve needs: GET/HEAD with
//! keep-alive, one thread per connection, parsed by `httparse`. Its memory
//! is bounded whatever a client sends: a request line over
//! [`MAX_LINE`] gets 414 and a head over [`MAX_HEAD`] 431, both before the
//! rest is read; at most [`MAX_CONNECTIONS`] connections are open at once
//! (a newcomer past that closes the longest-idle one, as nginx reuses
//! keep-alive connections); idle, slow and stuck clients time out.

use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Longest request line accepted (method, target, version), in bytes.
pub const MAX_LINE: usize = 8 * 1024;
/// Longest request head accepted (request line and headers), in bytes.
pub const MAX_HEAD: usize = 64 * 1024;
/// Most headers in one request.
const MAX_HEADERS: usize = 100;
/// Most connections open at once (each has one thread).
pub const MAX_CONNECTIONS: usize = 512;
/// How long a kept-alive connection may wait for its next request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a request head may take to arrive once it has begun.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one write to a client that does not read may block.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// After refusing a request, how long (and how much) of the rest is read
/// and thrown away, through a fixed buffer, so the client can read the
/// answer before the connection closes (a close with unread input resets
/// the connection, and the client's system may drop the answer).
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 64 << 20;
/// Bytes read from a socket at a time.
const CHUNK: usize = 8 * 1024;
/// How long a newcomer waits for a slot once it has closed an idle one.
const ADMIT_WAIT: Duration = Duration::from_millis(500);

/// One request's head.
pub struct Request {
    pub method: String,
    pub target: String,
    /// A HEAD request: the answer's body is not sent.
    pub head_only: bool,
}

/// A response body: bytes, or a stored file sent as it is.
pub enum Body {
    Owned(Vec<u8>),
    File(std::fs::File),
}

/// A complete response.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

/// A connection taken over by a handler that writes its own status line
/// and headers; the connection closes when it returns.
pub type Takeover = Box<dyn FnOnce(Box<dyn Write + Send>) + Send>;

/// What a handler answers.
pub enum Reply {
    Full(Response),
    Takeover(Takeover),
}

/// Answers requests; runs on the connection's thread.
pub type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A listening server.
pub struct Server {
    listener: TcpListener,
    conns: Arc<Conns>,
}

impl Server {
    /// Listens on `addr`.
    pub fn bind(addr: (&str, u16)) -> std::io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            conns: Arc::new(Conns::new(MAX_CONNECTIONS)),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections forever, each on its own thread.
    pub fn run(&self, handler: Arc<Handler>) {
        loop {
            let stream = match self.listener.accept() {
                Ok((s, _)) => s,
                // Out of file descriptors and the like: wait for some to go.
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            let Some(id) = self.conns.admit(&stream) else {
                refuse_busy(stream);
                continue;
            };
            let (conns, handler) = (self.conns.clone(), handler.clone());
            let spawned = std::thread::Builder::new()
                .name("jianbao-http".into())
                .stack_size(512 * 1024)
                .spawn(move || {
                    let _slot = Slot { conns, id };
                    connection(stream, &_slot, &*handler);
                });
            if spawned.is_err() {
                self.conns.leave(id);
            }
        }
    }
}

/// No slot could be had: a short 503, written without blocking.
fn refuse_busy(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = (&stream).write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n",
    );
}

/// What a connection is doing, for choosing one to close.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for (the rest of) a request head since then.
    Waiting(Instant),
    /// Answering a request.
    Busy,
    /// Taken over by a long-lived stream (live reload).
    Streaming(Instant),
    /// Told to close.
    Closing,
}

/// One open connection: a clone of its socket (to close it from the
/// accept thread) and what it is doing.
struct Open {
    socket: TcpStream,
    state: State,
}

/// The open connections, by id, and the last id given.
#[derive(Default)]
struct Table {
    last: u64,
    open: HashMap<u64, Open>,
}

struct Conns {
    table: Mutex<Table>,
    left: Condvar,
    /// Most connections open at once.
    limit: usize,
}

impl Conns {
    fn new(limit: usize) -> Conns {
        Conns {
            table: Mutex::default(),
            left: Condvar::new(),
            limit,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot for a new connection: past the limit, the longest-waiting
    /// connection is closed (an idle one before a live-reload stream,
    /// never one being answered) and its slot taken. None: no slot.
    fn admit(&self, stream: &TcpStream) -> Option<u64> {
        let socket = stream.try_clone().ok()?;
        let mut t = self.lock();
        if t.open.len() >= self.limit {
            let victim = t
                .open
                .iter()
                .filter_map(|(id, c)| match c.state {
                    State::Waiting(since) => Some(((0, since), *id)),
                    State::Streaming(since) => Some(((1, since), *id)),
                    _ => None,
                })
                .min()
                .map(|(_, id)| id);
            if let Some(c) = victim.and_then(|id| t.open.get_mut(&id)) {
                let _ = c.socket.shutdown(Shutdown::Both);
                c.state = State::Closing;
            }
            let deadline = Instant::now() + ADMIT_WAIT;
            while t.open.len() >= self.limit {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                t = self
                    .left
                    .wait_timeout(t, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        t.last += 1;
        let id = t.last;
        let state = State::Waiting(Instant::now());
        t.open.insert(id, Open { socket, state });
        Some(id)
    }

    fn set(&self, id: u64, state: State) {
        if let Some(c) = self.lock().open.get_mut(&id) {
            if c.state != State::Closing {
                c.state = state;
            }
        }
    }

    fn leave(&self, id: u64) {
        self.lock().open.remove(&id);
        self.left.notify_all();
    }
}

/// A connection's place in [`Conns`], given back when its thread ends
/// (also by a panic).
struct Slot {
    conns: Arc<Conns>,
    id: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.conns.leave(self.id);
    }
}

/// Why no request could be read.
#[derive(Debug, PartialEq, Eq)]
enum NoRequest {
    /// The client went away, or was too slow: close without a word.
    Gone,
    /// Refuse with this status, then close.
    Refuse(u16),
}

/// A parsed head: the request, whether the connection may be kept, and
/// whether a body follows (never read: the connection closes after).
struct Head {
    req: Request,
    keep_alive: bool,
    body: bool,
}

/// Serves requests on one connection until it closes.
fn connection(stream: TcpStream, slot: &Slot, handler: &Handler) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut reader = &stream;
    let mut buf = Vec::new();
    loop {
        slot.conns.set(slot.id, State::Waiting(Instant::now()));
        let head = read_head(&mut reader, &mut buf);
        slot.conns.set(slot.id, State::Busy);
        let Head {
            req,
            keep_alive,
            body,
        } = match head {
            Ok(h) => h,
            Err(NoRequest::Gone) => return,
            Err(NoRequest::Refuse(status)) => {
                let _ = write_response(&stream, &error(status), false, false);
                return linger(&stream);
            }
        };
        let reply = std::panic::catch_unwind(AssertUnwindSafe(|| handler(&req)))
            .unwrap_or_else(|_| Reply::Full(error(500)));
        match reply {
            Reply::Full(resp) => {
                if write_response(&stream, &resp, req.head_only, keep_alive).is_err() {
                    return;
                }
                if !keep_alive {
                    // Input left unread would reset the connection.
                    if body || !buf.is_empty() {
                        linger(&stream);
                    }
                    return;
                }
            }
            Reply::Takeover(f) => {
                slot.conns.set(slot.id, State::Streaming(Instant::now()));
                if let Ok(out) = stream.try_clone() {
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| f(Box::new(out))));
                }
                return;
            }
        }
    }
}

/// A plain-text answer for a status of its own.
fn error(status: u16) -> Response {
    let text = format!("{status} {}\n", reason(status));
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: Body::Owned(text.into_bytes()),
    }
}

/// Closes gracefully: no more output, then the client's remaining input
/// (up to a bound) is read and dropped, so it can read the answer first.
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; CHUNK];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&*stream).read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

/// Where a request head ends in `buf` (just past its empty line), looking
/// from `from` on.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let start = from.saturating_sub(3);
    let mut i = start;
    while let Some(p) = memchr::memchr(b'\n', &buf[i..]) {
        let nl = i + p;
        match buf.get(nl + 1) {
            Some(b'\n') => return Some(nl + 2),
            Some(b'\r') if buf.get(nl + 2) == Some(&b'\n') => return Some(nl + 3),
            _ => i = nl + 1,
        }
    }
    None
}

/// Reads the next request head from `reader`, keeping what follows it in
/// `buf` (a pipelined request). Never holds more than [`MAX_HEAD`] plus
/// one read.
fn read_head(reader: &mut impl ReadTimed, buf: &mut Vec<u8>) -> Result<Head, NoRequest> {
    let mut scanned = 0;
    let mut line_read = false;
    let mut began = (!buf.is_empty()).then(Instant::now);
    let idle_until = Instant::now() + IDLE_TIMEOUT;
    loop {
        // Blank lines before a request are allowed (RFC 9112 §2.2).
        let lead = buf
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        if lead > 0 {
            buf.drain(..lead);
            scanned = 0;
        }
        if !line_read {
            match memchr::memchr(b'\n', buf) {
                Some(nl) if nl <= MAX_LINE + 1 => line_read = true,
                Some(_) => return Err(NoRequest::Refuse(414)),
                None if buf.len() > MAX_LINE + 1 => return Err(NoRequest::Refuse(414)),
                None => {}
            }
        }
        if let Some(end) = head_end(buf, scanned) {
            let head = parse(&buf[..end]);
            buf.drain(..end);
            // What a large head left need not stay with an idle connection.
            buf.shrink_to(CHUNK);
            return head;
        }
        if buf.len() >= MAX_HEAD {
            return Err(NoRequest::Refuse(431));
        }
        scanned = buf.len();
        let deadline = began.map_or(idle_until, |t| t + HEAD_TIMEOUT);
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NoRequest::Gone);
        }
        let want = CHUNK.min(MAX_HEAD - buf.len() + 1);
        match reader.read_timed(buf, want, left) {
            Ok(0) | Err(_) => return Err(NoRequest::Gone),
            Ok(_) => {
                began.get_or_insert_with(Instant::now);
            }
        }
    }
}

/// A source of request bytes with a timeout per read.
trait ReadTimed {
    /// Appends up to `want` bytes to `buf`, waiting at most `timeout`.
    fn read_timed(
        &mut self,
        buf: &mut Vec<u8>,
        want: usize,
        timeout: Duration,
    ) -> std::io::Result<usize>;
}

impl ReadTimed for &TcpStream {
    fn read_timed(
        &mut self,
        buf: &mut Vec<u8>,
        want: usize,
        timeout: Duration,
    ) -> std::io::Result<usize> {
        self.set_read_timeout(Some(timeout))?;
        let mut chunk = [0u8; CHUNK];
        let n = self.read(&mut chunk[..want.min(CHUNK)])?;
        // Grown by what arrived, not doubled: at most MAX_HEAD + CHUNK.
        buf.reserve_exact(n);
        buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }
}

/// Parses a complete head.
fn parse(bytes: &[u8]) -> Result<Head, NoRequest> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(NoRequest::Refuse(400)),
        Err(httparse::Error::TooManyHeaders) => return Err(NoRequest::Refuse(431)),
        Err(httparse::Error::Version) => return Err(NoRequest::Refuse(505)),
        Err(_) => return Err(NoRequest::Refuse(400)),
    }
    let version = req.version.unwrap_or(1);
    let (mut close, mut keep, mut body) = (false, false, false);
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        if h.name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                close |= token.eq_ignore_ascii_case("close");
                keep |= token.eq_ignore_ascii_case("keep-alive");
            }
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let n: u64 = value.trim().parse().map_err(|_| NoRequest::Refuse(400))?;
            body |= n > 0;
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            body = true;
        }
    }
    let method = req.method.unwrap_or_default().to_string();
    Ok(Head {
        keep_alive: !body && !close && (version == 1 || keep),
        body,
        req: Request {
            head_only: method == "HEAD",
            method,
            target: req.path.unwrap_or_default().to_string(),
        },
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Writes one response; the body is left out for HEAD (its length stays).
fn write_response(
    stream: &TcpStream,
    resp: &Response,
    head_only: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let len = match &resp.body {
        Body::Owned(v) => v.len() as u64,
        Body::File(f) => f.metadata()?.len(),
    };
    let mut out = BufWriter::with_capacity(16 * 1024, stream);
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
    write!(
        out,
        "HTTP/1.1 {} {}\r\nDate: {date}\r\n",
        resp.status,
        reason(resp.status)
    )?;
    for (name, value) in &resp.headers {
        write!(out, "{name}: {value}\r\n")?;
    }
    if resp.status != 204 && resp.status != 304 {
        write!(out, "Content-Length: {len}\r\n")?;
    }
    let connection = if keep_alive { "keep-alive" } else { "close" };
    write!(out, "Connection: {connection}\r\n\r\n")?;
    if !head_only {
        match &resp.body {
            Body::Owned(v) => out.write_all(v)?,
            Body::File(f) => {
                std::io::copy(&mut Read::take(f, len), &mut out)?;
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Bytes arriving in the given pieces, then the end of the stream.
    struct Pieces(VecDeque<Vec<u8>>, usize);

    impl ReadTimed for Pieces {
        fn read_timed(
            &mut self,
            buf: &mut Vec<u8>,
            want: usize,
            _: Duration,
        ) -> std::io::Result<usize> {
            let Some(mut p) = self.0.pop_front() else {
                return Ok(0);
            };
            if p.len() > want {
                self.0.push_front(p.split_off(want));
            }
            self.1 += p.len();
            buf.extend_from_slice(&p);
            Ok(p.len())
        }
    }

    fn pieces(parts: &[&[u8]]) -> Pieces {
        Pieces(parts.iter().map(|p| p.to_vec()).collect(), 0)
    }

    fn head(r: &mut Pieces, buf: &mut Vec<u8>) -> Result<(String, String, bool), NoRequest> {
        read_head(r, buf).map(|h| (h.req.method, h.req.target, h.keep_alive))
    }

    #[test]
    fn reads_heads_in_pieces_and_keeps_pipelined_requests() {
        let mut r = pieces(&[
            b"\r\nGET /cw/a",
            b" HTTP/1.1\r\nHost: x\r",
            b"\n\r\nHEAD /cw/b HTTP/1.1\r\nConnection: close\r\n\r\nGET /c HTTP/1.0\n\n",
        ]);
        let mut buf = Vec::new();
        assert_eq!(
            head(&mut r, &mut buf),
            Ok(("GET".into(), "/cw/a".into(), true))
        );
        assert_eq!(
            head(&mut r, &mut buf),
            Ok(("HEAD".into(), "/cw/b".into(), false))
        );
        assert_eq!(
            head(&mut r, &mut buf),
            Ok(("GET".into(), "/c".into(), false))
        );
        assert_eq!(head(&mut r, &mut buf), Err(NoRequest::Gone));
    }

    #[test]
    fn keep_alive_follows_the_version_connection_and_body() {
        for (req, keep) in [
            (&b"GET / HTTP/1.1\r\n\r\n"[..], true),
            (
                b"GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n",
                false,
            ),
            (b"GET / HTTP/1.0\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            (b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", false),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                false,
            ),
            (b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", true),
        ] {
            let got = head(&mut pieces(&[req]), &mut Vec::new()).map(|h| h.2);
            assert_eq!(got, Ok(keep), "{}", String::from_utf8_lossy(req));
        }
    }

    #[test]
    fn refuses_long_lines_and_heads_without_reading_on() {
        // A request line past the limit: 414 once MAX_LINE bytes are in,
        // whatever follows.
        let long = vec![b'a'; 1 << 20];
        let mut r = pieces(&[b"GET /", &long, &long]);
        let mut buf = Vec::new();
        assert_eq!(head(&mut r, &mut buf), Err(NoRequest::Refuse(414)));
        assert!(r.1 <= MAX_LINE + 2 * CHUNK, "read {} bytes", r.1);
        assert!(buf.capacity() <= MAX_LINE + 2 * CHUNK);
        // Headers past the limit: 431, after at most MAX_HEAD + one read.
        let mut r = pieces(&[b"GET / HTTP/1.1\r\nX: ", &long, &long]);
        let mut buf = Vec::new();
        assert_eq!(head(&mut r, &mut buf), Err(NoRequest::Refuse(431)));
        assert!(r.1 <= MAX_HEAD + CHUNK, "read {} bytes", r.1);
        assert!(buf.capacity() <= MAX_HEAD + CHUNK);
        // Too many headers, each short.
        let many = "X: y\r\n".repeat(MAX_HEADERS + 1);
        let req = format!("GET / HTTP/1.1\r\n{many}\r\n");
        let got = head(&mut pieces(&[req.as_bytes()]), &mut Vec::new());
        assert_eq!(got, Err(NoRequest::Refuse(431)));
        // A line just under the limit is fine.
        let path = format!("/{}", "a".repeat(MAX_LINE - 20));
        let req = format!("GET {path} HTTP/1.1\r\n\r\n");
        let got = head(&mut pieces(&[req.as_bytes()]), &mut Vec::new());
        assert_eq!(got, Ok(("GET".into(), path, true)));
    }

    #[test]
    fn garbage_gets_400_or_505() {
        for (req, status) in [
            (&b"GARBAGE\r\n\r\n"[..], 400),
            (b"GET\r\n\r\n", 400),
            (b"\x00\x01\x02\xff\r\n\r\n", 400),
            (b"GET /cw/ HTTP/9.9\r\n\r\n", 505),
            (b"GET /cw/ HTTP/1.1\r\nBroken header line\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
        ] {
            let got = head(&mut pieces(&[req]), &mut Vec::new());
            assert_eq!(
                got,
                Err(NoRequest::Refuse(status)),
                "{}",
                String::from_utf8_lossy(req)
            );
        }
        // Half a head, then the client goes.
        assert_eq!(
            head(&mut pieces(&[b"GET /cw/ HT"]), &mut Vec::new()),
            Err(NoRequest::Gone)
        );
    }

    /// A connected pair on loopback: (the client's end, the server's end).
    fn pair(l: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        (client, l.accept().unwrap().0)
    }

    /// Whether the server closed the client's connection.
    fn closed(client: &mut TcpStream) -> bool {
        client
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        matches!(client.read(&mut [0u8; 8]), Ok(0))
    }

    /// Frees `id`'s slot after a moment, as its thread would on closing.
    fn leave_soon(conns: &Arc<Conns>, id: u64) -> std::thread::JoinHandle<()> {
        let conns = conns.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            conns.leave(id);
        })
    }

    #[test]
    fn past_the_limit_the_longest_idle_connection_goes_never_a_busy_one() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let conns = Arc::new(Conns::new(3));
        let (mut c1, s1) = pair(&l);
        let (mut c2, s2) = pair(&l);
        let (mut c3, s3) = pair(&l);
        let (a, b, c) = (conns.admit(&s1), conns.admit(&s2), conns.admit(&s3));
        let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
        conns.set(a, State::Streaming(Instant::now()));
        conns.set(b, State::Busy);
        conns.set(c, State::Waiting(Instant::now()));
        // Full: the idle one is closed (before the stream) and its slot
        // taken once its thread has gone.
        let (_c4, s4) = pair(&l);
        let leaver = leave_soon(&conns, c);
        let d = conns.admit(&s4).expect("a slot after the idle one left");
        leaver.join().unwrap();
        assert!(closed(&mut c3), "the idle connection stays open");
        assert!(!closed(&mut c1) && !closed(&mut c2));
        // Full again, nothing idle: the stream goes next.
        conns.set(d, State::Busy);
        let (_c5, s5) = pair(&l);
        let leaver = leave_soon(&conns, a);
        assert!(conns.admit(&s5).is_some());
        leaver.join().unwrap();
        assert!(closed(&mut c1), "the stream stays open");
        assert!(!closed(&mut c2), "a busy connection was closed");
        // Only busy ones: no slot (the newcomer gets 503), none closed.
        let (_c6, s6) = pair(&l);
        assert!(conns.admit(&s6).is_none());
        assert!(!closed(&mut c2));
    }
}

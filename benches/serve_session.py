#!/usr/bin/env python3
"""A scripted `jianbao serve` session: start, 5 edits, stop.

usage: benches/serve_session.py JIANBAO_BIN SITE [PORT]   (env EDITS: default 5)

Prints, on one line: seconds from start to the first page answered (200
for the home page), seconds from start until the session's caches are
filled (serve's first build goes in batches as `build` does; a warm-up
rebuild through the caches follows, and a save made before it ends waits
for it), the median save → `reload` event in ms over the edits made after it,
the server's CPU time (user + system) per edit, counting the background
audit line, and the resident memory after the last edit and the peak
(VmRSS and VmHWM of the server, in MB). Each edit appends a line to the site's first report
(write + rename, as editors save); the report is restored at the end.
Server output goes to SITE/../serve-session.log.
"""
import os, socket, statistics, subprocess, sys, time, urllib.request

exe, root = sys.argv[1], os.path.abspath(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 18223
logname = os.path.join(os.path.dirname(root), "serve-session.log")
log = open(logname, "w")
t0 = time.perf_counter()
p = subprocess.Popen([exe, "serve", "--root", root, "--port", str(port), "--timings"], stdout=log, stderr=log)


def status(key):
    text = open("/proc/%d/status" % p.pid).read()
    return int(text.split(key + ":")[1].split()[0]) / 1024


def cpu():
    """The server's user + system CPU seconds so far."""
    f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def save(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".swp")
    open(tmp, "w", encoding="utf-8").write(text)
    os.rename(tmp, path)


rep = orig = None
try:
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=600) as r:
                if r.status == 200:
                    break
        except OSError:
            if p.poll() is not None:
                sys.exit("serve stopped; see serve-session.log")
            time.sleep(0.02)
    first = time.perf_counter() - t0
    # `--timings` prints `ms: warm-up` when the caches are filled.
    while "ms: warm-up" not in open(logname, encoding="utf-8", errors="replace").read():
        if p.poll() is not None:
            sys.exit("serve stopped; see serve-session.log")
        time.sleep(0.05)
    warm = time.perf_counter() - t0
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /__jianbao/events HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""

    def wait(needle):
        global buf
        while needle not in buf:
            buf += s.recv(65536)
        i = buf.index(needle)
        buf = buf[buf.index(b"\n\n", i) + 2:]

    wait(b"event: hello")
    for dp, dn, fn in sorted(os.walk(root + "/content/reports")):
        md = sorted(f for f in fn if f.endswith(".md"))
        if md:
            path = os.path.join(dp, md[0])
            break
    orig, rep = open(path, encoding="utf-8").read(), path

    ms, cpu0 = [], cpu()
    for i in range(int(os.environ.get("EDITS", "5"))):
        time.sleep(0.4)
        start = time.perf_counter()
        save(rep, orig + "\n\n编辑%d\n" % i)
        wait(b"event: reload")
        ms.append((time.perf_counter() - start) * 1000)
    edits_cpu = (cpu() - cpu0) / len(ms)
    print("first_page_s %.2f  warm_s %.2f  edit_ms %.0f (%s)  cpu_per_edit_s %.2f  rss_MB %.0f  peak_MB %.0f" % (
        first, warm, statistics.median(ms), " ".join("%.0f" % x for x in ms), edits_cpu,
        status("VmRSS"), status("VmHWM")), flush=True)
finally:
    if rep:
        save(rep, orig)
    p.terminate()
    p.wait()

#!/usr/bin/env python3
"""Latency from file save to live-reload event for `jianbao serve`.

usage: benches/serve_latency.py JIANBAO_BIN SITE_COPY [PORT]   (env N: edits per kind, default 7)

SITE_COPY must be a throwaway copy of a site with static/style.css: the
script appends to its first report and to static/style.css (write + rename,
as editors save), waits for the `reload` / `css` event on the SSE stream,
and restores both files. Server output goes to SITE_COPY/../serve-latency.log.
"""
import socket, subprocess, time, os, statistics, sys
exe, root = sys.argv[1], os.path.abspath(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 18222
log = open(os.path.join(os.path.dirname(root), "serve-latency.log"), "w")
p = subprocess.Popen([exe, "serve", "--root", root, "--port", str(port), "--timings"], stdout=log, stderr=log)
try:
    for _ in range(200):
        try:
            s = socket.create_connection(("127.0.0.1", port)); break
        except OSError: time.sleep(0.05)
    s.sendall(b"GET /__jianbao/events HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""
    def wait(needle):
        global buf
        while needle not in buf:
            buf += s.recv(65536)
        i = buf.index(needle); j = buf.index(b"\n\n", i); buf = buf[j+2:]
    wait(b"event: hello")
    rep = None
    for dp, dn, fn in os.walk(root + "/content/reports"):
        for f in sorted(fn):
            if f.endswith(".md"): rep = os.path.join(dp, f); break
        if rep: break
    css = root + "/static/style.css"
    def save(path, text):
        tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".swp")
        open(tmp, "w").write(text); os.rename(tmp, path)
    res = {"report": [], "css": []}
    for kind, path, ev in [("report", rep, b"event: reload"), ("css", css, b"event: css")]:
        orig = open(path).read()
        for i in range(int(os.environ.get("N", "7"))):
            time.sleep(0.4)
            text = orig + ("\n\n编辑%d\n" % i if kind == "report" else "\n/* edit %d */\n" % i)
            t0 = time.perf_counter(); save(path, text); wait(ev)
            res[kind].append((time.perf_counter() - t0) * 1000)
        save(path, orig); wait(b"event: reload" if kind == "report" else b"event: css"); time.sleep(0.3)
        print(kind, 'rss kB', open('/proc/%d/status' % p.pid).read().split('VmRSS:')[1].split()[0], flush=True)
    for k, v in res.items():
        print(k, "median %.0f ms" % statistics.median(v), "all", " ".join("%.0f" % x for x in v))
finally:
    p.terminate(); p.wait()

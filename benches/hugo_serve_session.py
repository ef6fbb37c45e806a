#!/usr/bin/env python3
"""`hugo server` on a site of benches/gen_hugo.py, for comparison with
benches/serve_session.py: start, 5 edits, stop.

usage: benches/hugo_serve_session.py HUGO_BIN HUGO_SITE [PORT]   (env EDITS: default 5)

Prints seconds from start to the first page answered, then the server's
resident memory after the edits and its peak (VmRSS and VmHWM, MB). Each
edit appends a line to the site's first report (write + rename) and waits
2 s (Hugo's reload is not observed); the report is restored at the end.
Server output goes to HUGO_SITE/../hugo-serve-session.log.
"""
import os, subprocess, sys, time, urllib.request

exe, root = sys.argv[1], os.path.abspath(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 18323
log = open(os.path.join(os.path.dirname(root), "hugo-serve-session.log"), "w")
t0 = time.perf_counter()
p = subprocess.Popen([exe, "server", "--source", root, "--port", str(port), "--bind", "127.0.0.1"],
                     stdout=log, stderr=log)


def status(key):
    text = open("/proc/%d/status" % p.pid).read()
    return int(text.split(key + ":")[1].split()[0]) / 1024


def save(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".swp")
    open(tmp, "w", encoding="utf-8").write(text)
    os.rename(tmp, path)


rep = orig = None
# The home page is under baseURL's path (`/cw/` for gen_hugo.py's sites).
conf = open(os.path.join(root, "hugo.toml"), encoding="utf-8").read()
base = conf.split("baseURL", 1)[1].split('"')[1]
path = "/" + base.split("://", 1)[-1].partition("/")[2]
try:
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=600) as r:
                if r.status == 200:
                    break
        except OSError:
            if p.poll() is not None:
                sys.exit("hugo stopped; see hugo-serve-session.log")
            time.sleep(0.05)
    first = time.perf_counter() - t0
    for dp, dn, fn in sorted(os.walk(root + "/content")):
        md = sorted(f for f in fn if f.endswith(".md") and not f.startswith("_"))
        if md:
            rep = os.path.join(dp, md[0])
            break
    orig = open(rep, encoding="utf-8").read()
    for i in range(int(os.environ.get("EDITS", "5"))):
        save(rep, orig + "\n\n编辑%d\n" % i)
        time.sleep(2)
    print("first_page_s %.2f  rss_MB %.0f  peak_MB %.0f" % (first, status("VmRSS"), status("VmHWM")), flush=True)
finally:
    if rep:
        save(rep, orig)
    p.terminate()
    p.wait()

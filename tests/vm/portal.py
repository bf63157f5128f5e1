#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The captive portal of the VM world's second café ("cafe2"), for tests.

    tests/vm/portal.py --listen ADDR --log FILE --nft-set "FAMILY TABLE SET"

Answers every HTTP request, whatever its Host, with a small login page: a
form whose "accept" button posts accept=yes to /accept. A client that posts
it is let through: its address is added to the nftables set named by
--nft-set (the café's forward chain lets that set pass, and stops
redirecting its port 80 here), and it gets a "you are online" page.

Every request is one line of FILE, flushed at once, for the tests to read:
    TIME CLIENT METHOD HOST PATH ua=USER-AGENT
    TIME CLIENT ACCEPT
Runs in the café's namespace as root (nft needs CAP_NET_ADMIN there); it
touches nothing else.
"""
import argparse
import html
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STYLE = """
body { margin: 0; font-family: "DejaVu Sans", "Liberation Sans", sans-serif;
       background: #efe6d8; color: #2b2118; }
.card { max-width: 30em; margin: 4em auto; padding: 2em 2.5em; background: #fffaf2;
        border-radius: 12px; box-shadow: 0 4px 18px rgba(60, 40, 20, .18); }
h1 { margin-top: 0; font-size: 1.7em; color: #6b3e1d; }
button { font-size: 1.1em; padding: .6em 1.4em; border: 0; border-radius: 8px;
         background: #6b3e1d; color: #fff; cursor: pointer; }
.small { font-size: .85em; color: #7a6a5a; }
"""

LOGIN = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Cafe Wi-Fi: log in</title><style>{style}</style></head>
<body><div class="card">
<h1>Cafe Wi-Fi</h1>
<p>Welcome to <b>cafe2</b>. Before you go online, please accept our terms of
use: be kind, and share the bandwidth.</p>
<form id="login" method="post" action="/accept">
<button id="accept" type="submit" name="accept" value="yes">Accept and go online</button>
</form>
<p class="small">You asked for {host}{path}. This network lets you through
once you accept. Your device: {client}.</p>
</div></body></html>
"""

ONLINE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Cafe Wi-Fi: you are online</title><style>{style}</style></head>
<body><div class="card">
<h1 id="online">You are online</h1>
<p>Thank you. {client} may now reach the Internet.</p>
</div></body></html>
"""


class Portal(BaseHTTPRequestHandler):
    server_version = "cafe2-portal"
    sys_version = ""
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # the default writes to stderr
        pass

    def note(self, what):
        self.server.log.write("%.3f %s %s\n" % (time.time(), self.client_address[0], what))
        self.server.log.flush()

    def page(self, code, text):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def request_line(self):
        host = self.headers.get("Host", "-")
        ua = self.headers.get("User-Agent", "-")
        self.note("%s %s %s ua=%s" % (self.command, host.replace(" ", "_"),
                                       self.path.replace(" ", "_"), ua.replace("\n", " ")))
        return host

    def do_GET(self):
        host = self.request_line()
        client = self.client_address[0]
        if client in self.server.allowed:
            self.page(200, ONLINE.format(style=STYLE, client=html.escape(client)))
            return
        self.page(200, LOGIN.format(style=STYLE, host=html.escape(host),
                                    path=html.escape(self.path), client=html.escape(client)))

    do_HEAD = do_GET

    def do_POST(self):
        self.request_line()
        client = self.client_address[0]
        try:
            length = min(int(self.headers.get("Content-Length", "0")), 4096)
        except ValueError:
            length = 0
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("ascii", "replace"))
        if urllib.parse.urlsplit(self.path).path != "/accept" or form.get("accept") != ["yes"]:
            self.page(400, "<!DOCTYPE html><p>Nothing to accept here.</p>")
            return
        family, table, name = self.server.nft_set
        done = subprocess.run(["nft", "add", "element", family, table, name, "{ %s }" % client],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            self.note("ACCEPT-FAILED %s" % done.stderr.strip().replace("\n", " "))
            self.page(500, "<!DOCTYPE html><p>The portal could not let you through.</p>")
            return
        self.server.allowed.add(client)
        self.note("ACCEPT")
        self.page(200, ONLINE.format(style=STYLE, client=html.escape(client)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--log", required=True)
    ap.add_argument("--nft-set", required=True)
    args = ap.parse_args()
    nft_set = args.nft_set.split()
    if len(nft_set) != 3:
        ap.error("--nft-set wants FAMILY TABLE SET")
    server = ThreadingHTTPServer((args.listen, args.port), Portal)
    server.daemon_threads = True
    server.log = open(args.log, "a", encoding="utf-8")
    server.nft_set = nft_set
    server.allowed = set()
    print("portal listening on %s:%d" % (args.listen, args.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

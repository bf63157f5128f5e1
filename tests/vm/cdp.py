#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plays the user's hand on a running Chromium, over the DevTools protocol.

    tests/vm/cdp.py --profile DIR [--timeout S] ACTION...

DIR is the --user-data-dir of a Chromium started with
--remote-debugging-port=0: it writes the port it chose to
DIR/DevToolsActivePort. The actions run in order, on the first page:

    viewport WxH         the page's size in CSS pixels (scale 1), for screenshots
    wait-for CSS         until an element matches CSS (the page has loaded)
    click CSS            a mouse click (press and release) at the middle of
                         the element, as a hand would: through the input
                         pipeline, not a script's element.click()
    wait-text TEXT       until the page's text holds TEXT (after a navigation)
    dom FILE             document.documentElement.outerHTML into FILE
    screenshot FILE      the viewport as PNG into FILE
    close                Browser.close

Only the standard library: the WebSocket client (RFC 6455: handshake,
masked client frames, fragmented server frames, ping) is written out here,
since nothing may be downloaded. Connects to 127.0.0.1 only: run it in the
same network namespace as the browser (wgphys exec python3 ...).
Exit status: 0 every action done, 1 one failed or timed out (why on
stderr), 2 usage.
"""
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Failed(Exception):
    pass


class WebSocket:
    def __init__(self, port, path, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n" % (path, port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise Failed("the browser closed the connection during the handshake")
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise Failed("the browser refused the WebSocket: %s" % lines[0])
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        accept = [l.split(":", 1)[1].strip() for l in lines[1:]
                  if l.lower().startswith("sec-websocket-accept:")]
        if accept != [want]:
            raise Failed("wrong Sec-WebSocket-Accept from the browser")

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Failed("the browser closed the connection")
            data += chunk
        return data

    def _frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, text):
        self._frame(0x1, text.encode())

    def recv(self):
        """One whole text message (continuation frames joined)."""
        parts = []
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            data = self._exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._frame(0xA, data)
                continue
            if opcode == 0x8:
                raise Failed("the browser closed the WebSocket")
            if opcode in (0x0, 0x1):
                parts.append(data)
                if b0 & 0x80:
                    return b"".join(parts).decode()


class Browser:
    def __init__(self, profile, timeout):
        self.deadline = time.monotonic() + timeout
        port_file = os.path.join(profile, "DevToolsActivePort")
        while True:
            try:
                with open(port_file, encoding="ascii") as f:
                    port, path = f.read().split()[:2]
                break
            except (OSError, ValueError):
                self.check_time("the browser to write %s" % port_file)
                time.sleep(0.2)
        self.ws = WebSocket(int(port), path, timeout)
        self.next_id = 0
        self.session = None
        pages = [t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"]
        if not pages:
            raise Failed("the browser has no page")
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": pages[0]["targetId"], "flatten": True})["sessionId"]

    def check_time(self, what):
        if time.monotonic() > self.deadline:
            raise Failed("timed out waiting for %s" % what)

    def call(self, method, params=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            self.check_time("an answer to %s" % method)
            reply = json.loads(self.ws.recv())
            if reply.get("id") != self.next_id:
                continue  # an event
            if "error" in reply:
                raise Failed("%s: %s" % (method, reply["error"].get("message")))
            return reply.get("result", {})

    def evaluate(self, expr):
        """expr's value, or None while the page is between documents."""
        try:
            res = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True})
        except Failed as e:
            if "timed out" in str(e):
                raise
            return None
        if "exceptionDetails" in res:
            return None
        return res.get("result", {}).get("value")

    def until(self, expr, what):
        while True:
            value = self.evaluate(expr)
            if value:
                return value
            self.check_time(what)
            time.sleep(0.2)


def run(browser, actions):
    while actions:
        act = actions.pop(0)
        arg = actions.pop(0) if act != "close" else None
        if act == "viewport":
            width, height = (int(v) for v in arg.split("x"))
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 1,
                          "mobile": False})
        elif act == "wait-for":
            browser.until("!!document.querySelector(%s)" % json.dumps(arg), "an element %s" % arg)
        elif act == "click":
            box = browser.until(
                "(() => { const e = document.querySelector(%s); if (!e) return null;"
                " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                " return r.width > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null; })()"
                % json.dumps(arg), "a visible element %s" % arg)
            for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                params = {"type": kind, "x": box[0], "y": box[1]}
                if kind != "mouseMoved":
                    params.update(button="left", clickCount=1)
                browser.call("Input.dispatchMouseEvent", params)
        elif act == "wait-text":
            browser.until("document.body && document.body.innerText.includes(%s)"
                          % json.dumps(arg), "the text %r" % arg)
        elif act == "dom":
            html = browser.until("document.documentElement.outerHTML", "the DOM")
            with open(arg, "w", encoding="utf-8") as f:
                f.write(html)
        elif act == "screenshot":
            png = base64.b64decode(browser.call("Page.captureScreenshot", {"format": "png"})["data"])
            with open(arg, "wb") as f:
                f.write(png)
        elif act == "close":
            try:
                browser.call("Browser.close")
            except Failed:
                pass  # it may close the connection before it answers
        else:
            raise Failed("unknown action %s" % act)


def main(argv):
    profile, timeout = None, 60.0
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--profile" and argv:
            profile = argv.pop(0)
        elif opt == "--timeout" and argv:
            timeout = float(argv.pop(0))
        else:
            argv = []
    needs_arg = {"viewport", "wait-for", "click", "wait-text", "dom", "screenshot"}
    i = 0
    while i < len(argv):
        if argv[i] == "close":
            i += 1
        elif argv[i] in needs_arg and i + 1 < len(argv):
            i += 2
        else:
            break
    if not profile or not argv or i != len(argv):
        sys.stderr.write(__doc__)
        return 2
    try:
        run(Browser(profile, timeout), list(argv))
    except (Failed, OSError, ValueError, KeyError) as e:
        sys.stderr.write("cdp: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

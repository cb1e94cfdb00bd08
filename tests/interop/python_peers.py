#!/usr/bin/env python3
"""Interop: mailwire-dot against Python's SMTP implementations over loopback.

usage: python_peers.py <path to mailwire-dot>

1. Python's smtplib is the sender: a loopback SMTP listener records the raw
   DATA payload smtplib sends. mailwire-dot decode must find the terminator at
   the end, flag nothing and return the content smtplib meant; mailwire-dot
   encode of the same message must produce the same payload.
2. Python's smtpd is the receiver (Python <= 3.11): a client sends the payload
   mailwire-dot encode produced, and smtpd must read back the same content.
3. smtplib sends a bytes message "as is", bare LFs included (and stuffs dots
   after them): mailwire-dot decode must flag it rather than guess.
"""
import random
import socket
import subprocess
import sys
import threading
import warnings

import smtplib

CRLF = b"\r\n"
TOOL = sys.argv[1]
failures = 0


def check(name, ok, detail=""):
    global failures
    if ok:
        print(f"ok   {name}")
    else:
        failures += 1
        print(f"FAIL {name} {detail}")


def tool(args, data):
    p = subprocess.run([TOOL] + args, input=data, capture_output=True, timeout=30)
    return p.returncode, p.stdout, p.stderr.decode("ascii", "replace")


def fix_eols(text):
    """smtplib's own rule for str messages: every CR, LF or CRLF becomes CRLF."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\r":
            out.append("\r\n")
            i += 2 if text[i + 1 : i + 2] == "\n" else 1
            continue
        out.append("\r\n" if c == "\n" else c)
        i += 1
    return "".join(out).encode("ascii")


def content_of(message):
    """What a receiver must deliver for a str message sent with smtplib."""
    body = fix_eols(message)
    return body if body.endswith(CRLF) else body + CRLF


class PayloadRecorder:
    """A minimal SMTP listener that records each raw DATA payload, terminator included."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.payload = None
        self.thread = threading.Thread(target=self._serve_one, daemon=True)
        self.thread.start()

    def _serve_one(self):
        conn, _ = self.sock.accept()
        conn.settimeout(10)
        buf = b""

        def line():
            nonlocal buf
            while CRLF not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return None
                buf += chunk
            text, buf = buf.split(CRLF, 1)
            return text

        conn.sendall(b"220 recorder\r\n")
        while True:
            cmd = line()
            if cmd is None:
                break
            verb = cmd[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 recorder\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                # The CRLF ending DATA starts the first line, so a payload of
                # ".\r\n" alone is complete too.
                while not (buf.endswith(b"\r\n.\r\n") or buf == b".\r\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                self.payload, buf = buf, b""
                conn.sendall(b"250 stored\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            else:
                conn.sendall(b"250 ok\r\n")
        conn.close()
        self.sock.close()


def smtplib_payload(message):
    rec = PayloadRecorder()
    with smtplib.SMTP("127.0.0.1", rec.port, timeout=10) as client:
        client.sendmail("from@example.org", ["to@example.org"], message)
    rec.thread.join(10)
    return rec.payload


def messages():
    fixed = [
        "",
        "Subject: hi\r\n\r\nHello\r\n",
        ".",
        ".\r\n",
        "..\r\n...\r\n.leading\r\n",
        "no final line end",
        "bare\nLF and bare\rCR\r",
        "a\n.\nb",  # the smuggling shape, as str: smtplib normalizes it first
        "a\r\n.\rb\r\n",
        "\r\n\r\n.\r\n\r\n",
        "x" * 2000 + "\r\n." + "y" * 900,
    ]
    rng = random.Random(20261127)
    alphabet = ["a", "b", ".", ".", "\r", "\n", " ", "\r\n"]
    generated = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))) for _ in range(120)]
    return fixed + generated


def smtplib_sender_checks():
    for i, m in enumerate(messages()):
        payload = smtplib_payload(m)
        rc, out, err = tool(["decode"], payload)
        ok = rc == 0 and out == content_of(m) and err.endswith(f"consumed={len(payload)}\n")
        check(f"smtplib payload {i} decodes to the content smtplib meant", ok,
              f"rc={rc} out={out!r} err={err!r} payload={payload!r}")
        if fix_eols(m):  # smtplib sends a blank line for an empty message; we send ".\r\n"
            rc, enc, _ = tool(["encode"], m.encode("ascii"))
            check(f"mailwire-dot encode of message {i} equals smtplib's payload",
                  rc == 0 and enc == payload, f"ours={enc!r} smtplib={payload!r}")


def smtplib_bare_lf_bytes():
    payload = smtplib_payload(b"a\n.\nMAIL FROM:<evil@example.org>\n")
    check("smtplib sends bytes with bare LFs as is", b"\n..\n" in payload, repr(payload))
    rc, _, err = tool(["decode"], payload)
    check("... and mailwire-dot decode flags them (exit 1, body_bare_lf)",
          rc == 1 and "body_bare_lf at offset 1" in err, f"rc={rc} err={err!r}")


def smtpd_receiver_checks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import asyncore
            import smtpd
        except ImportError:
            print("skip smtpd checks: this Python has no smtpd module (removed in 3.12)")
            return

        received = []

        class Sink(smtpd.SMTPServer):
            def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
                received.append(data)

        server = Sink(("127.0.0.1", 0), None, decode_data=False)
        port = server.socket.getsockname()[1]
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                asyncore.loop(timeout=0.05, count=1)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            for i, m in enumerate(messages()):
                if not fix_eols(m):
                    # smtpd waits for CRLF.CRLF after the DATA line and never sees
                    # the ".\r\n" that RFC 5321 §4.1.1.4 allows for an empty body.
                    continue
                rc, payload, _ = tool(["encode"], m.encode("ascii"))
                before = len(received)
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    f = s.makefile("rwb")

                    def say(cmd):
                        if cmd is not None:
                            f.write(cmd)
                            f.flush()
                        return f.readline()

                    say(None)  # greeting
                    say(b"HELO client\r\n")
                    say(b"MAIL FROM:<from@example.org>\r\n")
                    say(b"RCPT TO:<to@example.org>\r\n")
                    say(b"DATA\r\n")
                    reply = say(payload)
                    say(b"QUIT\r\n")
                # smtpd joins the unstuffed lines with LF and drops the last line end.
                expected = content_of(m)[:-2].replace(CRLF, b"\n")
                got = received[before] if len(received) > before else None
                check(f"smtpd reads message {i} encoded by mailwire-dot back",
                      rc == 0 and reply.startswith(b"250") and got == expected,
                      f"reply={reply!r} got={got!r} expected={expected!r}")
        finally:
            stop.set()
            thread.join(5)
            server.close()


smtplib_sender_checks()
smtplib_bare_lf_bytes()
smtpd_receiver_checks()
print(f"{'FAILED' if failures else 'all passed'}: {failures} failure(s)")
sys.exit(1 if failures else 0)

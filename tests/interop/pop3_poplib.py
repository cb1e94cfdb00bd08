#!/usr/bin/env python3
"""Interop: Python's poplib on loopback, both directions through mailwire-trace.

usage: pop3_poplib.py <path to mailwire-trace>

A small scripted POP3 server (stdlib only, written here) serves a maildrop of
three messages (dot-led lines, an empty line, a line that looks like -ERR)
and records every byte in both directions. poplib runs two sessions against
it: USER/PASS with CAPA, STAT, LIST, UIDL, RETR, TOP, DELE, NOOP, RSET, UTF8,
a refused RETR and QUIT; and APOP.

(a) The client's bytes go through `mailwire-trace pop3-server`: the commands
    must be exactly what poplib was asked to send (verbs, arguments, the
    password with its spaces, the APOP digest of RFC 1939 §7).
(b) The server's bytes go through `mailwire-trace pop3-client --commands`
    (the recorded command lines): the status lines must be what poplib
    returned, the LIST/UIDL items and CAPA lines what poplib parsed, and the
    RETR/TOP content the lines poplib returned after dot-unstuffing.
Every run is repeated at several splits and must print the same.
"""
import hashlib
import json
import os
import poplib
import socket
import subprocess
import sys
import tempfile
import threading

TOOL = sys.argv[1]
CRLF = b"\r\n"
TIMESTAMP = b"<4711.1700000000@recorder.example>"
USER, PASSWORD = "alice", "p a ss w0rd"
SECRET = "tanstaaf"
MESSAGES = {
    1: [b"From: bob@example.org", b"Subject: dots", b"", b".signature", b"..", b".",
        b"-ERR not a status", b"+OK nor this", b"last line"],
    2: [b"From: carol@example.org", b"Subject: top", b"", b"body line 1", b"body line 2"],
    3: [b"Subject: third", b"", b"x" * 900],
}
UIDS = {1: b"whqtswO00WBw418f9t5JxYwZ", 2: b"QhdPYR:00WBw1Ph7x7", 3: b"3-uid!~"}
CAPA = [b"TOP", b"USER", b"UIDL", b"RESP-CODES", b"PIPELINING", b"EXPIRE 30 USER",
        b"IMPLEMENTATION recorder 1.0", b"UTF8"]
checks = failures = 0


def check(name, ok, detail=""):
    global checks, failures
    checks += 1
    if ok:
        print(f"ok   {name}")
    else:
        failures += 1
        print(f"FAIL {name}\n     {detail}")


def size(n):
    return sum(len(line) + 2 for line in MESSAGES[n])


def stuffed(lines):
    return b"".join((b"." + line if line.startswith(b".") else line) + CRLF for line in lines)


# --- the scripted server -----------------------------------------------------

class Recorder:
    """Serves one connection, records both directions."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.sent = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        conn.settimeout(30)
        deleted = set()
        try:
            self._send(conn, b"+OK POP3 recorder ready " + TIMESTAMP + CRLF)
            buf = b""
            while True:
                while CRLF not in buf:
                    data = conn.recv(4096)
                    if not data:
                        return
                    self.received += data
                    buf += data
                line, buf = buf.split(CRLF, 1)
                reply = self._answer(line, deleted)
                self._send(conn, reply)
                if line.upper() == b"QUIT":
                    return
        finally:
            conn.close()
            self.sock.close()

    def _send(self, conn, data):
        self.sent += data
        conn.sendall(data)

    @staticmethod
    def _answer(line, deleted):
        words = line.split(b" ")
        verb, args = words[0].upper(), words[1:]
        live = [n for n in sorted(MESSAGES) if n not in deleted]

        def message(arg):
            n = int(arg) if arg.isdigit() else 0
            return n if n in MESSAGES and n not in deleted else None

        if verb == b"CAPA":
            return b"+OK Capability list follows" + CRLF + stuffed(CAPA) + b"." + CRLF
        if verb in (b"USER", b"PASS", b"NOOP", b"UTF8"):
            return b"+OK " + verb.lower() + b" accepted" + CRLF
        if verb == b"APOP":
            good = hashlib.md5(TIMESTAMP + SECRET.encode()).hexdigest().encode()
            return (b"+OK maildrop locked" if args == [b"mrose", good] else b"-ERR [AUTH] no") + CRLF
        if verb == b"STAT":
            return b"+OK %d %d" % (len(live), sum(size(n) for n in live)) + CRLF
        if verb in (b"LIST", b"UIDL"):
            def item(n):
                return b"%d %d" % (n, size(n)) if verb == b"LIST" else b"%d " % n + UIDS[n]
            if args:
                n = message(args[0])
                return (b"+OK " + item(n) if n else b"-ERR [SYS/PERM] no such message") + CRLF
            return b"+OK listing follows" + CRLF + stuffed(item(n) for n in live) + b"." + CRLF
        if verb in (b"RETR", b"TOP"):
            n = message(args[0]) if args else None
            if not n:
                return b"-ERR no such message, only %d messages in maildrop" % len(live) + CRLF
            lines = MESSAGES[n]
            if verb == b"TOP":
                blank = lines.index(b"")
                lines = lines[:blank + 1 + int(args[1])]
            return b"+OK %d octets" % size(n) + CRLF + stuffed(lines) + b"." + CRLF
        if verb == b"DELE":
            n = message(args[0]) if args else None
            if n:
                deleted.add(n)
            return (b"+OK message %d deleted" % n if n else b"-ERR no such message") + CRLF
        if verb == b"RSET":
            deleted.clear()
            return b"+OK" + CRLF
        if verb == b"QUIT":
            return b"+OK recorder signing off" + CRLF
        return b"-ERR unknown command" + CRLF


# --- mailwire-trace ----------------------------------------------------------

def trace(mode, data, *args):
    """Runs the tool whole and at several splits; returns (events, rc)."""
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(data)
    try:
        runs = [subprocess.run([TOOL, mode, *args, *split, f.name], capture_output=True)
                for split in ([], ["--split", "1"], ["--split", "7"], ["--split-seed", "1"],
                              ["--split-seed", "2"], ["--split-seed", "3"])]
    finally:
        os.unlink(f.name)
    whole = runs[0]
    check(f"{mode}: the same output and status at every split",
          all(r.stdout == whole.stdout and r.returncode == whole.returncode for r in runs))
    return [json.loads(line) for line in whole.stdout.decode("ascii").splitlines()], whole.returncode


def octets(s):
    """A trace string back to its octets (each code point is one octet)."""
    return s.encode("latin-1")


# --- the sessions ------------------------------------------------------------

def session_one():
    rec = Recorder()
    p = poplib.POP3("127.0.0.1", rec.port, timeout=30)
    got = {"welcome": p.getwelcome()}   # poplib's results, by what was asked
    sent = []                           # (verb, args) poplib was asked to send
    responses = [got["welcome"]]        # every status line poplib returned, in order
    got["capa"] = p.capa()
    sent.append(("CAPA", []))
    responses.append(None)              # poplib's capa() does not return its status line
    for verb, call, args in [("USER", p.user, [USER]), ("PASS", p.pass_, [PASSWORD])]:
        responses.append(call(*args))
        sent.append((verb, [PASSWORD] if verb == "PASS" else args))
    stat = p.stat()
    sent.append(("STAT", []))
    responses.append(b"+OK %d %d" % stat)
    got["list"] = p.list()
    sent.append(("LIST", []))
    responses.append(got["list"][0])
    responses.append(p.list(2))
    sent.append(("LIST", ["2"]))
    got["uidl"] = p.uidl()
    sent.append(("UIDL", []))
    responses.append(got["uidl"][0])
    responses.append(p.uidl(1))
    sent.append(("UIDL", ["1"]))
    got["retr1"] = p.retr(1)
    sent.append(("RETR", ["1"]))
    responses.append(got["retr1"][0])
    got["retr3"] = p.retr(3)
    sent.append(("RETR", ["3"]))
    responses.append(got["retr3"][0])
    got["top"] = p.top(2, 1)
    sent.append(("TOP", ["2", "1"]))
    responses.append(got["top"][0])
    responses.append(p.dele(1))
    sent.append(("DELE", ["1"]))
    try:
        p.retr(1)
        responses.append(b"(no error)")
    except poplib.error_proto as e:
        responses.append(e.args[0])
    sent.append(("RETR", ["1"]))
    for verb, call in [("NOOP", p.noop), ("RSET", p.rset), ("UTF8", p.utf8), ("QUIT", p.quit)]:
        responses.append(call())
        sent.append((verb, []))
    rec.thread.join(30)
    return rec, got, sent, responses


def check_server_side(name, rec, sent):
    events, rc = trace("pop3-server", rec.received)
    check(f"{name} pop3-server: exit 0, no error events", rc == 0, f"rc={rc}")
    commands = [(e["verb"], [octets(a).decode() for a in e["args"]]) for e in events
                if e["event"] == "command"]
    check(f"{name} pop3-server: the commands poplib sent", commands == sent,
          f"\n     got  {commands}\n     want {sent}")
    return events


def check_client_side(name, rec, responses):
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(rec.received)
    try:
        events, rc = trace("pop3-client", rec.sent, "--commands", f.name)
    finally:
        os.unlink(f.name)
    check(f"{name} pop3-client: exit 0, no error events", rc == 0, f"rc={rc}")
    statuses = []
    for e in events:
        if e["event"] != "status":
            continue
        line = b"+OK" if e["ok"] else b"-ERR"
        rest = (b"[" + octets(e["code"]) + b"] " if e["code"] else b"") + octets(e["text"])
        statuses.append(line + (b" " + rest if rest else b""))
    want = [r if r is not None else s for r, s in zip(responses, statuses)]
    check(f"{name} pop3-client: every status line is the one poplib returned",
          len(statuses) == len(responses) and statuses == want, f"\n     got  {statuses}\n     want {want}")
    return events


def bodies(events):
    """Each multi-line response's body: its items or its content, by status."""
    out, current = [], None
    for e in events:
        if e["event"] == "status" and e["multi_line"]:
            current = {"verb": e["verb"], "items": [], "data": b""}
            out.append(current)
        elif e["event"] == "item":
            current["items"].append(e)
        elif e["event"] == "data":
            current["data"] += octets(e["bytes"])
    return out


def main():
    rec, got, sent, responses = session_one()
    check("poplib: the greeting carries the timestamp", TIMESTAMP in got["welcome"])
    check_server_side("USER session:", rec, sent)
    events = check_client_side("USER session:", rec, responses)
    greeting = events[0]
    check("USER session: the APOP timestamp is found",
          greeting.get("greeting") and octets(greeting["timestamp"]) == TIMESTAMP, str(greeting))

    b = bodies(events)
    check("USER session: six bodies (CAPA, LIST, UIDL, two RETR, TOP)",
          [x["verb"] for x in b] == ["CAPA", "LIST", "UIDL", "RETR", "RETR", "TOP"],
          str([x["verb"] for x in b]))
    capa = {octets(i["tag"]).decode(): octets(i["params"]).decode().split() for i in b[0]["items"]}
    check("USER session: CAPA as poplib parsed it", capa == got["capa"],
          f"\n     got  {capa}\n     want {got['capa']}")
    listed = [b"%d %d" % (i["msg"], i["size"]) for i in b[1]["items"]]
    check("USER session: LIST items as poplib read them", listed == got["list"][1],
          f"{listed} vs {got['list'][1]}")
    uids = [b"%d " % i["msg"] + octets(i["uid"]) for i in b[2]["items"]]
    check("USER session: UIDL items as poplib read them", uids == got["uidl"][1],
          f"{uids} vs {got['uidl'][1]}")
    for body, key, n in [(b[3], "retr1", 1), (b[4], "retr3", 3), (b[5], "top", 2)]:
        lines = body["data"].split(CRLF)
        check(f"USER session: {key} content is poplib's lines after dot-unstuffing",
              lines[-1] == b"" and lines[:-1] == got[key][1],
              f"\n     got  {lines}\n     want {got[key][1]}")
        if key != "top":
            check(f"USER session: {key} content is the message", got[key][1] == MESSAGES[n])
    ends = [e for e in events if e["event"] == "end" and e["verb"] in ("RETR", "TOP")]
    check("USER session: RETR/TOP end events: sizes as the server counted, clean",
          [e["size"] for e in ends] == [size(1), size(3), len(b[5]["data"])] and
          all(e["flags"] == [] and e["error"] is None for e in ends), str(ends))

    # APOP: poplib computes the digest (RFC 1939 §7).
    rec = Recorder()
    p = poplib.POP3("127.0.0.1", rec.port, timeout=30)
    responses = [p.getwelcome(), p.apop("mrose", SECRET), p.quit()]
    rec.thread.join(30)
    digest = hashlib.md5(TIMESTAMP + SECRET.encode()).hexdigest()
    events = check_server_side("APOP session:", rec, [("APOP", ["mrose", digest]), ("QUIT", [])])
    apop = [e for e in events if e["event"] == "command" and e["verb"] == "APOP"]
    check("APOP session: typed name and digest",
          apop and apop[0]["name"] == "mrose" and apop[0]["digest"] == digest, str(apop))
    check_client_side("APOP session:", rec, responses)

    print(f"{checks} checks, {'all passed' if failures == 0 else f'{failures} FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

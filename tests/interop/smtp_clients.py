#!/usr/bin/env python3
"""Interop: real SMTP clients on loopback, their bytes through mailwire-trace.

usage: smtp_clients.py <path to mailwire-trace>

A small recording server (stdlib only) plays a permissive ESMTP server:
220 greeting, EHLO with PIPELINING SIZE 8BITMIME SMTPUTF8 AUTH DSN CHUNKING
ENHANCEDSTATUSCODES, 250 to MAIL/RCPT/RSET/NOOP, 354 and 250 around DATA,
334 challenges and 235 for AUTH, 221 to QUIT. It keeps every byte a client
sent. Each recording goes through `mailwire-trace smtp-server` (whole and at
random splits) and the events are checked against what the client was asked
to send: verbs, paths, parameters, the DATA content the client meant, the
decoded SASL responses and the offsets against the recording.

Clients: Python's smtplib, and curl when it speaks smtp. Where a client sends
something other than what it was asked to (smtplib's duplicate SIZE, bare LFs
sent as is, curl's --crlf turning CRLF into CR CR LF), the checks assert what
actually goes over the wire and what mailwire makes of it; the comments say why.
"""
import base64
import email.message
import hashlib
import hmac
import json
import os
import queue
import random
import select
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOOL = sys.argv[1]
CRLF = b"\r\n"
HELLO = "client.example"
CAPABILITIES = ["PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN CRAM-MD5",
                "DSN", "CHUNKING", "ENHANCEDSTATUSCODES"]
CRAM_CHALLENGE = b"<1896.697170952@recorder.example>"
USER, PASSWORD = "user@example.org", "p@ss w0rd:+/="
checks = failures = 0
observed = []  # (client, what it did that is worth knowing), printed at the end


def check(name, ok, detail=""):
    global checks, failures
    checks += 1
    if ok:
        print(f"ok   {name}")
    else:
        failures += 1
        print(f"FAIL {name}\n     {detail}")


def observe(client, note):
    observed.append(f"{client}: {note}")


# --- the recording server ----------------------------------------------------

class Recorder:
    """Serves one connection at a time; take() returns the next finished one."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.sessions = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.stop.set()
        self.thread.join(10)
        self.sock.close()

    def take(self):
        """(bytes the client sent, whether it sent a command before our reply)."""
        return self.sessions.get(timeout=15)

    def _serve(self):
        while not self.stop.is_set():
            ready, _, _ = select.select([self.sock], [], [], 0.05)
            if not ready:
                continue
            conn, _ = self.sock.accept()
            record = bytearray()
            state = {"pipelined": False}
            with conn:
                conn.settimeout(10)
                try:
                    self._session(conn, record, state)
                except (OSError, EOFError, ValueError):
                    pass  # the client hung up or sent junk: the recording is what counts
            self.sessions.put((bytes(record), state["pipelined"]))

    @staticmethod
    def _session(conn, record, state):
        buf = bytearray()

        def more():
            chunk = conn.recv(65536)
            if not chunk:
                raise EOFError
            record.extend(chunk)
            buf.extend(chunk)

        def line():
            while b"\n" not in buf:
                more()
            end = buf.index(b"\n")
            text = bytes(buf[:end]).rstrip(b"\r")
            del buf[: end + 1]
            # More bytes before we replied: the client did not wait (RFC 2920).
            if buf:
                state["pipelined"] = True
            return text

        def say(*lines):
            conn.sendall(b"".join(s.encode("ascii") + CRLF for s in lines))

        say("220 recorder.example ESMTP ready")
        while True:
            cmd = line()
            verb = cmd.split(b" ", 1)[0].upper()
            arg = cmd[len(verb) + 1 :]
            if verb == b"EHLO":
                caps = ["recorder.example"] + CAPABILITIES
                say(*[f"250-{c}" for c in caps[:-1]], f"250 {caps[-1]}")
            elif verb == b"HELO":
                say("250 recorder.example")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                say("250 2.0.0 OK")
            elif verb == b"VRFY":
                say("252 2.1.5 Cannot VRFY user, but will accept message")
            elif verb == b"EXPN":
                say("250 2.1.5 <list@example.org>")
            elif verb == b"HELP":
                say("214-2.0.0 Commands:", "214 2.0.0 EHLO MAIL RCPT DATA AUTH RSET NOOP VRFY HELP QUIT")
            elif verb == b"DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                # The CRLF ending the DATA line starts the first line.
                while not (buf.startswith(b".\r\n") or b"\r\n.\r\n" in buf):
                    more()
                end = 3 if buf.startswith(b".\r\n") else buf.index(b"\r\n.\r\n") + 5
                del buf[:end]
                say("250 2.0.0 Queued")
            elif verb == b"BDAT":
                size = int(arg.split()[0])
                while len(buf) < size:
                    more()
                del buf[:size]
                say(f"250 2.0.0 {size} octets")
            elif verb == b"AUTH":
                words = arg.split(b" ", 1)
                mechanism = words[0].upper()
                needed = {b"LOGIN": 2, b"PLAIN": 1, b"CRAM-MD5": 1}.get(mechanism)
                if needed is None:
                    say("504 5.5.4 Unrecognized authentication type")
                    continue
                cancelled = False
                for step in range(len(words) - 1, needed):  # an initial response counts
                    if mechanism == b"LOGIN":
                        say("334 " + ("VXNlcm5hbWU6", "UGFzc3dvcmQ6")[step])  # Username:, Password:
                    elif mechanism == b"CRAM-MD5":
                        say("334 " + base64.b64encode(CRAM_CHALLENGE).decode("ascii"))
                    else:
                        say("334 ")
                    if line() == b"*":
                        say("501 5.7.0 Authentication cancelled")
                        cancelled = True
                        break
                if not cancelled:
                    say("235 2.7.0 Authentication successful")
            elif verb == b"QUIT":
                say("221 2.0.0 Bye")
                return
            else:
                say("500 5.5.1 Command not recognized")


# --- running the tool and reading its events ----------------------------------

def octets(text):
    """A JSON string from the tool back to the protocol octets (docs/trace.md)."""
    return text.encode("latin-1")


def unbase64(text):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return ("not base64", text)


def run_tool(recording, args=()):
    p = subprocess.run([TOOL, "smtp-server", *args], input=recording, capture_output=True, timeout=30)
    return p.returncode, p.stdout


def parse_lines(name, out):
    events, bad = [], []
    for n, raw in enumerate(out.split(b"\n")[:-1], 1):
        try:
            if any(b < 0x20 or b > 0x7E for b in raw):
                raise ValueError("not printable ASCII")
            event = json.loads(raw)
            if not isinstance(event, dict) or "event" not in event:
                raise ValueError("not an event object")
            events.append(event)
        except ValueError as e:
            bad.append(f"line {n}: {e}: {raw[:120]!r}")
    check(f"{name}: every output line is one ASCII JSON event", not bad and out.endswith(b"\n") or out == b"",
          "; ".join(bad))
    return events


def summarize(events):
    """The events as comparable tuples: bodies joined, base64 decoded."""
    out, body = [], b""
    for e in events:
        kind = e["event"]
        if kind == "command":
            verb = e["verb"]
            if verb in ("MAIL", "RCPT"):
                params = {k: (None if v is None else octets(v)) for k, v in e["params"].items()}
                out.append((verb, octets(e["path"]), params))
            elif verb == "AUTH":
                ir = e["initial_response"]
                out.append((verb, e["mechanism"], None if ir is None else unbase64(ir)))
            elif verb == "BDAT":
                out.append((verb, e["size"], e["last"]))
            else:
                out.append((verb, octets(e["arg"])))
        elif kind == "data":
            body += octets(e["bytes"])
        elif kind == "data_end":
            out.append(("body", body, e["error"]))
            body = b""
        elif kind == "sasl":
            out.append(("sasl", b"*" if e["cancel"] else unbase64(e["bytes"])))
        elif kind == "error":
            out.append(("error", e["error"], e.get("verb")))
        else:
            out.append(("unknown event", kind))
    return out


def offset_problems(recording, events):
    """Offsets must point into the recording where the event's bytes are."""
    bad = []
    for e in events:
        off, kind = e.get("offset"), e["event"]
        if not isinstance(off, int) or off > len(recording):
            bad.append(f"{kind} offset {off}")
        elif kind == "command" and recording[off : off + len(e["verb"])].upper() != e["verb"].encode():
            bad.append(f"{e['verb']} at {off}: {recording[off:off + 12]!r}")
        elif kind == "error" and off != 0 and recording[off - 1 : off] != b"\n":
            bad.append(f"error at {off} is not at a line start")
        elif kind == "data" and recording[off - 6 : off].upper() != b"DATA\r\n" and not (
                recording[off - 7 : off].upper() == b"DATA\r\n." and recording[off : off + 1] == b"."):
            # The offset is that of the first content octet: a stuffing dot
            # before it is not content.
            bad.append(f"data at {off} does not follow DATA CRLF")
        elif kind == "data_end" and not e["chunk"] and recording[off - 3 : off] != b".\r\n":
            bad.append(f"data_end at {off} does not follow the terminator")
        elif kind == "sasl" and not recording[off:].startswith(b"*" if e["cancel"] else octets(e["bytes"])):
            bad.append(f"sasl at {off}: {recording[off:off + 12]!r}")
    return bad


def verify(name, recording, expected, args=(), exit_status=None):
    """Traces a recording and checks it against the expected event tuples."""
    rc, out = run_tool(recording, args)
    events = parse_lines(name, out)
    got = summarize(events)
    if got != expected:
        first = next((i for i, (g, x) in enumerate(zip(got, expected)) if g != x), min(len(got), len(expected)))
        detail = (f"first difference at event {first}:\n     got      "
                  f"{got[first] if first < len(got) else '(none)'!r}\n     expected "
                  f"{expected[first] if first < len(expected) else '(none)'!r}\n     recording {recording!r}")
    else:
        detail = ""
    check(f"{name}: events are what the client was asked to send", got == expected, detail)
    errors = [e for e in events if e["event"] == "error"]
    if exit_status is None:
        exit_status = 1 if errors else 0
        check(f"{name}: no error events", not errors, repr(errors))
    check(f"{name}: exit status {exit_status}", rc == exit_status, f"rc={rc}")
    bad = offset_problems(recording, events)
    check(f"{name}: offsets point at the recorded bytes", not bad, "; ".join(bad))
    rc2, out2 = run_tool(recording, [*args, "--split-seed", str(len(recording) % 97)])
    check(f"{name}: same output at random splits", (rc2, out2) == (rc, out))
    return got


# --- expected events ------------------------------------------------------------

def enc(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def cmd(verb, arg=""):
    return (verb, enc(arg))


def mail(verb, path, params=None):
    return (verb, enc(path), {k: (None if v is None else enc(v)) for k, v in (params or {}).items()})


def body(content, error=None):
    return ("body", content, error)


def fix_eols(text):
    """smtplib's rule for str messages: every CR, LF or CRLF becomes CRLF."""
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


def meant(message):
    """The content a receiver must deliver for a message smtplib sends.

    smtplib sends bytes as is and str with fix_eols, and ends the content with
    CRLF when it does not already (smtplib.SMTP.data)."""
    raw = message if isinstance(message, bytes) else fix_eols(message)
    return raw if raw.endswith(CRLF) else raw + CRLF


def smtplib_size(message):
    return str(len(message if isinstance(message, bytes) else fix_eols(message)))


# --- smtplib --------------------------------------------------------------------

def smtplib_session(rec, actions):
    """Runs actions(client) in one smtplib connection; returns the recording."""
    with smtplib.SMTP("127.0.0.1", rec.port, local_hostname=HELLO, timeout=10) as client:
        actions(client)
    recording, pipelined = rec.take()
    if pipelined:
        observe("smtplib", "sent a command before the reply to the previous one")
    return recording


def recorder_self_check(rec):
    """The "pipelined" flag must work, or "no client pipelined" means nothing."""
    with socket.create_connection(("127.0.0.1", rec.port), timeout=10) as s:
        f = s.makefile("rwb")
        f.readline()
        f.write(b"NOOP\r\nNOOP\r\nQUIT\r\n")
        f.flush()
        while f.readline():
            pass
    recording, pipelined = rec.take()
    check("recorder notices a client that does not wait for replies", pipelined and
          recording == b"NOOP\r\nNOOP\r\nQUIT\r\n", repr((recording, pipelined)))


def smtplib_checks(rec):
    # (1) Several recipients, BODY=8BITMIME and NOTIFY, leading dots, a line
    # longer than 998 octets (the DATA decoder has no line limit by default).
    message = "Subject: dots\n\n.leading dot\n..two dots\n.\n" + "x" * 2000 + "\nlast line"
    rcpts = ["one@example.org", "two@example.net", "three@[192.0.2.1]"]
    recording = smtplib_session(rec, lambda c: c.sendmail(
        "sender@example.org", rcpts, message, mail_options=["BODY=8BITMIME"],
        rcpt_options=["NOTIFY=SUCCESS,FAILURE"]))
    verify("smtplib sendmail, 3 recipients, BODY and NOTIFY", recording, [
        cmd("EHLO", HELLO),
        mail("MAIL", "sender@example.org", {"SIZE": smtplib_size(message), "BODY": "8BITMIME"}),
        *[mail("RCPT", r, {"NOTIFY": "SUCCESS,FAILURE"}) for r in rcpts],
        cmd("DATA"), body(meant(message)), cmd("QUIT")])
    check("smtplib writes its verbs in lower case (ehlo, mail FROM:, rcpt TO:, data)",
          recording.startswith(b"ehlo ") and b"\r\nmail FROM:<" in recording and b"\r\ndata\r\n" in recording,
          repr(recording[:80]))
    check("smtplib adds its own lower-case size= parameter", b" size=" in recording, repr(recording[:120]))
    observe("smtplib", "verbs in lower case except AUTH and QUIT ('ehlo', 'mail FROM:<...>', 'rcpt TO:', "
                       "'data', 'rset', 'vrfy', 'help'); adds 'size=N' itself when SIZE is advertised")

    # (2) Asked for SIZE=100 as well: smtplib still adds its own size=N first,
    # so the MAIL line carries SIZE twice and mailwire refuses it (RFC 5321
    # §4.1.2: a parameter appears at most once).
    message = "Subject: size\n\nbody\n"
    recording = smtplib_session(rec, lambda c: c.sendmail(
        "sender@example.org", ["one@example.org"], message, mail_options=["SIZE=100", "BODY=8BITMIME"]))
    verify("smtplib with mail_options SIZE=100 sends SIZE twice", recording, [
        cmd("EHLO", HELLO), ("error", "duplicate_parameter", "MAIL"),
        mail("RCPT", "one@example.org"), cmd("DATA"), body(meant(message)), cmd("QUIT")], exit_status=1)
    check("... the wire has both: size=N SIZE=100",
          f"size={smtplib_size(message)} SIZE=100 BODY=8BITMIME".encode() in recording, repr(recording))
    observe("smtplib", "mail_options=['SIZE=100'] with SIZE advertised sends 'size=N SIZE=100' "
                       "(duplicate_parameter in mailwire)")

    # (3) 8-bit octets (bytes are sent as is), a dot-only line, an empty
    # message, a message of one dot, and twenty generated messages with
    # dots, CRs and LFs: several transactions on one connection, RSET between.
    eight_bit = b"Subject: caf\xe9\r\n\r\n\xff\xfe\x80 8-bit body\r\n.\r\n..\r\nno final CRLF \xc3\xa9"
    rng = random.Random(20261128)
    alphabet = ["a", "b", ".", ".", "\r", "\n", " ", "\r\n"]
    generated = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 50))) for _ in range(20)]
    messages = [eight_bit, "", b"", ".", "\r\n.\r\n", *generated]

    def send_all(c):
        for i, m in enumerate(messages):
            c.sendmail("sender@example.org", ["one@example.org"], m,
                       mail_options=["BODY=8BITMIME"] if isinstance(m, bytes) else [])
            if i % 3 == 0:
                c.rset()

    recording = smtplib_session(rec, send_all)
    expected = [cmd("EHLO", HELLO)]
    for i, m in enumerate(messages):
        params = {"SIZE": smtplib_size(m)}
        if isinstance(m, bytes):
            params["BODY"] = "8BITMIME"
        expected += [mail("MAIL", "sender@example.org", params), mail("RCPT", "one@example.org"),
                     cmd("DATA"), body(meant(m))]
        if i % 3 == 0:
            expected.append(cmd("RSET"))
    verify(f"smtplib {len(messages)} transactions: 8-bit, empty, dots, generated", recording,
           expected + [cmd("QUIT")])
    check("smtplib sends an empty message as one empty line (CRLF . CRLF)",
          b"data\r\n\r\n.\r\nrset" in recording or b"data\r\n\r\n.\r\nmail" in recording, repr(recording[:300]))

    # (4) SMTPUTF8 with sendmail: UTF-8 paths, octets as is.
    sender, rcpt = "j\u00f6rg@b\u00fccher.example", "\u7528\u6237@\u4f8b\u5b50.example"
    message = "Subject: \u00fcml\u00e4ut\r\n\r\nGr\u00fc\u00dfe\r\n".encode("utf-8")
    recording = smtplib_session(rec, lambda c: c.sendmail(sender, [rcpt], message, mail_options=["SMTPUTF8"]))
    verify("smtplib sendmail with SMTPUTF8 and UTF-8 paths", recording, [
        cmd("EHLO", HELLO), mail("MAIL", sender, {"SIZE": smtplib_size(message), "SMTPUTF8": None}),
        mail("RCPT", rcpt), cmd("DATA"), body(message), cmd("QUIT")])

    # (5) send_message with international addresses: smtplib adds SMTPUTF8
    # and BODY=8BITMIME itself and writes the headers as raw UTF-8.
    msg = email.message.EmailMessage()
    msg["From"] = f"J\u00f6rg <{sender}>"
    msg["To"] = rcpt
    msg["Subject"] = "Gr\u00fc\u00dfe"
    msg.set_content("first line\n.dot line\n")
    recording = smtplib_session(rec, lambda c: c.send_message(msg))
    # The content comes from the trace; its shape is checked on its own below.
    bodies = [e[1] for e in summarize(parse_lines("smtplib send_message", run_tool(recording)[1]))
              if e[0] == "body"]
    content = bodies[0] if bodies else b""
    verify("smtplib send_message with UTF-8 addresses", recording, [
        cmd("EHLO", HELLO),
        mail("MAIL", sender, {"SIZE": str(len(content)), "SMTPUTF8": None, "BODY": "8BITMIME"}),
        mail("RCPT", rcpt), cmd("DATA"), body(content), cmd("QUIT")])
    check("... the content has the UTF-8 headers and the body, CRLF line ends only",
          f"From: J\u00f6rg <{sender}>\r\n".encode() in content
          and "Subject: Gr\u00fc\u00dfe\r\n".encode() in content
          and content.endswith(b"\r\n\r\nfirst line\r\n.dot line\r\n")
          and content.count(b"\n") == content.count(CRLF), repr(content))

    # (6) How smtplib quotes paths: quoteaddr() keeps a quoted local part,
    # takes the address out of a display name, and does NOT quote a local
    # part with a space (invalid: mailwire refuses the MAIL line).
    recording = smtplib_session(rec, lambda c: c.sendmail(
        '"john smith"@example.org', ["Bob <bob@example.org>", '"a\\"b"@example.org', '"simple"@example.org'],
        "x"))
    verify("smtplib quoting of paths", recording, [
        cmd("EHLO", HELLO), mail("MAIL", '"john smith"@example.org', {"SIZE": "1"}),
        mail("RCPT", "bob@example.org"), mail("RCPT", '"a\\"b"@example.org'),
        mail("RCPT", "simple@example.org"),  # mailwire's canonical form drops needless quotes
        cmd("DATA"), body(b"x\r\n"), cmd("QUIT")])
    recording = smtplib_session(rec, lambda c: c.sendmail("john smith@example.org", ["bob@example.org"], "x"))
    verify("smtplib sends an unquoted space in a local part", recording, [
        cmd("EHLO", HELLO), ("error", "invalid_local_part", "MAIL"), mail("RCPT", "bob@example.org"),
        cmd("DATA"), body(b"x\r\n"), cmd("QUIT")], exit_status=1)
    check("... as <john smith@example.org>", b"mail FROM:<john smith@example.org> size=1\r\n" in recording,
          repr(recording))
    observe("smtplib", "quoteaddr('john smith@example.org') sends <john smith@example.org> unquoted "
                       "(invalid_local_part); 'Bob <bob@example.org>' becomes <bob@example.org>")

    # (7) AUTH: login() picks CRAM-MD5 (its first preference), then each
    # mechanism explicitly, with and without the initial response.
    cram = USER.encode() + b" " + hmac.new(PASSWORD.encode(), CRAM_CHALLENGE, hashlib.md5).hexdigest().encode()
    plain = b"\0" + USER.encode() + b"\0" + PASSWORD.encode()

    def with_auth(mechanism, initial_ok):
        def actions(c):
            c.ehlo()
            c.user, c.password = USER, PASSWORD
            auth_object = getattr(c, "auth_" + mechanism.lower().replace("-", "_"))
            c.auth(mechanism, auth_object, initial_response_ok=initial_ok)
            c.noop()
        return actions

    recording = smtplib_session(rec, lambda c: (c.login(USER, PASSWORD), c.noop()))
    verify("smtplib login() (CRAM-MD5)", recording, [
        cmd("EHLO", HELLO), ("AUTH", "CRAM-MD5", None), ("sasl", cram), cmd("NOOP"), cmd("QUIT")])
    for mechanism, initial_ok, exchange in [
            ("PLAIN", True, [("AUTH", "PLAIN", plain)]),
            ("PLAIN", False, [("AUTH", "PLAIN", None), ("sasl", plain)]),
            ("LOGIN", True, [("AUTH", "LOGIN", USER.encode()), ("sasl", PASSWORD.encode())]),
            ("LOGIN", False, [("AUTH", "LOGIN", None), ("sasl", USER.encode()), ("sasl", PASSWORD.encode())]),
            ("CRAM-MD5", True, [("AUTH", "CRAM-MD5", None), ("sasl", cram)])]:
        recording = smtplib_session(rec, with_auth(mechanism, initial_ok))
        verify(f"smtplib AUTH {mechanism} (initial response {'allowed' if initial_ok else 'off'})", recording,
               [cmd("EHLO", HELLO), *exchange, cmd("NOOP"), cmd("QUIT")])

    # (8) The other commands. verify() keeps only the address of a display
    # name form; help() without an argument sends no trailing space.
    def others(c):
        c.helo()
        c.ehlo()
        c.rset()
        c.verify("postmaster@example.org")
        c.verify("Some One <so@example.org>")
        c.expn("list@example.org")
        c.noop()
        c.help()
        c.help("DATA")
        c.docmd("FROB", "x")  # an unknown verb: the one error here

    recording = smtplib_session(rec, others)
    verify("smtplib HELO, RSET, VRFY, EXPN, NOOP, HELP and an unknown verb", recording, [
        cmd("HELO", HELLO), cmd("EHLO", HELLO), cmd("RSET"), cmd("VRFY", "postmaster@example.org"),
        cmd("VRFY", "so@example.org"), cmd("EXPN", "list@example.org"), cmd("NOOP"), cmd("HELP"),
        cmd("HELP", "DATA"), ("error", "unknown_command", None), cmd("QUIT")], exit_status=1)

    # (9) Bytes with bare LFs: smtplib sends them as is and dot-stuffs after
    # every LF (its regex is multi-line). A CRLF receiver sees one long line
    # with bare LFs: mailwire keeps the octets (no unstuffing after a bare LF,
    # since only CRLF starts a line) and flags body_bare_lf on data_end. That
    # is not an "error" event, so the exit status is 0. The smuggling shape
    # LF . LF never reaches the wire from smtplib: it becomes LF .. LF.
    message = b"Subject: x\n\na\n.\nMAIL FROM:<evil@example.org>\n"
    recording = smtplib_session(rec, lambda c: c.sendmail("a@example.org", ["b@example.org"], message))
    sent = b"Subject: x\n\na\n..\nMAIL FROM:<evil@example.org>\n\r\n"
    verify("smtplib bytes with bare LFs", recording, [
        cmd("EHLO", HELLO), mail("MAIL", "a@example.org", {"SIZE": str(len(message))}),
        mail("RCPT", "b@example.org"), cmd("DATA"), body(sent, "body_bare_lf"), cmd("QUIT")])
    check("... sent as is, stuffed after LF, CRLF added at the end", b"data\r\n" + sent + b".\r\n" in recording,
          repr(recording))
    _, out = run_tool(recording)
    data_offset = recording.index(b"data\r\n") + 6
    check("... error_offset is the first bare LF", f'"error_offset":{data_offset + 10}'.encode() in out,
          out.decode("ascii", "replace"))
    _, lenient = run_tool(recording, ["--allow-bare-lf"])
    check("... and --allow-bare-lf (command lines only) still flags the body", lenient == out,
          lenient.decode("ascii", "replace"))
    observe("smtplib", r"bytes message b'a\n.\nb' goes out as 'a\n..\nb\r\n.\r\n' (dot-stuffed after the bare "
                       "LF, CRLF appended); mailwire: body_bare_lf on data_end, exit 0")


# --- curl ------------------------------------------------------------------------

def curl_checks(rec, workdir):
    curl = shutil.which("curl")
    if curl is None:
        print("skip curl checks: no curl on PATH")
        return
    version = subprocess.run([curl, "--version"], capture_output=True, text=True, timeout=10).stdout
    protocols = next((l.split(":", 1)[1].split() for l in version.splitlines() if l.startswith("Protocols:")), [])
    if "smtp" not in protocols:
        print(f"skip curl checks: this curl does not speak smtp (protocols: {' '.join(protocols)})")
        return
    idn = "IDN" in next((l for l in version.splitlines() if l.startswith("Features:")), "")
    print("curl:", version.splitlines()[0])

    def run_curl(name, args, path="/" + HELLO):
        p = subprocess.run([curl, "-sS", "--max-time", "15", f"smtp://127.0.0.1:{rec.port}{path}", *args],
                           capture_output=True, timeout=30)
        recording, pipelined = rec.take()
        check(f"{name}: curl exits 0", p.returncode == 0, f"rc={p.returncode} stderr={p.stderr!r}")
        if pipelined:
            observe("curl", f"{name}: sent a command before the reply to the previous one")
        return recording

    def upload(content, file_name="message.txt"):
        path = os.path.join(workdir, file_name)
        with open(path, "wb") as f:
            f.write(content)
        return path

    # (1) A CRLF message with leading dots, a long line and 8-bit octets to
    # two recipients: curl stuffs dots after CRLF and sends SIZE itself.
    content = b"Subject: curl\r\n\r\n.leading\r\n..two\r\n.\r\n" + b"y" * 1500 + b"\r\n\xe9\xff 8-bit\r\n"
    recording = run_curl("curl -T", ["--mail-from", "a@example.org", "--mail-rcpt", "b@example.org",
                                     "--mail-rcpt", "c@example.net", "-T", upload(content)])
    verify("curl -T, 2 recipients", recording, [
        cmd("EHLO", HELLO), mail("MAIL", "a@example.org", {"SIZE": str(len(content))}),
        mail("RCPT", "b@example.org"), mail("RCPT", "c@example.net"), cmd("DATA"), body(content), cmd("QUIT")])

    # (2) No final CRLF: curl adds one before the terminator. Empty file: no
    # SIZE and "." right after DATA (an empty body, no data event).
    content = b"Subject: x\r\n\r\nno final line end"
    recording = run_curl("curl -T without final CRLF", ["--mail-from", "a@example.org", "--mail-rcpt",
                                                        "b@example.org", "-T", upload(content)])
    verify("curl -T without final CRLF", recording, [
        cmd("EHLO", HELLO), mail("MAIL", "a@example.org", {"SIZE": str(len(content))}),
        mail("RCPT", "b@example.org"), cmd("DATA"), body(content + CRLF), cmd("QUIT")])
    recording = run_curl("curl -T empty file", ["--mail-from", "a@example.org", "--mail-rcpt", "b@example.org",
                                                "-T", upload(b"")])
    verify("curl -T empty file", recording, [
        cmd("EHLO", HELLO), mail("MAIL", "a@example.org"), mail("RCPT", "b@example.org"), cmd("DATA"),
        body(b""), cmd("QUIT")])
    check("... is DATA CRLF . CRLF", b"DATA\r\n.\r\nQUIT\r\n" in recording, repr(recording))

    # (3) AUTH: --user picks CRAM-MD5 from the list; --login-options forces a
    # mechanism, --sasl-ir sends the initial response. --mail-auth becomes
    # MAIL's AUTH= parameter, which curl writes in angle brackets.
    user, password = "u", "p@ss"
    cram = user.encode() + b" " + hmac.new(password.encode(), CRAM_CHALLENGE, hashlib.md5).hexdigest().encode()
    plain = b"\0" + user.encode() + b"\0" + password.encode()
    auth_content = b"Subject: auth\r\n\r\nx\r\n"
    auth_size = str(len(auth_content))
    message = upload(auth_content)
    send = ["--mail-from", "a@example.org", "--mail-rcpt", "b@example.org", "-T", message]
    tail = [mail("RCPT", "b@example.org"), cmd("DATA"), body(auth_content), cmd("QUIT")]
    recording = run_curl("curl --user --mail-auth", [*send, "--user", f"{user}:{password}",
                                                     "--mail-auth", "x@example.org"])
    verify("curl --user (CRAM-MD5) and --mail-auth", recording, [
        cmd("EHLO", HELLO), ("AUTH", "CRAM-MD5", None), ("sasl", cram),
        mail("MAIL", "a@example.org", {"AUTH": "<x@example.org>", "SIZE": auth_size}), *tail])
    observe("curl", "--mail-auth x@example.org is sent as AUTH=<x@example.org> (RFC 4954 §5 wants the bare "
                    "addr-spec as xtext; the brackets are legal xtext, so mailwire passes them on)")
    for mechanism, ir, exchange in [
            ("PLAIN", False, [("AUTH", "PLAIN", None), ("sasl", plain)]),
            ("PLAIN", True, [("AUTH", "PLAIN", plain)]),
            ("LOGIN", False, [("AUTH", "LOGIN", None), ("sasl", user.encode()), ("sasl", password.encode())]),
            ("LOGIN", True, [("AUTH", "LOGIN", user.encode()), ("sasl", password.encode())])]:
        name = f"curl AUTH={mechanism}{' --sasl-ir' if ir else ''}"
        recording = run_curl(name, [*send, "--user", f"{user}:{password}", "--login-options",
                                    f"AUTH={mechanism}", *(["--sasl-ir"] if ir else [])])
        verify(name, recording, [cmd("EHLO", HELLO), *exchange,
                                 mail("MAIL", "a@example.org", {"SIZE": auth_size}), *tail])

    # (4) Without -T: --mail-rcpt alone is VRFY, -X EXPN adds SMTPUTF8 when
    # the server has it (RFC 6531 §3.7.4.2), -X NOOP, and nothing at all is HELP.
    recording = run_curl("curl VRFY", ["--mail-rcpt", "b@example.org"])
    verify("curl --mail-rcpt without -T (VRFY)", recording, [cmd("EHLO", HELLO), cmd("VRFY", "b@example.org"),
                                                            cmd("QUIT")])
    recording = run_curl("curl -X VRFY", ["--mail-rcpt", "Some One", "-X", "VRFY"])
    verify("curl -X VRFY with a name", recording, [cmd("EHLO", HELLO), cmd("VRFY", "Some One"), cmd("QUIT")])
    recording = run_curl("curl -X EXPN", ["--mail-rcpt", "list@example.org", "-X", "EXPN"])
    verify("curl -X EXPN", recording, [cmd("EHLO", HELLO), cmd("EXPN", "list@example.org SMTPUTF8"),
                                       cmd("QUIT")])
    observe("curl", "-X EXPN sends 'EXPN list@example.org SMTPUTF8' because the server advertises SMTPUTF8")
    recording = run_curl("curl -X NOOP", ["-X", "NOOP"])
    verify("curl -X NOOP", recording, [cmd("EHLO", HELLO), cmd("NOOP"), cmd("QUIT")])
    recording = run_curl("curl without a command", [])
    verify("curl without a command (HELP)", recording, [cmd("EHLO", HELLO), cmd("HELP"), cmd("QUIT")])

    # (5) Bare LFs: curl sends the file as is and stuffs dots only after
    # CRLF, so LF . LF reaches the wire unchanged (the SMTP smuggling shape,
    # CVE-2023-51764). mailwire ends the body only at CRLF . CRLF and flags it.
    content = b"Subject: lf\n\na\n.\nMAIL FROM:<evil@example.org>\n.y\r\n.x\r\nend\r\n"
    recording = run_curl("curl -T with bare LFs", ["--mail-from", "a@example.org", "--mail-rcpt",
                                                   "b@example.org", "-T", upload(content)])
    verify("curl -T with bare LFs", recording, [
        cmd("EHLO", HELLO), mail("MAIL", "a@example.org", {"SIZE": str(len(content))}),
        mail("RCPT", "b@example.org"), cmd("DATA"), body(content, "body_bare_lf"), cmd("QUIT")])
    check("... LF . LF is on the wire unstuffed", b"\na\n.\nMAIL FROM:<evil" in recording, repr(recording))
    check("... LF .y is not stuffed, CRLF .x is", b"\n.y\r\n..x\r\n" in recording, repr(recording))
    observe("curl", r"-T sends bare LFs as is and dot-stuffs only after CRLF: 'a\n.\nb' is on the wire "
                    "unchanged (body_bare_lf, the body still ends only at CRLF.CRLF)")
    # --crlf turns every LF into CRLF, also the LF of an existing CRLF: CR CR LF.
    recording = run_curl("curl -T --crlf", ["--mail-from", "a@example.org", "--mail-rcpt", "b@example.org",
                                            "-T", upload(content), "--crlf"])
    converted = content.replace(b"\n", CRLF)
    verify("curl -T --crlf", recording, [
        cmd("EHLO", HELLO), mail("MAIL", "a@example.org", {"SIZE": str(len(content))}),
        mail("RCPT", "b@example.org"), cmd("DATA"), body(converted, "body_bare_cr"), cmd("QUIT")])
    check("... CRLF in the file becomes CR CR LF on the wire", b"\r\n..x\r\r\n" in recording, repr(recording))
    observe("curl", "--crlf converts every LF, so a CRLF in the file goes out as CR CR LF (body_bare_cr); "
                    "SIZE= is the file's size before the conversion")

    # (6) UTF-8 paths: with IDN support curl sends the domain as an A-label
    # and adds SMTPUTF8 for the UTF-8 local part.
    sender, rcpt = "j\u00f6rg@b\u00fccher.example", "\u7528\u6237@\u4f8b\u5b50.example"
    content = b"Subject: utf8\r\n\r\nx\r\n"
    recording = run_curl("curl UTF-8 paths", ["--mail-from", sender, "--mail-rcpt", rcpt, "-T", upload(content)])
    if idn:
        verify("curl UTF-8 paths (IDN)", recording, [
            cmd("EHLO", HELLO), mail("MAIL", "j\u00f6rg@xn--bcher-kva.example",
                                     {"SIZE": str(len(content)), "SMTPUTF8": None}),
            mail("RCPT", "\u7528\u6237@xn--fsqu00a.example"), cmd("DATA"), body(content), cmd("QUIT")])
        observe("curl", "UTF-8 addresses: domains converted to A-labels (xn--), local part kept in UTF-8, "
                        "SMTPUTF8 added to MAIL")
    else:
        print("note: curl without IDN, UTF-8 path events not compared:", recording[:200])

    # (7) Without a path in the URL, curl says EHLO with the upload's file name.
    recording = run_curl("curl without URL path", ["--mail-from", "a@example.org", "--mail-rcpt",
                                                   "b@example.org", "-T", upload(b"x\r\n", "upload.txt")], path="")
    verify("curl without URL path", recording, [
        cmd("EHLO", "upload.txt"), mail("MAIL", "a@example.org", {"SIZE": "3"}), mail("RCPT", "b@example.org"),
        cmd("DATA"), body(b"x\r\n"), cmd("QUIT")])
    observe("curl", "with no path in smtp://host:port the EHLO argument is the -T file's name ('EHLO upload.txt')")

    # (8) A display name is not parsed: curl wraps the whole string in <>.
    recording = run_curl("curl display-name sender", ["--mail-from", "Alice <a@example.org>", "--mail-rcpt",
                                                      "postmaster", "-T", upload(b"x\r\n")])
    verify("curl --mail-from with a display name", recording, [
        cmd("EHLO", HELLO), ("error", "invalid_local_part", "MAIL"), mail("RCPT", "postmaster"),
        cmd("DATA"), body(b"x\r\n"), cmd("QUIT")], exit_status=1)
    check("... sent as <Alice <a@example.org>", b"MAIL FROM:<Alice <a@example.org> SIZE=3\r\n" in recording,
          repr(recording))
    observe("curl", "--mail-from 'Alice <a@example.org>' goes out as 'MAIL FROM:<Alice <a@example.org>' "
                    "(invalid_local_part)")


def main():
    started = time.monotonic()
    rec = Recorder()
    workdir = tempfile.mkdtemp(prefix="mailwire-smtp-clients-")
    try:
        recorder_self_check(rec)
        smtplib_checks(rec)
        curl_checks(rec, workdir)
    finally:
        rec.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if not any(o.endswith("command before the reply to the previous one") for o in observed):
        observe("all", "no client pipelined (every command waited for the previous reply)")
    print("\nobserved:")
    for o in observed:
        print("  " + o)
    print(f"\n{checks} checks in {time.monotonic() - started:.1f} s: "
          f"{'FAILED, ' + str(failures) + ' failure(s)' if failures else 'all passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Interop: real SMTP servers on loopback, their bytes through mailwire-trace.

usage: smtp_servers.py <path to mailwire-trace>

The servers are the ones a Python installation brings (nothing is installed):

- smtpd of Python 3 (3.11 and older; it left the standard library in 3.12),
  in three set-ups: DebuggingServer with the defaults (SIZE 33554432,
  8BITMIME, HELP); an SMTPServer with SMTPUTF8 on, no size limit and an
  application hook (process_message) whose replies carry enhanced status
  codes and span lines; an SMTPServer with decode_data and a 1024-octet limit.
- smtpd of Python 2.7, when a 2.7 interpreter is on the machine: an older,
  separate implementation (RFC 821 only: EHLO is 502, so no capabilities).

Each server runs in its own process. A capture proxy between client and
server keeps every byte the SERVER sent. Python's smtplib drives a full
session (greeting, EHLO, MAIL, RCPT x2, DATA, RSET, NOOP, VRFY, an unknown
command, RCPT before MAIL, set-up specific commands, HELO, QUIT) and every
reply smtplib read is kept, in order (smtplib.SMTP.getreply), with
ehlo_resp and esmtp_features.

The recording then goes through `mailwire-trace smtp-client --ehlo`, whole
and split (--split 1, --split 7, three --split-seed values: same output),
and the events are checked three ways:
- against smtplib: one `reply` per reply smtplib read, same code, and the
  lines (enhanced code put back) joined with "\\n" are smtplib's message;
- against a reference reading of the recorded bytes (docs/trace.md's rules,
  written out here independently): offsets, enhanced codes, the exact line
  texts, and the `capabilities` event's domain, greet and keywords;
- `capabilities` against esmtp_features: the same keywords (case-insensitive)
  with the same parameters; no `error` events, exit status 0.

Exit status: 0 all passed, 1 a check failed, 77 no Python with smtpd found.
"""
import glob
import json
import os
import re
import select
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time

TOOL = sys.argv[1]
HELLO = "client.example"
SENDER = "sender@example.org"
RCPTS = ["one@example.org", "two@example.net"]
MARKER = "mailwire interop marker 7f3a"
MESSAGE = f"Subject: interop\r\n\r\n{MARKER}\r\n.a line with a leading dot\r\n"
UTF8_SENDER, UTF8_RCPT = "j\u00f6rg@b\u00fccher.example", "\u7528\u6237@\u4f8b\u5b50.example"
UTF8_MESSAGE = f"Subject: Gr\u00fc\u00dfe\r\n\r\n{MARKER} \u00e4\u00f6\u00fc\r\n".encode("utf-8")
# Same output for every way of feeding the recording (docs/trace.md).
SPLITS = [["--split", "1"], ["--split", "7"], ["--split-seed", "1"], ["--split-seed", "2"],
          ["--split-seed", "20261128"]]
WS = b" \t\r\n"  # what smtplib strips from both ends of every reply line

checks = failures = 0


def check(name, ok, detail=""):
    """Counts a check; prints only failures (a summary line per server follows)."""
    global checks, failures
    checks += 1
    if not ok:
        failures += 1
        print(f"FAIL {name}\n     {detail}")
    return ok


# --- the servers ------------------------------------------------------------------

# Runs under Python 2.7 and 3: prints the port, then serves until terminated.
# process_message of the "custom" server returns the configured replies in
# turn (None: smtpd's own "250 OK") and prints what it received.
SERVER_SCRIPT = r"""
import sys, warnings
warnings.simplefilter("ignore")
import asyncore, json, smtpd
config = json.loads(sys.argv[1])
replies = list(config.get("replies", []))

class Custom(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        sys.stdout.write("received %r\n" % (data,))
        return str(replies.pop(0)) if replies else None

kind = smtpd.DebuggingServer if config["class"] == "DebuggingServer" else Custom
server = kind(("127.0.0.1", 0), None, **dict((str(k), v) for k, v in config.get("options", {}).items()))
sys.stdout.write("%d\n" % server.socket.getsockname()[1])
asyncore.loop(timeout=0.05)
"""


def python_version(path):
    """The version of a Python that has smtpd, or None."""
    try:
        p = subprocess.run([path, "-c", "import sys, warnings; warnings.simplefilter('ignore'); import smtpd; "
                                        "sys.stdout.write('%d.%d.%d' % sys.version_info[:3])"],
                           capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return p.stdout.decode("ascii", "replace") if p.returncode == 0 else None


def find_python(major):
    """(path, version) of a Python `major` with smtpd: this one, one pyenv
    keeps, or one on PATH. pyenv's directories come before PATH, whose
    pyenv shims take seconds to refuse a version that is not selected."""
    names = [sys.executable] if major == 3 else []
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    names += sorted(glob.glob(os.path.join(pyenv, "versions", f"{major}.*", "bin", "python")), reverse=True)
    names += [shutil.which(n) for n in
              (["python3.11", "python3.10", "python3.9"] if major == 3 else ["python2.7", "python2"])]
    for path in filter(None, names):
        version = python_version(path)
        if version and version.startswith(f"{major}."):
            return path, version
    return None


class Server:
    """One smtpd process on a loopback port."""

    def __init__(self, python, config):
        self.proc = subprocess.Popen([python, "-u", "-c", SERVER_SCRIPT, json.dumps(config)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"server did not start: {line!r} {self.output[1]!r}")
        self.port = int(line)

    def stop(self):
        """Ends the process; returns (stdout, stderr) it wrote."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.output = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.output = self.proc.communicate()
        return self.output


class CaptureProxy:
    """Relays one connection to the server and keeps the bytes each side sent."""

    def __init__(self, server_port):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.server_port = server_port
        self.from_server, self.from_client = bytearray(), bytearray()
        self.error = None
        self.thread = threading.Thread(target=self._relay, daemon=True)
        self.thread.start()

    def finish(self):
        """Waits for both sides to close; returns the server's bytes."""
        self.thread.join(30)
        if self.thread.is_alive():
            self.error = self.error or "proxy still running after 30 s"
        return bytes(self.from_server)

    def _relay(self):
        try:
            self.listener.settimeout(15)
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.server_port), timeout=15)
            with client, server:
                route = {client: (server, self.from_client), server: (client, self.from_server)}
                open_ends = {client, server}
                deadline = time.monotonic() + 25
                while open_ends:
                    if time.monotonic() > deadline:
                        raise TimeoutError("session did not end")
                    ready, _, _ = select.select(list(open_ends), [], [], 0.2)
                    for end in ready:
                        peer, record = route[end]
                        try:
                            chunk = end.recv(65536)
                        except ConnectionError:
                            chunk = b""
                        if chunk:
                            record.extend(chunk)
                            peer.sendall(chunk)
                            continue
                        # One side is done sending: pass its end of file on.
                        open_ends.discard(end)
                        try:
                            peer.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
        except Exception as e:  # reported as a failed check, with the session's other results
            self.error = repr(e)
        finally:
            self.listener.close()


class RecordingSMTP(smtplib.SMTP):
    """smtplib as is, keeping every (code, message) its getreply() returned:
    also the greeting and the 354 that data() reads and does not return."""

    def __init__(self, *args, **kwargs):
        self.replies = []
        super().__init__(*args, **kwargs)

    def getreply(self):
        reply = super().getreply()
        self.replies.append(reply)
        return reply


# --- the sessions -------------------------------------------------------------------

def core_session(*, ehlo=250, mail_options=(), data=(354, 250), vrfy=252, unknown=500, helo=503, extras=()):
    """The session every server gets: (label, action on the client, expected
    reply codes). The codes pin what the server did, so that a reply
    mailwire agrees with is the reply we meant to provoke."""
    return [
        ("EHLO", lambda c: c.ehlo(), [ehlo]),
        ("MAIL", lambda c: c.mail(SENDER, list(mail_options)), [250]),
        ("RCPT", lambda c: c.rcpt(RCPTS[0]), [250]),
        ("RCPT", lambda c: c.rcpt(RCPTS[1]), [250]),
        ("DATA", lambda c: c.data(MESSAGE), list(data)),
        ("RSET", lambda c: c.rset(), [250]),
        ("NOOP", lambda c: c.noop(), [250]),
        ("VRFY", lambda c: c.verify(RCPTS[0]), [vrfy]),
        ("unknown command", lambda c: c.docmd("FROB", "x"), [unknown]),
        ("RCPT before MAIL", lambda c: c.rcpt(RCPTS[1]), [503]),
        *extras,
        ("HELO", lambda c: c.helo(), [helo]),
        ("QUIT", lambda c: c.quit(), [221]),
    ]


def py3_extras():
    return [("HELP", lambda c: c.help(), [250]), ("EXPN", lambda c: c.expn("list@example.org"), [502]),
            ("empty line", lambda c: c.docmd(""), [500])]


SIZE = f"SIZE={len(MESSAGE)}"


def setups(py3, py2):
    """(name, python, server config, session, esmtp_features smtpd must give)."""
    out = []
    if py3:
        python, version = py3
        out.append((f"smtpd {version} DebuggingServer", python, {"class": "DebuggingServer"}, core_session(
            mail_options=[SIZE], extras=[
                *py3_extras(),
                ("MAIL BODY=8BITMIME", lambda c: c.mail(SENDER, ["BODY=8BITMIME"]), [250]),
                ("RCPT NOTIFY (unsupported)", lambda c: c.rcpt(RCPTS[0], ["NOTIFY=SUCCESS"]), [555]),
                ("nested MAIL", lambda c: c.mail(SENDER), [503]),
                ("RSET", lambda c: c.rset(), [250])]),
            {"size": "33554432", "8bitmime": "", "help": ""}))
        # process_message's text goes out as is: multi-line replies with
        # enhanced codes, one line's code differing from the last's, two
        # spaces after a code, and a last line that is code and enhanced
        # code only.
        out.append((f"smtpd {version} SMTPServer, SMTPUTF8, hook replies", python, {
            "class": "custom", "options": {"enable_SMTPUTF8": True, "data_size_limit": 0},
            "replies": ["250-2.0.0 Message accepted\r\n250 2.6.0 Queued as 4F2A1C",
                        "554-5.7.1 Message rejected\r\n554-5.7.1  Policy: two spaces after the code\r\n554 5.7.1"]},
            core_session(extras=[
                *py3_extras(),
                ("MAIL SMTPUTF8", lambda c: c.mail(UTF8_SENDER, ["SMTPUTF8", "BODY=8BITMIME"]), [250]),
                ("RCPT UTF-8", lambda c: c.rcpt(UTF8_RCPT), [250]),
                # In an SMTPUTF8 transaction smtpd echoes the verb in UTF-8.
                ("unknown UTF-8 command", lambda c: c.docmd("fr\u00f6b"), [500]),
                ("DATA rejected by the hook", lambda c: c.data(UTF8_MESSAGE), [354, 554]),
                ("RSET", lambda c: c.rset(), [250])]),
            {"8bitmime": "", "smtputf8": "", "help": ""}))
        out.append((f"smtpd {version} SMTPServer, decode_data, SIZE 1024", python, {
            "class": "custom", "options": {"decode_data": True, "data_size_limit": 1024}},
            core_session(mail_options=[SIZE], extras=[
                *py3_extras(),
                ("MAIL SIZE over the limit", lambda c: c.mail(SENDER, ["SIZE=2048"]), [552]),
                ("MAIL BODY (not offered)", lambda c: c.mail(SENDER, ["BODY=8BITMIME"]), [555])]),
            {"size": "1024", "help": ""}))
    if py2:
        python, version = py2
        out.append((f"smtpd {version} DebuggingServer", python, {"class": "DebuggingServer"}, core_session(
            ehlo=502, vrfy=502, unknown=502, helo=250, extras=[
                ("HELP", lambda c: c.help(), [502]), ("EXPN", lambda c: c.expn("list@example.org"), [502]),
                ("empty line", lambda c: c.docmd(""), [500])]),
            {}))
    return out


def run_session(python, config, session):
    """Runs one smtplib session through the proxy. Returns the server's bytes,
    every reply smtplib read, [(label, replies of the step, expected codes)],
    (does_esmtp, ehlo_resp, esmtp_features) after EHLO, the server's output
    and the problems met on the way."""
    server = Server(python, config)
    problems, steps, ehlo, recording, client = [], [], (False, None, {}), b"", None
    try:
        proxy = CaptureProxy(server.port)
        client = RecordingSMTP(local_hostname=HELLO, timeout=10)
        for label, action, codes in [("greeting", lambda c: c.connect("127.0.0.1", proxy.port), [220]),
                                     *session]:
            before = len(client.replies)
            try:
                action(client)
            except (smtplib.SMTPException, OSError) as e:
                problems.append(f"{label}: {e!r}")
            steps.append((label, client.replies[before:], codes))
            if label == "EHLO":  # quit() forgets them
                ehlo = (client.does_esmtp, client.ehlo_resp, dict(client.esmtp_features))
        client.close()
        recording = proxy.finish()
        if proxy.error:
            problems.append(f"proxy: {proxy.error}")
    finally:
        output = server.stop()
    return recording, client.replies if client else [], steps, ehlo, output, problems


# --- reading the recording: the reference --------------------------------------

REPLY_LINE = re.compile(rb"([2-5][0-5][0-9])(?:([ -])(.*))?", re.S)
ENHANCED = re.compile(rb"([245])\.(?:0|[1-9][0-9]{0,2})\.(?:0|[1-9][0-9]{0,2})")


def take_enhanced(code, text):
    """RFC 3463 code at the start of a 2xx/4xx/5xx text (docs/trace.md: class,
    subject and detail 1-3 digits without leading zeros, then SP or the end):
    (code as str or None, the text after it and its spaces)."""
    token = text.split(b" ", 1)[0]
    m = ENHANCED.fullmatch(token)
    if code // 100 == 3 or not m:
        return None, text
    if int(m.group(1)) != code // 100:
        raise ValueError(f"enhanced code {token!r} of another class on a {code} line")
    return token.decode("ascii"), text[len(token):].lstrip(b" ")


def reference_events(recording):
    """The events docs/trace.md promises for a stream of well-formed replies,
    and each reply as (code, [its lines' text after the separator, raw]).
    Raises ValueError for anything else (these servers send nothing else)."""
    events, raw_replies, lines, raw, pos, first = [], [], [], [], 0, None
    replies = 0
    while pos < len(recording):
        end = recording.find(b"\r\n", pos)
        if end < 0:
            raise ValueError(f"unterminated line at {pos}: {recording[pos:pos + 40]!r}")
        line = recording[pos:end]
        m = REPLY_LINE.fullmatch(line)
        if not m or any((b < 0x20 and b != 0x09) or b == 0x7F for b in line) or end - pos + 2 > 512:
            raise ValueError(f"not a reply line at {pos}: {line[:60]!r}")
        code = int(m.group(1))
        if first is None:
            first = (pos, code)
        elif code != first[1]:
            raise ValueError(f"code {code} in a {first[1]} reply at {pos}")
        lines.append(take_enhanced(code, m.group(3) or b""))
        raw.append(m.group(3) or b"")
        pos = end + 2
        if m.group(2) == b"-":
            continue
        replies += 1
        raw_replies.append((code, raw))
        event = {"event": "reply", "offset": first[0], "code": code, "enhanced": lines[-1][0],
                 "lines": [t.decode("latin-1") for _, t in lines]}
        if any(e != lines[-1][0] for e, _ in lines):
            event["line_enhanced"] = [e for e, _ in lines]
        events.append(event)
        if replies == 2 and code == 250:  # the reply to EHLO, after the greeting
            domain, _, greet = lines[0][1].partition(b" ")
            events.append({"event": "capabilities", "offset": first[0], "domain": domain.decode("latin-1"),
                           "greet": greet.decode("latin-1"), "keywords": [t.decode("latin-1") for _, t in lines[1:]],
                           "legacy_auth": False, "refused": []})
        lines, raw, first = [], [], None
    if lines:
        raise ValueError("the stream ends inside a reply")
    return events, raw_replies


# --- the tool -------------------------------------------------------------------------

def run_tool(recording, args=()):
    p = subprocess.run([TOOL, "smtp-client", "--ehlo", *args], input=recording, capture_output=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def parse_events(out):
    """The tool's JSON lines; (events, problems)."""
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
    if out and not out.endswith(b"\n"):
        bad.append("output does not end with a line end")
    return events, bad


def octets(text):
    """A JSON string from the tool back to the protocol octets (docs/trace.md)."""
    return text.encode("latin-1")


def line_matches(smtplib_line, enhanced, text):
    """Whether smtplib's line (its text after the code, stripped) is what the
    reply event says: the enhanced code, one or more spaces (the event does
    not keep how many), the text; or the text alone."""
    if enhanced is None:
        return text.strip(WS) == smtplib_line
    code = enhanced.encode("ascii")
    if not smtplib_line.startswith(code):
        return False
    tail = smtplib_line[len(code):]
    if not tail:
        return text.rstrip(WS) == b""
    return tail[:1] == b" " and tail.lstrip(b" ") == text.rstrip(WS)


def reply_agrees(event, reply):
    """A `reply` event against smtplib's (code, message)."""
    code, message = reply
    texts = [octets(t) for t in event["lines"]]
    each = event.get("line_enhanced", [event["enhanced"]] * len(texts))
    parts = message.split(b"\n")
    return (event["code"] == code and len(parts) == len(texts) and len(each) == len(texts)
            and (not each or each[-1] == event["enhanced"])  # `enhanced` is the last line's
            and all(line_matches(p, e, t) for p, e, t in zip(parts, each, texts)))


def split_extension(line):
    keyword, _, params = line.partition(" ")
    return keyword.lower(), params


def features_agree(extensions, features):
    """`extensions` (mailwire's canonical lines) against smtplib's
    esmtp_features: same keywords, same parameters word for word (AUTH as a
    set of mechanisms, which mailwire may list in its own order)."""
    ours = {}
    for line in extensions:
        keyword, params = split_extension(line)
        ours[keyword] = params
    if set(ours) != set(features):
        return False
    for keyword, params in features.items():
        if keyword == "auth":
            if {m.upper() for m in params.split()} != {m.upper() for m in ours[keyword].split()}:
                return False
        elif params.split() != ours[keyword].split():
            return False
    return True


# --- the checks ----------------------------------------------------------------------------

def check_server(name, python, config, session, features_expected):
    try:
        recording, replies, steps, (does_esmtp, ehlo_resp, features), (server_out, server_err), problems = \
            run_session(python, config, session)
    except (RuntimeError, OSError) as e:
        check(f"{name}: session ran", False, repr(e))
        return
    first_failure = failures
    check(f"{name}: session ran", not problems, "; ".join(problems) + f"\n     server stderr {server_err[-800:]!r}")
    wrong = [(label, [c for c, _ in step_replies], codes) for label, step_replies, codes in steps
             if [c for c, _ in step_replies] != codes]
    check(f"{name}: the server answered each step as meant", not wrong,
          "\n     ".join(f"{label}: got {got}, meant {meant}" for label, got, meant in wrong))
    check(f"{name}: esmtp_features are the set-up's", features == features_expected,
          f"{features!r}")
    check(f"{name}: the server received the message", MARKER.encode() in server_out, repr(server_out[-300:]))
    check(f"{name}: the server raised nothing", b"Traceback" not in server_err and b"uncaptured" not in server_err,
          repr(server_err[-800:]))

    # The recording itself, read by the reference, must be what smtplib read.
    try:
        reference, raw_replies = reference_events(recording)
    except ValueError as e:
        check(f"{name}: the recording is well-formed replies", False, f"{e}\n     recording {recording!r}")
        return
    check(f"{name}: the recorded replies are the ones smtplib read",
          [(code, b"\n".join(t.strip(WS) for t in texts)) for code, texts in raw_replies] == replies,
          f"recorded {raw_replies!r}\n     smtplib {replies!r}")

    rc, out, err = run_tool(recording)
    events, bad = parse_events(out)
    check(f"{name}: every output line is one ASCII JSON event", not bad, "; ".join(bad))
    errors = [e for e in events if e["event"] == "error"]
    check(f"{name}: no error events, exit status 0", not errors and rc == 0, f"rc={rc} {errors!r} {err!r}")

    # Against smtplib, reply by reply.
    tool_replies = [e for e in events if e["event"] == "reply"]
    check(f"{name}: {len(replies)} reply events, as many as smtplib read", len(tool_replies) == len(replies),
          f"mailwire {len(tool_replies)}, smtplib {len(replies)}")
    labels = [label for label, step_replies, _ in steps for _ in step_replies]
    differ = [i for i, (event, reply) in enumerate(zip(tool_replies, replies)) if not reply_agrees(event, reply)]
    detail = ""
    if differ:
        i = differ[0]
        start = tool_replies[i]["offset"]
        end = tool_replies[i + 1]["offset"] if i + 1 < len(tool_replies) else len(recording)
        detail = (f"{len(differ)} differ; the first is reply {i} ({labels[i] if i < len(labels) else '?'})\n"
                  f"     bytes    {recording[start:end]!r}\n     smtplib  {replies[i]!r}\n"
                  f"     mailwire {tool_replies[i]!r}")
    check(f"{name}: each reply event is smtplib's (code, message)", not differ, detail)

    # Against the reference: every field, in order (capabilities without
    # `extensions`, which is mailwire's own folding and is compared below).
    stripped = [{k: v for k, v in e.items() if k != "extensions"} for e in events]
    if stripped != reference:
        first = next((i for i, (a, b) in enumerate(zip(stripped, reference)) if a != b),
                     min(len(stripped), len(reference)))
        got = stripped[first] if first < len(stripped) else "(none)"
        want = reference[first] if first < len(reference) else "(none)"
        at = want.get("offset", 0) if isinstance(want, dict) else 0
        check(f"{name}: events are the reference reading of the bytes", False,
              f"event {first}\n     bytes    {recording[at:at + 160]!r}\n     expected {want!r}\n     actual   {got!r}")
    else:
        check(f"{name}: events are the reference reading of the bytes", True)

    # Capabilities against smtplib's view of the EHLO reply.
    caps = [e for e in events if e["event"] == "capabilities"]
    if does_esmtp:
        ok = len(caps) == 1 and len(events) > 2 and events[2] is caps[0]
        check(f"{name}: one capabilities event, right after the reply to EHLO", ok, repr(caps))
        if caps:
            cap = caps[0]
            first_line = ehlo_resp.split(b"\n")[0]
            check(f"{name}: capabilities domain and greet are ehlo_resp's first line",
                  (octets(cap["domain"]) + (b" " + octets(cap["greet"]) if cap["greet"] else b"")) == first_line,
                  f"{cap!r} vs {first_line!r}")
            check(f"{name}: keywords are esmtp_features' keys",
                  {split_extension(k)[0] for k in cap["keywords"]} == set(features),
                  f"{cap['keywords']!r} vs {features!r}")
            check(f"{name}: extensions are esmtp_features (keywords, parameters)",
                  features_agree(cap["extensions"], features),
                  f"{cap['extensions']!r} vs {features!r}")
    else:
        check(f"{name}: no capabilities event when EHLO was refused", not caps, repr(caps))

    # Splitting the input changes nothing.
    for args in SPLITS:
        rc2, out2, _ = run_tool(recording, args)
        check(f"{name}: same output with {' '.join(args)}", (rc2, out2) == (rc, out),
              f"rc={rc2}\n{out2.decode('ascii', 'replace')}")

    codes = " ".join(str(c) for c, _ in replies)
    ehlo = " ".join(features).upper() if does_esmtp else "refused"
    print(f"{'ok  ' if failures == first_failure else 'FAIL'} {name}: {len(recording)} octets, "
          f"{len(replies)} replies ({codes}); EHLO: {ehlo}")


def main():
    started = time.monotonic()
    py3, py2 = find_python(3), find_python(2)
    if not py3:
        print("note: no Python 3 with smtpd (it left the standard library in 3.12): Python 3 servers skipped")
    if not py2:
        print("note: no Python 2.7 on this machine: its smtpd skipped")
    servers = setups(py3, py2)
    if not servers:
        print("skip: no server to test against")
        return 77
    for setup in servers:
        check_server(*setup)
    print(f"\n{len(servers)} servers, {checks} checks in {time.monotonic() - started:.1f} s: "
          f"{'FAILED, ' + str(failures) + ' failure(s)' if failures else 'all passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Behaviour of the mailwire-trace tool (smtp-server, smtp-client,
# pop3-server and pop3-client modes): usage and I/O exit codes, exit 0/1
# semantics, and every tests/golden/{smtp,pop3}-{server,client}/*.trace
# replayed through the tool whole, at --split 1 and 7, at --split-seed 1..5,
# from stdin and from a FILE, with every output line valid, pure-ASCII JSON.
set -u
tool=$1
if ! command -v python3 >/dev/null; then
  echo "skip: python3 is needed for the golden unescaping and the JSON checks"
  exit 77
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
golden="$here/../golden"
fail=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {  # name expected actual
  checks=$((checks + 1))
  if [ "$2" != "$3" ]; then
    printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"
    fail=1
  else
    printf 'ok   %s\n' "$1"
  fi
}
check_has() {  # name text pattern: the text contains the (glob) pattern
  local found=no
  # shellcheck disable=SC2053 # $3 is a pattern on purpose
  [[ $2 == *$3* ]] && found=yes
  check "$1" yes "$found"
}
# The stdin is a file and the output goes to files: the tool cannot block, so
# no timeout(1) (ctest has a TIMEOUT), and no command substitution, since
# forks are what makes this script slow on a busy machine.
run() {  # stdin-bytes (printf %b) args... ; sets out (stdout + "rc=N"), last, err
  local input=$1 rc; shift
  printf '%b' "$input" >"$tmp/in"
  "$tool" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out='' err=''
  IFS= read -r -d '' out <"$tmp/out"
  IFS= read -r -d '' err <"$tmp/err"
  out+="rc=$rc"
  last=${out##*$'\n'}
}

# --- usage errors: exit 64, nothing on stdout, a usage line on stderr --------
usage_case() {  # name args...
  local name=$1; shift
  run 'NOOP\r\n' "$@"
  check "usage: $name exits 64 with no output" "rc=64" "$out"
  check_has "usage: $name says why on stderr" "$err" 'usage: mailwire-trace smtp-server'
}
usage_case "no mode"
usage_case "unknown mode" frobnicate
usage_case "mode after an option" --split 1 smtp-server
usage_case "unknown option" smtp-server --frobnicate
usage_case "two FILEs" smtp-server /dev/null /dev/null
usage_case "--split without a value" smtp-server --split
usage_case "--split-seed without a value" smtp-server --split-seed
for bad in -1 +3 ' 3' 3x 0 '' 0x10 99999999999999999999; do
  usage_case "--split '$bad'" smtp-server --split "$bad"
done
for bad in -1 x '' 4294967296; do
  usage_case "--split-seed '$bad'" smtp-server --split-seed "$bad"
done
usage_case "--split with --split-seed" smtp-server --split 3 --split-seed 1
usage_case "--split-seed with --split" smtp-server --split-seed 1 --split 3
# Each mode takes only its own options.
usage_case "--ehlo is smtp-client only" smtp-server --ehlo
usage_case "--starttls-after is smtp-client only" smtp-server --starttls-after 1
usage_case "--allow-bare-lf is smtp-server only" smtp-client --allow-bare-lf
usage_case "smtp-client: unknown option" smtp-client --frobnicate
usage_case "smtp-client: two FILEs" smtp-client /dev/null /dev/null
usage_case "smtp-client: --split with --split-seed" smtp-client --split 3 --split-seed 1
usage_case "--starttls-after without a value" smtp-client --starttls-after
for bad in -1 +3 x '' 18446744073709551616; do
  usage_case "--starttls-after '$bad'" smtp-client --starttls-after "$bad"
done
usage_case "smtp-client: --keep-starttls-barrier without --starttls-after" \
  smtp-client --keep-starttls-barrier
run 'NOOP\r\n' smtp-client --frobnicate
check_has "the usage line names smtp-client too" "$err" 'mailwire-trace smtp-client'
check_has "the usage line names pop3-server too" "$err" 'mailwire-trace pop3-server'
check_has "the usage line names pop3-client too" "$err" 'mailwire-trace pop3-client'
usage_case "--commands is pop3-client only" smtp-client --commands /dev/null
usage_case "--commands is not pop3-server's" pop3-server --commands /dev/null
usage_case "--allow-extra-spaces is pop3-server only" pop3-client --allow-extra-spaces
usage_case "--allow-extra-spaces is not smtp-server's" smtp-server --allow-extra-spaces
usage_case "--allow-bare-lf is not pop3-client's" pop3-client --allow-bare-lf
usage_case "--ehlo is not pop3-client's" pop3-client --ehlo
usage_case "--starttls-after is not pop3-client's" pop3-client --starttls-after 1
usage_case "--commands without a value" pop3-client --commands
usage_case "--commands twice" pop3-client --commands /dev/null --commands /dev/null
usage_case "--commands and the input both stdin" pop3-client --commands -
usage_case "pop3-server: two FILEs" pop3-server /dev/null /dev/null
usage_case "pop3-client: --split with --split-seed" pop3-client --split 3 --split-seed 1
noop=$'{"event":"command","offset":0,"verb":"NOOP","arg":""}\n'
run 'NOOP\r\n' smtp-server --split-seed 4294967295
check "--split-seed takes the largest 32-bit value" "${noop}rc=0" "$out"
run 'NOOP\r\n' smtp-server --split-seed 0
check "--split-seed 0 is a seed like any other" "${noop}rc=0" "$out"
run 'NOOP\r\n' smtp-server --split 18446744073709551615
check "--split takes the largest 64-bit value" "${noop}rc=0" "$out"

# --- I/O errors: exit 2 ------------------------------------------------------
run '' smtp-server "$tmp/no-such-file"
check "a missing FILE exits 2 with no output" "rc=2" "$out"
check_has "a missing FILE is named on stderr" "$err" "no-such-file"
run '' smtp-server "$tmp"
check "a directory as FILE is a read error, exit 2" "rc=2" "$out"
if [ -w /dev/full ]; then
  printf 'NOOP\r\n' >"$tmp/in"
  "$tool" smtp-server <"$tmp/in" >/dev/full 2>/dev/null
  check "a write error is exit 2" "2" "$?"
fi

# --- exit 0/1: 1 exactly when an "error" event was printed -------------------
run 'EHLO a.example\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n' smtp-server
check "a clean session exits 0" "rc=0" "$last"
lines=${out//[^$'\n']/}
check "a clean session prints one line per event" "7" "${#lines}"
run '' smtp-server
check "an empty stream prints nothing and exits 0" "rc=0" "$out"
run 'FROB\r\n' smtp-server
check "an unknown command exits 1" \
  $'{"event":"error","offset":0,"error":"unknown_command","reply":"500 5.5.1 Command not recognized","detail":"FROB"}\nrc=1' "$out"
run 'NOOP\r\nQUIT' smtp-server
check "end of stream inside a command line exits 1" "rc=1" "$last"
check_has "... and reports unexpected_eof" "$out" '"error":"unexpected_eof"'
# A refused DATA body is a data_end with an error, not an "error" event: the
# session went on, so the exit status is 0 (the header's rule, docs/trace.md).
run 'DATA\r\na\nb\r\n.\r\n' smtp-server
check_has "a bare LF in DATA is flagged on data_end" "$out" '"event":"data_end",*"error":"body_bare_lf"'
check "... which is not an error event (exit 0)" "rc=0" "$last"
run 'NOOP\nNOOP\r\n' smtp-server
check "a bare LF ending a command is an error" "rc=1" "$last"
run 'NOOP\nNOOP\r\n' smtp-server --allow-bare-lf
check "--allow-bare-lf accepts it" \
  "${noop}"$'{"event":"command","offset":5,"verb":"NOOP","arg":""}\nrc=0' "$out"
run 'STARTTLS\r\nNOOP\r\n' smtp-server
check "after STARTTLS the next bytes are the new session" "rc=0" "$last"
run 'STARTTLS\r\nNOOP\r\n' smtp-server --keep-starttls-barrier
check_has "--keep-starttls-barrier reports them" "$out" '"error":"data_after_starttls"'
check "... and exits 1" "rc=1" "$last"
run 'NOOP\r\nDATA\r\nx\r\n.\r\nFROB\r\n' smtp-server
printf 'NOOP\r\nDATA\r\nx\r\n.\r\nFROB\r\n' >"$tmp/file"
from_stdin=$out
run '' smtp-server "$tmp/file"
check "stdin and FILE give the same output and status" "$from_stdin" "$out"

# --- smtp-client: exit 0/1, STARTTLS and EHLO options --------------------------
greeting=$'{"event":"reply","offset":0,"code":220,"enhanced":null,"lines":["mx.example"]}\n'
run '220 mx.example\r\n' smtp-client
check "smtp-client: a clean reply exits 0" "${greeting}rc=0" "$out"
run '' smtp-client
check "smtp-client: an empty stream prints nothing and exits 0" "rc=0" "$out"
run '220 mx.example\r\n199 x\r\n' smtp-client
check "smtp-client: a bad reply line exits 1" \
  "${greeting}"$'{"event":"error","offset":16,"error":"invalid_reply_code","code":null,"line":"199 x","void_lines":0}\nrc=1' "$out"
run '220 mx.example\r\n250-a' smtp-client
check "smtp-client: end of stream inside a reply exits 1" "rc=1" "$last"
check_has "... and reports unexpected_eof" "$out" '"error":"unexpected_eof"'
run '220 mx.example\r\n250-mx.example\r\n250 STARTTLS\r\n220 go\r\n250 x\r\n' smtp-client --starttls-after 2
check "smtp-client: after the 220 to STARTTLS the next bytes are the new session" "rc=0" "$last"
check_has "... read as replies" "$out" '"offset":54,"code":250,'
run '220 mx.example\r\n250-mx.example\r\n250 STARTTLS\r\n220 go\r\n250 x\r\n' smtp-client \
  --starttls-after 2 --keep-starttls-barrier
check_has "smtp-client: --keep-starttls-barrier reports them" "$out" \
  '{"event":"error","offset":54,"error":"data_after_starttls",'
check "... and exits 1" "rc=1" "$last"
run '220 go\r\n250 x\r\n' smtp-client --starttls-after 0 --keep-starttls-barrier
check_has "smtp-client: --starttls-after 0 makes the first reply the answer" "$out" \
  '"offset":8,"error":"data_after_starttls"'
run '220 mx.example\r\n250-mx.example hi\r\n250 8BITMIME\r\n' smtp-client
check "smtp-client: no capabilities without --ehlo" "rc=0" "$last"
[[ $out == *'"event":"capabilities"'* ]] && found=yes || found=no
check "... (none printed)" "no" "$found"
run '220 mx.example\r\n250-mx.example hi\r\n250 8BITMIME\r\n' smtp-client --ehlo
check "smtp-client: --ehlo prints them after the EHLO reply" \
  "${greeting}"$'{"event":"reply","offset":16,"code":250,"enhanced":null,"lines":["mx.example hi","8BITMIME"]}\n{"event":"capabilities","offset":16,"domain":"mx.example","greet":"hi","keywords":["8BITMIME"],"extensions":["8BITMIME"],"legacy_auth":false,"refused":[]}\nrc=0' "$out"
printf '220 mx.example\r\n199 x\r\n' >"$tmp/file"
run '220 mx.example\r\n199 x\r\n' smtp-client
from_stdin=$out
run '' smtp-client "$tmp/file"
check "smtp-client: stdin and FILE give the same output and status" "$from_stdin" "$out"

# --- pop3-server and pop3-client: exit 0/1, STLS, --commands -------------------
run 'USER alice\r\nPASS a b\r\n' pop3-server
check "pop3-server: a clean session exits 0" \
  $'{"event":"command","offset":0,"verb":"USER","args":["alice"],"name":"alice"}\n{"event":"command","offset":12,"verb":"PASS","args":["a b"],"password":"a b"}\nrc=0' "$out"
run 'RETR 0\r\n' pop3-server
check "pop3-server: a bad message number exits 1 with the -ERR text" \
  $'{"event":"error","offset":0,"error":"invalid_message_number","reply":"Invalid message number","verb":"RETR","detail":"0"}\nrc=1' "$out"
run 'STLS\r\nCAPA\r\n' pop3-server
check "pop3-server: after STLS the next bytes are the new session" "rc=0" "$last"
run 'STLS\r\nCAPA\r\n' pop3-server --keep-starttls-barrier
check_has "pop3-server: --keep-starttls-barrier reports them" "$out" \
  '{"event":"error","offset":6,"error":"data_after_starttls",'
check "... and exits 1" "rc=1" "$last"
run 'LIST  1\nNOOP\r\n' pop3-server --allow-extra-spaces --allow-bare-lf
check "pop3-server: --allow-extra-spaces and --allow-bare-lf" \
  $'{"event":"command","offset":0,"verb":"LIST","args":["1"],"msg":1}\n{"event":"command","offset":8,"verb":"NOOP","args":[]}\nrc=0' "$out"
pop_greeting=$'{"event":"status","offset":0,"verb":null,"greeting":true,"ok":true,"code":null,"text":"hi","multi_line":false,"timestamp":null}\n'
run '+OK hi\r\n' pop3-client
check "pop3-client: without --commands only the greeting is expected" "${pop_greeting}rc=0" "$out"
run '+OK hi\r\n+OK\r\n' pop3-client
check "pop3-client: ... so a second line is unexpected (exit 1)" \
  "${pop_greeting}"$'{"event":"error","offset":8,"verb":null,"error":"unexpected_response","line":"+OK"}\nrc=1' "$out"
printf 'LIST\r\n\nSTAT\n' >"$tmp/cmds"
run '+OK hi\r\n+OK\r\n1 5\r\n.\r\n+OK 1 5\r\n' pop3-client --commands "$tmp/cmds"
check "pop3-client: --commands lines (CRLF or LF, empty ones skipped) decide the bodies" \
  "${pop_greeting}"$'{"event":"status","offset":8,"verb":"LIST","ok":true,"code":null,"text":"","multi_line":true}\n{"event":"item","offset":13,"verb":"LIST","msg":1,"size":5}\n{"event":"end","offset":21,"verb":"LIST","lines":1}\n{"event":"status","offset":21,"verb":"STAT","ok":true,"code":null,"text":"1 5","multi_line":false,"count":1,"size":5}\nrc=0' "$out"
printf '+OK hi\r\n+OK\r\n1 5\r\n.\r\n+OK 1 5\r\n' >"$tmp/file"
run '' pop3-client --commands "$tmp/cmds" "$tmp/file"
from_file=$out
printf 'LIST\r\n\nSTAT\n' | "$tool" pop3-client --commands - "$tmp/file" >"$tmp/out" 2>/dev/null
rc=$?
IFS= read -r -d '' out <"$tmp/out"
check "pop3-client: --commands - reads the commands from stdin" "$from_file" "${out}rc=$rc"
run '' pop3-client --commands "$tmp/no-such-file"
check "pop3-client: a missing --commands file exits 2 with no output" "rc=2" "$out"
printf 'STLS\nCAPA\n' >"$tmp/cmds"
run '+OK hi\r\n+OK go\r\n+OK\r\n.\r\n' pop3-client --commands "$tmp/cmds"
check "pop3-client: after +OK to STLS the next bytes are the new session" "rc=0" "$last"
check_has "... read as the answer to CAPA" "$out" '{"event":"end","offset":24,"verb":"CAPA","lines":0}'
run '+OK hi\r\n+OK go\r\n+OK\r\n.\r\n' pop3-client --commands "$tmp/cmds" --keep-starttls-barrier
check_has "pop3-client: --keep-starttls-barrier reports them" "$out" \
  '{"event":"error","offset":16,"verb":"STLS","error":"data_after_starttls","line":""}'
check "... and exits 1" "rc=1" "$last"

# --- golden traces -----------------------------------------------------------
# Split each trace into input bytes (unescaped as in tests/golden/test_golden.cpp),
# expected output and tool flags; check that every expected line is one JSON
# object with an "event", pure printable ASCII, whose strings give back octets
# (no code point above 0xFF). One python3 run: its start-up is slow on a busy machine.
python3 - "$golden" "$tmp" <<'EOF' || { echo "FAIL could not read the golden traces"; exit 1; }
import json, pathlib, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
# Trace options -> tool flags, per mode: switches ("=1" on, "=0" off) and
# options with a number.
SWITCHES = {
    "smtp-server": {"keep_starttls_barrier": "--keep-starttls-barrier",
                    "allow_bare_lf": "--allow-bare-lf"},
    "smtp-client": {"keep_starttls_barrier": "--keep-starttls-barrier", "ehlo": "--ehlo"},
    "pop3-server": {"keep_starttls_barrier": "--keep-starttls-barrier",
                    "allow_bare_lf": "--allow-bare-lf",
                    "allow_extra_spaces": "--allow-extra-spaces"},
    "pop3-client": {"keep_starttls_barrier": "--keep-starttls-barrier"},
}
NUMBERS = {"smtp-server": {}, "smtp-client": {"starttls_after": "--starttls-after"},
           "pop3-server": {}, "pop3-client": {}}

def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out += c.encode("latin-1"); i += 1; continue
        e = s[i + 1]; i += 2
        if e == "x":
            out.append(int(s[i:i + 2], 16)); i += 2
        else:
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(e, e.encode("latin-1"))
    return bytes(out)

def strings(v):  # every JSON string in a value, nested arrays and objects included
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v: yield from strings(x)
    elif isinstance(v, dict):
        for k, x in v.items(): yield k; yield from strings(x)

bad, lines = [], 0
for mode in SWITCHES:
    (dst / mode).mkdir()
    for trace in sorted((src / mode).glob("*.trace")):
        data, expected, flags, commands = b"", "", [], None
        for line in trace.read_bytes().decode("latin-1").split("\n"):
            if not line or line[0] == "#":
                continue
            body = line[2:]
            if line[0] == ">":
                data += unescape(body)
            elif line[0] == "<":
                expected += body + "\n"
            elif line[0] == "$" and mode == "pop3-client":
                commands = (commands or b"") + unescape(body) + b"\r\n"
            elif line[0] == "!":
                for word in body.split():
                    key, value = word.split("=", 1)
                    if key in SWITCHES[mode] and value in ("0", "1"):
                        flags += [SWITCHES[mode][key]] if value == "1" else []
                    elif key in NUMBERS[mode] and value.isdigit():
                        flags += [NUMBERS[mode][key], value]
                    else:
                        sys.exit(f"{mode}/{trace.name}: bad option {word}")
            else:
                sys.exit(f"{mode}/{trace.name}: bad line {line!r}")
        if mode == "pop3-client":
            # The commands the client sent, one per line (mailwire-trace --commands).
            cmds = dst / mode / (trace.stem + ".commands")
            cmds.write_bytes(commands or b"")
            flags += ["--commands", str(cmds)]
        (dst / mode / (trace.stem + ".in")).write_bytes(data)
        (dst / mode / (trace.stem + ".expected")).write_text(expected, encoding="latin-1")
        (dst / mode / (trace.stem + ".flags")).write_text(" ".join(flags))
        for n, line in enumerate(expected.split("\n")[:-1], 1):
            lines += 1
            where = f"{mode}/{trace.name} expected line {n}"
            if any(c > "\x7e" or c < " " for c in line):
                bad.append(f"{where}: not printable ASCII"); continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                bad.append(f"{where}: {e}"); continue
            if not isinstance(obj, dict) or not isinstance(obj.get("event"), str):
                bad.append(f"{where}: not an event object"); continue
            if any(ord(c) > 0xFF for s in strings(obj) for c in s):
                bad.append(f"{where}: a string is not octets")
(dst / "json-check").write_text("\n".join(bad) if bad else f"ok {lines}")
EOF
# Runs the tool on a golden input; sets got to its stdout plus "rc=N". No
# command substitution and no timeout(1): a fork per run is what costs here,
# and a regular file as input cannot block.
golden_run() {  # output-file mode args...
  local file=$1; shift
  "$tool" "$@" >"$file" 2>/dev/null
  local rc=$?
  got=
  IFS= read -r -d '' got <"$file"
  got+="rc=$rc"
}
for mode in smtp-server smtp-client pop3-server pop3-client; do
  traces=0
  for input in "$tmp/$mode"/*.in; do
    [ -e "$input" ] || continue
    name=${input##*/}
    name=${name%.in}
    traces=$((traces + 1))
    read -r -a flags <"$tmp/$mode/$name.flags" || true
    expected=
    IFS= read -r -d '' expected <"$tmp/$mode/$name.expected"
    [[ $expected == *'"event":"error"'* ]] && expected+="rc=1" || expected+="rc=0"
    golden_run "$tmp/run" "$mode" "${flags[@]}" "$input"
    check "golden $mode/$name: FILE output and exit status" "$expected" "$got"
    whole=$got
    golden_run "$tmp/run" "$mode" "${flags[@]}" <"$input"
    check "golden $mode/$name: stdin gives the same" "$whole" "$got"
    for split in "--split 1" "--split 7" "--split-seed 1" "--split-seed 2" "--split-seed 3" \
                 "--split-seed 4" "--split-seed 5"; do
      # shellcheck disable=SC2086 # $split is two words on purpose
      golden_run "$tmp/run" "$mode" $split "${flags[@]}" "$input"
      check "golden $mode/$name: $split gives the same" "$whole" "$got"
    done
  done
  least=20
  [[ $mode == pop3-* ]] && least=12
  check "golden $mode traces found (at least $least)" "yes" \
    "$( ((traces >= least)) && echo yes || echo "only $traces")"
done

# The tool's output equals the expected lines (checked above), so these
# checks hold for every line the tool printed for the goldens.
json=$(<"$tmp/json-check")
check "every golden output line is one pure-ASCII JSON event object" "ok" "$([ "${json%% *}" = ok ] && echo ok || echo "$json")"
[ "${json%% *}" = ok ] && echo "     (${json#ok } lines)"

echo "$checks checks, $([ $fail = 0 ] && echo 'all passed' || echo 'FAILED')"
exit $fail

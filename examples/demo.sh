#!/usr/bin/env bash
# Quick start: builds the tools, shows mailwire-dot at work on a message whose
# lines start with dots, and mailwire-trace reading an SMTP client session with
# a smuggling attempt and a STARTTLS injection. Installs missing Debian
# packages first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. .ci/deps.sh
ensure_packages cmake ninja-build g++

cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILWIRE_DEVELOPER_MODE=ON \
  -DMAILWIRE_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo --target mailwire-dot mailwire-trace >/dev/null
dot=build/demo/examples/mailwire-dot
trace=build/demo/examples/mailwire-trace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

show() { sed -e 's/\r/\\r/g' -e 's/^/    /'; }

message=$'Subject: dots\r\n\r\n.signature follows\r\n..two dots\r\nlast line without CRLF'
echo "A message (\\r shown), some lines starting with '.':"
printf '%s' "$message" | show; echo
echo
echo "mailwire-dot encode  (dots doubled, final CRLF and the terminator added):"
printf '%s' "$message" | "$dot" encode | show
echo
echo "mailwire-dot decode  (the payload back, then QUIT pipelined behind it):"
{ printf '%s' "$message" | "$dot" encode; printf 'QUIT\r\n'; } | "$dot" decode 2>$tmp/err | show
echo "  stderr: $(cat $tmp/err)   (QUIT is left for the command parser)"
echo
echo "A smuggling attempt ('\\n.\\n' is not the end of data) decoded byte by byte:"
rc=0
printf 'hi\n.\nMAIL FROM:<evil@example>\r\n.\r\n' >$tmp/in
"$dot" decode --split 1 <$tmp/in >$tmp/out 2>$tmp/err || rc=$?
show <$tmp/out
sed 's/^/  stderr: /' $tmp/err
case $rc in
  0) echo "  exit status 0: terminator found, nothing flagged" ;;
  1) echo "  exit status 1: terminator found, content flagged; a server answers 550 and stays in sync" ;;
  *) echo "  exit status $rc: input ended before the terminator" ;;
esac
echo
echo "mailwire-trace smtp-server: a client session, one JSON event per line. The body hides a"
echo "second transaction behind '\\n.\\n' (data, flagged), and a command rides along with STARTTLS:"
rc=0
printf 'EHLO client.example\r\nMAIL FROM:<a@example.org> SIZE=60\r\nRCPT TO:<b@example.net>\r\nDATA\r\nhi\n.\nMAIL FROM:<evil@example>\r\n.\r\nSTARTTLS\r\nRCPT TO:<victim@example.net>\r\n' >$tmp/session
"$trace" smtp-server --keep-starttls-barrier --split-seed 7 $tmp/session | sed 's/^/    /' || rc=$?
echo "  exit status $rc (1: the stream held errors; the body ended only at CRLF.CRLF)"

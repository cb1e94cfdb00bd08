#!/usr/bin/env bash
# Quick start: builds the tools and shows mailwire-dot at work on a message
# whose lines start with dots. Installs missing Debian packages first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. .ci/deps.sh
ensure_packages cmake ninja-build g++

cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILWIRE_DEVELOPER_MODE=ON \
  -DMAILWIRE_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo --target mailwire-dot >/dev/null
dot=build/demo/examples/mailwire-dot

show() { sed -e 's/\r/\\r/g' -e 's/^/    /'; }

message=$'Subject: dots\r\n\r\n.signature follows\r\n..two dots\r\nlast line without CRLF'
echo "A message (\\r shown), some lines starting with '.':"
printf '%s' "$message" | show; echo
echo
echo "mailwire-dot encode  (dots doubled, final CRLF and the terminator added):"
printf '%s' "$message" | "$dot" encode | show
echo
echo "mailwire-dot decode  (the payload back, then QUIT pipelined behind it):"
{ printf '%s' "$message" | "$dot" encode; printf 'QUIT\r\n'; } | "$dot" decode 2>/tmp/mailwire-demo.err | show
echo "  stderr: $(cat /tmp/mailwire-demo.err)   (QUIT is left for the command parser)"
echo
echo "A smuggling attempt ('\\n.\\n' is not the end of data) decoded byte by byte:"
rc=0
printf 'hi\n.\nMAIL FROM:<evil@example>\r\n.\r\n' >/tmp/mailwire-demo.in
"$dot" decode --split 1 </tmp/mailwire-demo.in >/tmp/mailwire-demo.out 2>/tmp/mailwire-demo.err || rc=$?
show </tmp/mailwire-demo.out
sed 's/^/  stderr: /' /tmp/mailwire-demo.err
echo "  exit status $rc: terminator found, content flagged; the server answers 550 and stays in sync"
rm -f /tmp/mailwire-demo.in /tmp/mailwire-demo.out /tmp/mailwire-demo.err

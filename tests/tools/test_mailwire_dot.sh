#!/usr/bin/env bash
# Behaviour of the mailwire-dot tool: output, stderr's last line, exit codes.
set -u
tool=$1
fail=0
errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
check() {  # name expected actual
  if [ "$2" != "$3" ]; then
    printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"
    fail=1
  else
    printf 'ok   %s\n' "$1"
  fi
}
run() {  # stdin-bytes args... ; sets out, err, rc
  local input=$1; shift
  out=$(printf '%b' "$input" | timeout 10 "$tool" "$@" 2>"$errfile"; echo "rc=$?")
  err=$(cat "$errfile")
}

for split in 65536 1 3; do
  run 'Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n' decode --split $split
  check "decode clean (split $split)" $'Subject: x\r\n\r\n.leading dot\r\nrc=0' "$out"
  check "decode consumed line (split $split)" "consumed=32" "$(tail -n 1 <<<"$err")"

  run 'a\n.\nb\r\n.\r\n' decode --split $split
  check "decode flags bare LF (split $split)" $'a\n.\nb\r\nrc=1' "$out"
  check "decode names the flag (split $split)" "1" "$(grep -c '^body_bare_lf at offset 1:' <<<"$err")"
  check "decode consumed after flag (split $split)" "consumed=10" "$(tail -n 1 <<<"$err")"

  run 'no terminator\r\n' decode --split $split
  check "decode eof is exit 2 (split $split)" $'no terminator\r\nrc=2' "$out"

  run '.leading\nline\r.\r\nend' encode --split $split
  check "encode normalises and stuffs (split $split)" $'..leading\r\nline\r\n..\r\nend\r\n.\r\nrc=0' "$out"
done

run 'a\nb' encode --policy reject
check "encode --policy reject refuses bare LF" "arc=1" "$out"
run '' encode
check "encode empty message" $'.\r\nrc=0' "$out"
run 'x' frobnicate
check "unknown mode is a usage error" "rc=64" "$out"

run 'abc\rd' encode --policy reject
check "a refused bare CR is reported at its own offset" "body_bare_cr at offset 3: bare CR in message content" "$err"
run 'abc\r' encode --policy reject
check "a refused trailing CR ends with exit 1, no hang" $'abc\rrc=1' "$out"
check "a refused trailing CR is reported" "body_bare_cr at offset 3: bare CR in message content" "$err"
for bad in -1 +3 ' 3' 3x 0 99999999999999999999; do
  run '.\r\n' decode --split "$bad"
  check "--split '$bad' is a usage error" "rc=64" "$out"
done
run '.\r\n' decode --max-size 0 --max-line 0
check "--max-size 0 and --max-line 0 mean no limit" "rc=0" "$out"
if [ -w /dev/full ]; then
  printf 'x\r\n.\r\n' | "$tool" decode >/dev/full 2>/dev/null
  check "a write error is exit 2" "2" "$?"
fi

exit $fail

#!/usr/bin/env python3
"""Regenerate the seed corpora in fuzz/corpus/<target>/ (python3, stdlib only).

    python3 fuzz/make_corpus.py

Every file is derived from the tables below, so the corpora are reproducible;
the script replaces the contents of fuzz/corpus/<target>/ for the targets it
knows. Each target reads a small header before the payload (see the comment
at the top of fuzz/<target>.cpp):

  dot_decode     [options] + dot-stuffed body
  dot_split      [options, split] + dot-stuffed body
  dot_roundtrip  [copy, gather, seed] + message content
  scan_diff      raw buffer
"""

import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent
EVIL = b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n"


# dot_decode / dot_split options byte:
#   bits 0-1 policy (0 reject, 1 normalize, 2 allow)
#   bits 2-3 max_size {off, 1, 7, 100}, bits 4-5 max_line_length {off, 1, 8, 1000}
#   bit 6 feed_eof first, bit 7 empty feed first (dot_decode only)
def opts(policy=0, size=0, line=0, eof_first=False, empty_first=False):
    return bytes([policy | size << 2 | line << 4 | eof_first << 6 | empty_first << 7])


REJECT, NORMALIZE, ALLOW = 0, 1, 2

# (name, options byte, body on the wire)
BODIES = [
    ("plain", opts(), b"Subject: test\r\n\r\nHello, world.\r\n.\r\n"),
    ("empty_body", opts(), b".\r\n"),
    ("stuffed_dots", opts(), b"..leading dot\r\n...\r\n..\r\n.x needless stuffing\r\n.\r\n"),
    ("smuggle_lf_dot_lf", opts(), b"Hi\r\n\n.\n" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_lf_dot_crlf", opts(), b"Hi\n.\r\n" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_crlf_dot_lf", opts(), b"Hi\r\n.\n" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_cr_dot_cr", opts(), b"Hi\r.\r" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_nul", opts(), b"Hi\r\n.\x00\r\n" + EVIL + b"\x00.\r\n.\r\n"),
    ("smuggle_dot_cr_other", opts(), b"Hi\r\n.\rX\r\n.\r\r\n.\r\n"),
    ("data_after_terminator", opts(), b"Body\r\n.\r\nMAIL FROM:<next@example.com>\r\nQUIT\r\n"),
    ("long_lines", opts(line=3),
     b"x" * 998 + b"\r\n" + b"." + b"y" * 999 + b"\r\n" + b"z" * 1500 + b"\r\n.\r\n"),
    ("short_limits", opts(size=3, line=2), b"12345678\r\n123456\r\n..dot\r\n.\r\n"),
    ("unterminated_eof", opts(eof_first=True), b"no end here\r\n."),
    ("unterminated_dot_cr", opts(), b"no end here\r\n.\r"),
    ("normalize_mix", opts(policy=NORMALIZE), b"a\rb\nc\r\r\n.\rd\n.\n\r\n.\r\n"),
    ("allow_mix", opts(policy=ALLOW, empty_first=True), b"a\rb\nc\r\r\n.\rd\n.\n\x00\r\n.\r\n"),
]

# dot_split split byte: bits 0-1 kind (0 every byte, 1 random with max piece
# 2^(bits 2-4), 2 around CR/LF/'.', 3 one cut), bit 7 empty feeds in between.
SPLITS = [0x00, 0x01 | 3 << 2, 0x02, 0x03, 0x80 | 0x02, 0x01 | 6 << 2]

# (name, copy byte, gather byte, message content). copy/gather byte:
#   bits 0-2 buffer size {1,1,2,3,7,16,100,all} / segments {1,2,3,4,8,64,1024,all}
#   bits 3-5 chunk size {1,2,3,5,16,64,1000,all}, bit 6 random chunk sizes
def hdr(cap, chunk, random=False):
    return cap | chunk << 3 | random << 6


MESSAGES = [
    ("plain", hdr(7, 7), hdr(7, 7), b"Subject: test\r\n\r\nHello, world.\r\n"),
    ("empty", hdr(0, 0), hdr(0, 0), b""),
    ("leading_dots", hdr(0, 0), hdr(0, 0), b".hidden\r\n..two\r\n.\r\n...\r\n"),
    ("only_dot_line", hdr(1, 1), hdr(1, 1), b".\r\n"),
    ("embedded_terminator", hdr(2, 2, True), hdr(3, 1, True), b"a\r\n.\r\n" + EVIL),
    ("smuggle_lf_dot_lf", hdr(0, 0), hdr(0, 0), b"a\n.\n" + EVIL),
    ("smuggle_lf_dot_crlf", hdr(3, 4), hdr(2, 3), b"a\n.\r\n" + EVIL),
    ("smuggle_crlf_dot_lf", hdr(4, 1, True), hdr(4, 2, True), b"a\r\n.\n" + EVIL),
    ("smuggle_cr_dot_cr", hdr(0, 1), hdr(1, 0), b"a\r.\r" + EVIL),
    ("nul", hdr(5, 3), hdr(5, 3), b"a\x00b\r\n.\x00\r\n\x00"),
    ("no_final_line_end", hdr(6, 5), hdr(6, 5), b"line\r\nlast line without end"),
    ("cr_lf_across_chunks", hdr(0, 0), hdr(0, 0), b"one\r\ntwo\r\n\r\n.three\r\n"),
    ("bare_line_ends", hdr(1, 2, True), hdr(1, 2, True), b"a\rb\nc\r\r\n\n\r.\n.d\n"),
    ("long_line", hdr(5, 4, True), hdr(4, 5, True), b"z" * 1500 + b"\r\n.\r\n" + b"." * 1000),
]


def scan_buffers():
    out = [(name, body) for name, _, body in BODIES]
    # Line ends and dots right at the 16/32/64-byte kernel strides.
    for at in (15, 16, 31, 32, 63, 64):
        out.append((f"crlf_dot_at_{at}", b"a" * at + b"\r\n." + b"b" * 70 + b"\r"))
    out.append(("lf_dot_run", b"\n." * 80))
    out.append(("cr_run", b"\r" * 70 + b"\n"))
    out.append(("nul_run", b"\x00" * 70))
    # A deterministic mix of the interesting bytes.
    x, mix = 12345, bytearray()
    for _ in range(300):
        x = (x * 1103515245 + 12345) % 2**31
        mix.append(b"\r\n.\x00a"[(x >> 16) % 5])
    out.append(("lcg_mix", bytes(mix)))
    return out


def write(target, files):
    d = ROOT / "corpus" / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for name, content in files:
        (d / name).write_bytes(content)
    print(f"{d.relative_to(ROOT.parent)}: {len(files)} files")


def main():
    write("dot_decode", [(name, o + body) for name, o, body in BODIES])
    write("dot_split", [(name, o[:1] + bytes([SPLITS[i % len(SPLITS)] & 0xFF]) + body)
                        for i, (name, o, body) in enumerate(BODIES)])
    write("dot_roundtrip", [(name, bytes([c, g, i]) + m)
                            for i, (name, c, g, m) in enumerate(MESSAGES)])
    write("scan_diff", scan_buffers())


if __name__ == "__main__":
    main()

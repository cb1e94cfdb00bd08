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
  line_reader    [options, split] + stream
  base64         [options, capacity] + payload (decoded as text, encoded as bytes)
"""

import base64
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


# line_reader options byte: bits 0-5 max_length (0..62 as is, 63 = 1000, i.e.
# the capacity of 64), bit 6 allow_bare_lf, bit 7 allow_nul. Its split byte is
# dot_split's (bits 0-1 kind, 2-4 random piece size, bit 7 empty feeds), plus
# bit 6: feed_eof() right after the last feed.
def lr_opts(max_length=63, bare_lf=False, nul=False):
    return bytes([max_length | bare_lf << 6 | nul << 7])


LR_EOF_WITH_LAST = 0x40
PIPELINE = (b"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n"
            b"RCPT TO:<c@d.example>\r\nRCPT TO:<e@f.example>\r\nDATA\r\n")

# (name, options byte, split byte, stream)
LINES = [
    ("pipelined_smtp", lr_opts(), 0x01 | 2 << 2, PIPELINE),
    ("pipelined_pop3", lr_opts(), 0x02, b"USER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nQUIT\r\n"),
    ("empty_lines", lr_opts(), 0x00, b"\r\n\r\nX\r\n\r\n"),
    ("bare_cr", lr_opts(), 0x02, b"NOOP\rX\r\nA\r\r\nMAIL FROM:<a>\rRCPT TO:<b>\r\nQUIT\r\n"),
    ("bare_lf", lr_opts(), 0x02, b"MAIL FROM:<a>\nRCPT TO:<b>\r\nA\n\rB\r\n\n\r\nDATA\r\n"),
    ("bare_lf_allowed", lr_opts(bare_lf=True), 0x80 | 0x02,
     b"MAIL FROM:<a>\nRCPT TO:<b>\r\n\n\r\nA\rB\nC\n"),
    ("nul", lr_opts(), 0x02, b"A\x00B\r\n\x00\r\nC\r\n"),
    ("nul_allowed", lr_opts(nul=True), 0x03, b"A\x00B\r\n\x00\x00\r\nA\x00\nB\r\n"),
    ("overlong_then_good", lr_opts(), 0x01 | 4 << 2,
     b"A" * 100 + b"RCPT TO:<evil@x>\r\nQUIT\r\n" + b"B" * 70 + b"\nC\r\nNOOP\r\n"),
    ("exact_limit", lr_opts(16), 0x01 | 3 << 2,
     b"a" * 14 + b"\r\n" + b"a" * 15 + b"\r\n" + b"b" * 16 + b"\r\nOK\r\n"),
    ("exact_limit_bare_lf", lr_opts(16, bare_lf=True), 0x00,
     b"a" * 15 + b"\n" + b"a" * 15 + b"\r\n" + b"a" * 14 + b"\r\n"),
    ("fault_at_limit", lr_opts(8), 0x02, b"aaaaaa\rb\r\naaaaaa\x00b\r\naaaaaaa\x00\r\nok\r\n"),
    ("tiny_limits", lr_opts(2), 0x00, b"\r\nx\r\n\r\n"),
    ("zero_limit", lr_opts(0, bare_lf=True), 0x00, b"\r\n\n"),
    ("cr_at_end", lr_opts(), 0x03, b"NOOP\r\nQUIT\r"),
    ("cr_across_feeds", lr_opts(16), 0x02, b"AB\r\n\r\r\n\r\nAB\rX\r\nD\r\n"),
    ("partial_at_eof", lr_opts(), LR_EOF_WITH_LAST | 0x03, b"NOOP\r\nMAIL FROM:<a@b.exa"),
]

# base64 options byte: bit 0 allow_nonzero_pad_bits, bits 1-3 sink prefix
# length, bit 4 sink failed before the call. Capacity byte: bit 7 absolute
# (low 7 bits), else need +/- bits 0-5 (bit 6: minus).
def b64_opts(allow=False, prefix=0, prefailed=False):
    return bytes([allow | prefix << 1 | prefailed << 4])


def cap_plus(d=0):
    return bytes([d])


def cap_minus(d):
    return bytes([0x40 | d])


def cap_abs(n):
    return bytes([0x80 | n])


# (name, options byte, capacity byte, payload)
BASE64 = [
    # RFC 4648 §10 test vectors.
    ("rfc4648_empty", b64_opts(), cap_plus(), b""),
    ("rfc4648_f", b64_opts(prefix=3), cap_plus(), b"Zg=="),
    ("rfc4648_fo", b64_opts(), cap_minus(1), b"Zm8="),
    ("rfc4648_foo", b64_opts(prefix=7), cap_plus(1), b"Zm9v"),
    ("rfc4648_foob", b64_opts(), cap_plus(), b"Zm9vYg=="),
    ("rfc4648_fooba", b64_opts(prefix=2), cap_minus(1), b"Zm9vYmE="),
    ("rfc4648_foobar", b64_opts(), cap_abs(5), b"Zm9vYmFy"),
    # Padding edge cases.
    ("nonzero_pad_bits", b64_opts(), cap_plus(), b"QR=="),
    ("nonzero_pad_bits_allowed", b64_opts(allow=True), cap_plus(), b"QR=="),
    ("nonzero_pad_bits_2", b64_opts(allow=True, prefix=1), cap_plus(), b"QUJ="),
    ("pad_only", b64_opts(), cap_plus(), b"===="),
    ("three_pads", b64_opts(), cap_plus(), b"Z==="),
    ("pad_in_middle", b64_opts(), cap_plus(), b"Zg==Zg=="),
    ("pad_then_symbol", b64_opts(), cap_plus(), b"Zg=a"),
    ("missing_padding", b64_opts(), cap_plus(), b"Zm9vYg"),
    # Invalid forms.
    ("sasl_empty_response", b64_opts(), cap_plus(), b"="),
    ("sasl_cancel", b64_opts(), cap_plus(), b"*"),
    ("crlf_inside", b64_opts(), cap_plus(), b"Zm9v\r\nYmFy"),
    ("space_inside", b64_opts(), cap_plus(), b"Zm9v YmF="),
    ("url_safe_alphabet", b64_opts(), cap_plus(), b"-_-_"),
    ("nul_inside", b64_opts(), cap_plus(), b"Zm\x009v"),
    # Long inputs: several sink chunks (64 groups), a small or failed sink.
    ("long_valid", b64_opts(prefix=4), cap_minus(3),
     base64.b64encode(bytes(range(256)) * 3)),
    ("long_bad_tail", b64_opts(), cap_plus(),
     base64.b64encode(bytes(range(256)) * 2)[:-4] + b"Zm9*"),
    ("long_prefailed", b64_opts(prefailed=True), cap_plus(8), base64.b64encode(b"\xff" * 600)),
    ("binary_payload", b64_opts(prefix=5), cap_plus(), bytes(range(256))),
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
    write("line_reader", [(name, o + bytes([split]) + stream) for name, o, split, stream in LINES])
    write("base64", [(name, o + c + payload) for name, o, c, payload in BASE64])


if __name__ == "__main__":
    main()

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
  smtp_server        [parser x3, session, split] + client stream
  smtp_server_split  [parser x3, split] + client stream
  smtp_trace_split   [parser x3, split] + client stream
  smtp_fast_path     [MAIL bit, parameter limit] + text after "FROM:" / "TO:"
  smtp_client        [options x2, starttls, split] + server stream
  smtp_client_split  (the same header)
  smtp_command_roundtrip  [writer, flags, small sink x2, cut] + the writer's fields
  smtp_reply_roundtrip    [writer, flags, small sink x2, cut] + the writer's fields
  smtp_capabilities       [separator, flags, cut] + (setter calls) + EHLO lines
  pop3_server        [parser, session, split] + client stream
  pop3_server_split  (the same header)
  pop3_client        [options x2, split, queue header] + queued commands + server stream
  pop3_client_split  (the same header)
  pop3_command_roundtrip   [writer, flags, small sink x2, split, queued] + the writer's fields
  pop3_response_roundtrip  [writer, flags, small sink x2, split, body options] + the writer's fields
  sasl_server  [mechanism and options, capacity] + response text or decoded message
  fmt_events   [parser] (+ POP3 client: [count] + queued verbs) + the peer's stream

The SMTP seeds also include the input of every tests/golden/smtp-server/*.trace
(its "> " lines, unescaped as tests/golden/test_golden.cpp does).
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


# ---------------------------------------------------------------------------
# SMTP server side (smtp_server, smtp_server_split, smtp_trace_split)

# The three parser option bytes (fuzz/smtp_support.hpp, fuzz::smtp_config_from).
# Every argument is the index into that header's table; all zero = defaults.
#   line: max_line_length {512, 8, 64, 4096}; addr: max_address_line_length
#   {2048, 8, 100, 600}; auth: max_auth_line_length {12288, 0, 3, 24}; chunk:
#   max_chunk_size {unlimited, 0, 10, 1000}; params: max_parameters {32, 0, 1, 3};
#   dot: the decoder byte, as opts() above.
def smtp_cfg(small=False, line=0, addr=0, auth=0, bare_lf=False, chunk=0, space=False,
             brackets=False, no_path_limits=False, no_hello_check=False, params=0, dot=None):
    b0 = small | line << 1 | addr << 3 | auth << 5 | bare_lf << 7
    b1 = chunk | space << 2 | brackets << 3 | no_path_limits << 4 | no_hello_check << 5 | params << 6
    b2 = (dot or opts())[0] & 0x3F
    return bytes([b0, b1, b2])


# smtp_server's session byte (see fuzz/smtp_server.cpp).
def smtp_session(refuse_data=False, no_sasl=False, keep_barrier=False, utf8=0, probe=False,
                 sasl_forever=False, eof_early=False):
    return bytes([refuse_data | no_sasl << 1 | keep_barrier << 2 | utf8 << 3 | probe << 5 |
                  sasl_forever << 6 | eof_early << 7])


SMTP_VERBS = [b"HELO a.example", b"EHLO a.example", b"LHLO a.example", b"MAIL FROM:<a@a.example>",
              b"RCPT TO:<b@b.example>", b"DATA", b"BDAT 0 LAST", b"RSET", b"VRFY postmaster",
              b"EXPN list", b"HELP", b"HELP DATA", b"NOOP", b"NOOP ignored text", b"QUIT",
              b"STARTTLS", b"AUTH PLAIN", b"ETRN @example.org"]


def smtp_cases(line):
    verb, _, rest = line.partition(b" ")
    sep = b" " if rest else b""
    return [verb.upper() + sep + rest, verb.lower() + sep + rest,
            bytes(c ^ 0x20 if i % 2 and chr(c).isalpha() else c for i, c in enumerate(verb)) + sep + rest]


def crlf(*lines):
    return b"".join(l + b"\r\n" for l in lines)


ENVELOPE = crlf(b"EHLO client.example", b"MAIL FROM:<a@a.example>", b"RCPT TO:<b@b.example>")

MAIL_PARAMS = [  # (name, parameters) after MAIL FROM:<a@a.example>
    ("size", b"SIZE=12345"), ("size_zero", b"SIZE=0"), ("size_max", b"SIZE=18446744073709551615"),
    ("size_overflow", b"SIZE=18446744073709551616"), ("size_21_digits", b"SIZE=000000000000000000001"),
    ("size_empty", b"SIZE="), ("size_letters", b"SIZE=12a"),
    ("body_7bit", b"BODY=7BIT"), ("body_8bitmime", b"BODY=8bitmime"), ("body_binary", b"BODY=BINARYMIME"),
    ("body_bad", b"BODY=9BIT"),
    ("smtputf8", b"SMTPUTF8"), ("smtputf8_value", b"SMTPUTF8=yes"),
    ("requiretls", b"REQUIRETLS"), ("requiretls_value", b"REQUIRETLS=1"),
    ("auth_mailbox", b"AUTH=<a@a.example>"), ("auth_null", b"AUTH=<>"),
    ("auth_xtext", b"AUTH=a+2Bb@a.example"), ("auth_bad_xtext", b"AUTH=a+2"),
    ("auth_ctl", b"AUTH=a+0Ab@x"), ("auth_nul", b"AUTH=+00"),
    ("ret_full", b"RET=FULL"), ("ret_hdrs", b"RET=hdrs"), ("ret_bad", b"RET=BODY"),
    ("envid", b"ENVID=QQQ+2B1"), ("envid_long", b"ENVID=" + b"x" * 101),
    ("envid_bad", b"ENVID=+zz"), ("envid_8bit", b"ENVID=+C3+A9"),
    ("mt_priority", b"MT-PRIORITY=-9"), ("mt_priority_bad", b"MT-PRIORITY=+1"),
    ("mt_priority_10", b"MT-PRIORITY=10"),
    ("by_notify", b"BY=-120;N"), ("by_return", b"BY=3600;RT"), ("by_return_neg", b"BY=-1;R"),
    ("by_bad", b"BY=1234567890;N"),
    ("holdfor", b"HOLDFOR=600"), ("holdfor_overflow", b"HOLDFOR=4294967296"),
    ("holduntil", b"HOLDUNTIL=2030-02-28T23:59:60.5+01:00"),
    ("holduntil_bad", b"HOLDUNTIL=2030-02-30T00:00:00Z"),
    ("hold_conflict", b"HOLDFOR=1 HOLDUNTIL=2030-01-01T00:00:00Z"),
    ("all_mail", b"SIZE=1 BODY=8BITMIME SMTPUTF8 REQUIRETLS AUTH=<> RET=HDRS ENVID=x MT-PRIORITY=3 BY=10;R"),
    ("duplicate", b"SIZE=1 size=2"), ("duplicate_unknown", b"X-A=1 x-a=2"),
    ("unknown", b"X-FOO=bar XYZ"), ("double_space", b"SIZE=1  BODY=7BIT"),
    ("equals_in_value", b"X=a=b"), ("empty_keyword", b"=1"), ("keyword_dash", b"-X=1"),
    ("rcpt_param_on_mail", b"NOTIFY=NEVER"), ("too_many", b" ".join(b"X%d" % i for i in range(40))),
    ("utf8_value_no_smtputf8", b"X=\xc3\xa9"), ("utf8_value", b"SMTPUTF8 X=\xc3\xa9"),
    ("bad_utf8_value", b"SMTPUTF8 X=\xc3\x28"),
]

RCPT_PARAMS = [  # after RCPT TO:<b@b.example>
    ("notify_never", b"NOTIFY=NEVER"), ("notify_all", b"NOTIFY=SUCCESS,FAILURE,DELAY"),
    ("notify_mixed", b"NOTIFY=NEVER,SUCCESS"), ("notify_empty_item", b"NOTIFY=SUCCESS,,DELAY"),
    ("notify_twice", b"NOTIFY=DELAY,delay"),
    ("orcpt", b"ORCPT=rfc822;b+40b.example"), ("orcpt_utf8", b"ORCPT=utf-8;b\\x{E9}@b.example"),
    ("orcpt_bad_xtext", b"ORCPT=rfc822;b+4"), ("orcpt_no_type", b"ORCPT=;b@b.example"),
    ("orcpt_long", b"ORCPT=rfc822;" + b"a" * 500),
    ("rrvs", b"RRVS=2014-04-03T23:01:00Z"), ("rrvs_continue", b"RRVS=2014-04-03T23:01:00+02:00;C"),
    ("rrvs_bad", b"RRVS=2014-13-03T23:01:00Z;R"),
    ("all_rcpt", b"NOTIFY=FAILURE ORCPT=rfc822;b@b.example RRVS=2020-01-01T00:00:00Z;R"),
    ("mail_param_on_rcpt", b"SIZE=1 BODY=7BIT"),
]

PATHS = [  # (name, MAIL argument, RCPT argument)
    ("plain", b"<a@a.example>", b"<b@b.example>"),
    ("null", b"<>", b"<>"),
    ("postmaster", b"<Postmaster>", b"<pOsTmAsTeR>"),
    ("postmaster_domain", b"<postmaster@a.example>", b"<Postmaster@b.example>"),
    ("quoted", b'<"a b"@a.example>', b'<"b\\"c\\\\d"@b.example>'),
    ("quoted_needless", b'<"ab"@a.example>', b'<"a\\b"@b.example>'),
    ("quoted_empty", b'<""@a.example>', b'<"."@b.example>'),
    ("quoted_unterminated", b'<"ab@a.example>', b'<"a\\'),
    ("route", b"<@r1.example,@r2.example:a@a.example>", b"<@r1.example:b@b.example>"),
    ("route_bad", b"<@r1.example,r2:a@a.example>", b"<@:b@b.example>"),
    ("ipv4", b"<a@[192.0.2.1]>", b"<b@[010.0.0.255]>"),
    ("ipv4_bad", b"<a@[192.0.2.256]>", b"<b@[1.2.3]>"),
    ("ipv6", b"<a@[IPv6:2001:db8::1]>", b"<b@[ipv6:::ffff:192.0.2.1]>"),
    ("ipv6_full", b"<a@[IPv6:1:2:3:4:5:6:7:8]>", b"<b@[IPv6:1:2:3:4:5:6:192.0.2.1]>"),
    ("ipv6_bad", b"<a@[IPv6:1:2:3:4:5:6:7::]>", b"<b@[IPv6:1::2::3]>"),
    ("general", b"<a@[x-tag:some.thing]>", b"<b@[tag-:x]>"),
    ("utf8", b"<\xc3\xa9@\xc3\xa9.example> SMTPUTF8", b"<\xe2\x82\xac@b.example>"),
    ("utf8_without", b"<\xc3\xa9@a.example>", b"<b@\xc3\xa9.example>"),
    ("utf8_bad", b"<\xc3\x28@a.example> SMTPUTF8", b"<\xed\xa0\x80@b.example>"),
    ("dots", b"<a..b@a.example>", b"<.b@b.example>"),
    ("domain_bad", b"<a@-a.example>", b"<b@b.example.>"),
    ("label_64", b"<a@" + b"l" * 64 + b".example>", b"<b@" + b"l" * 63 + b".example>"),
    ("local_65", b"<" + b"a" * 65 + b"@a.example>", b"<" + b"b" * 64 + b"@b.example>"),
    ("path_257", b"<" + b"a" * 64 + b"@" + b"d" * 60 + b"." + b"e" * 60 + b"." + b"f" * 60 + b".ex>",
     b"<b@" + b".".join([b"d" * 63] * 4) + b">"),
    ("no_brackets", b"a@a.example SIZE=1", b"b@b.example"),
    ("space_after_colon", b" <a@a.example>", b"  <b@b.example>"),
    ("nested", b"<<a@a.example>>", b"<b@b.example>>"),
    ("missing", b"", b""),
]

DATA_BODIES = [  # (name, decoder option byte, body after DATA)
    ("plain", opts(), b"Subject: hi\r\n\r\nHello.\r\n.\r\nQUIT\r\n"),
    ("empty", opts(), b".\r\nQUIT\r\n"),
    ("stuffed", opts(), b"..dot\r\n...\r\n.x\r\n.\r\nNOOP\r\n"),
    ("smuggle_lf_dot_lf", opts(), b"Hi\r\n\n.\n" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_lf_dot_crlf", opts(policy=NORMALIZE), b"Hi\n.\r\n" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_crlf_dot_lf", opts(policy=ALLOW), b"Hi\r\n.\n" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_cr_dot_cr", opts(), b"Hi\r.\r" + EVIL + b"evil\r\n.\r\n"),
    ("smuggle_nul", opts(), b"Hi\r\n.\x00\r\n" + EVIL + b"\r\n.\r\n"),
    ("limits", opts(size=2, line=2), b"123456789\r\n" + b"y" * 20 + b"\r\n.\r\n"),
    ("unterminated", opts(), b"no end\r\n."),
]

BDAT_SESSIONS = [
    ("valid", b"BDAT 5\r\nhello" + b"BDAT 7 LAST\r\n world\n" + b"QUIT\r\n"),
    ("zero_last", b"BDAT 0 LAST\r\nQUIT\r\n"),
    ("lower_last", b"bdat 3 last\r\nabcNOOP\r\n"),
    ("rejected_chunk", b"BDAT 4 LASTX\r\nQUIT" + b"BDAT 2 MORE\r\n\r\n" + b"NOOP\r\n"),
    ("chunk_holds_commands", b"BDAT 24\r\nRCPT TO:<evil@x.example>\r\n" + b"QUIT\r\n"),
    ("fatal_overflow", b"BDAT 18446744073709551616\r\nQUIT\r\n"),
    ("fatal_max", b"BDAT 18446744073709551615\r\nabc"),
    ("fatal_not_number", b"BDAT x LAST\r\nQUIT\r\n"),
    ("fatal_empty", b"BDAT\r\nQUIT\r\n"),
    ("fatal_sign", b"BDAT +5\r\nhello"),
    ("eof_in_chunk", b"BDAT 100\r\nshort"),
    ("eof_in_skipped", b"BDAT 100 X\r\nshort"),
    ("skip_near_2_64", b"BDAT 18446744073709551615 X\r\nQUIT\r\n"),
    ("over_max_chunk", b"BDAT 11\r\nhello world" + b"QUIT\r\n"),
    ("data_and_bdat", b"DATA\r\nx\r\n.\r\nBDAT 1 LAST\r\n.QUIT\r\n"),
]

AUTH_SESSIONS = [
    ("plain_ir", b"AUTH PLAIN AHRlc3QAdGVzdA==\r\nNOOP\r\n"),
    ("plain_empty_ir", b"AUTH PLAIN =\r\nNOOP\r\n"),
    ("plain_then_response", b"AUTH PLAIN\r\nAHRlc3QAdGVzdA==\r\nNOOP\r\n"),
    ("login", b"AUTH LOGIN\r\ndGVzdA==\r\ndGVzdA==\r\nQUIT\r\n"),
    ("login_ir", b"AUTH LOGIN dGVzdA==\r\ndGVzdA==\r\nQUIT\r\n"),
    ("cancel", b"AUTH LOGIN\r\n*\r\nNOOP\r\n"),
    ("cancel_later", b"AUTH LOGIN\r\ndGVzdA==\r\n*\r\nNOOP\r\n"),
    ("empty_response", b"AUTH CRAM-MD5\r\n\r\nNOOP\r\n"),
    ("bad_base64", b"AUTH PLAIN\r\nAHRlc3Q=AdGVzdA\r\nAUTH PLAIN\r\nabc\r\nAUTH PLAIN\r\nQR==\r\nNOOP\r\n"),
    ("bad_ir", b"AUTH PLAIN QR==\r\nAUTH PLAIN a b\r\nAUTH PLAIN abc\r\nAUTH PL%N\r\n"
               b"AUTH " + b"M" * 21 + b"\r\nAUTH\r\nNOOP\r\n"),
    ("star_plus", b"AUTH PLAIN\r\n**\r\nAUTH PLAIN\r\n*=\r\nNOOP\r\n"),
    ("bare_in_response", b"AUTH PLAIN\r\nab\rcd\r\nAUTH PLAIN\r\nab\ncd\r\nAUTH PLAIN\r\nab\x00d\r\nNOOP\r\n"),
    ("long_line", b"AUTH PLAIN\r\n" + base64.b64encode(b"\x00" * 9300) + b"\r\nNOOP\r\n"),
    ("too_long_line", b"AUTH PLAIN\r\n" + b"QUFB" * 3100 + b"\r\nNOOP\r\n"),
    ("eof_in_response", b"AUTH PLAIN\r\nAHRlc3"),
]

MISC_SESSIONS = [
    ("starttls_trailing", b"EHLO a.example\r\nSTARTTLS\r\nMAIL FROM:<evil@x.example>\r\nQUIT\r\n"),
    ("starttls_clean", b"EHLO a.example\r\nSTARTTLS\r\n"),
    ("starttls_arg", b"STARTTLS now\r\nSTARTTLS\r\nEHLO a.example\r\n"),
    ("overlong_command", b"NOOP " + b"x" * 600 + b"\r\nRCPT TO:<evil@x.example>\r\nQUIT\r\n"),
    ("overlong_mail", b"MAIL FROM:<a@a.example> X-PAD=" + b"p" * 2100 + b"\r\nQUIT\r\n"),
    ("mail_between_limits", b"MAIL FROM:<a@a.example> X-PAD=" + b"p" * 700 + b"\r\nQUIT\r\n"),
    ("exact_512", b"NOOP " + b"x" * 505 + b"\r\nNOOP " + b"x" * 506 + b"\r\nQUIT\r\n"),
    ("bare_cr", b"NOOP\rRCPT TO:<evil@x.example>\r\nQUIT\r\n"),
    ("bare_lf", b"NOOP\nRCPT TO:<evil@x.example>\r\nQUIT\n"),
    ("nul", b"NO\x00OP\r\nHELO a\x00b\r\nQUIT\r\n"),
    ("empty_lines", b"\r\n\r\n \r\n\t\r\nQUIT\r\n"),
    ("trailing_space", b"QUIT \r\nDATA\t\r\nHELO a.example  \r\n"),
    ("unknown_verbs", b"FOO bar\r\nMAILX\r\nSTARTTLSX\r\nMAIL\r\nRCPT\r\nMAIL TO:<a@b>\r\n"),
    ("hello_args", b"HELO\r\nEHLO [192.0.2.1]\r\nEHLO [IPv6:::1]\r\nHELO -bad-\r\nLHLO a_b\r\n"
                   b"EHLO a.example extra\r\nHELO \xc3\xa9.example\r\n"),
    ("controls", b"VRFY a\x01b\r\nNOOP \x7f\r\nHELP \xc3\xa9\r\nETRN\r\nEXPN\r\nVRFY\r\n"),
    ("eof_partial", b"EHLO a.example\r\nMAIL FROM:<a@a.exa"),
    ("eof_after_cr", b"QUIT\r"),
    ("pipelined", ENVELOPE + b"RCPT TO:<c@c.example>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n"),
]


def golden_inputs():
    """(name, input, allow_bare_lf, keep_starttls_barrier) for every golden trace."""
    def unescape(s):
        out, i = bytearray(), 0
        while i < len(s):
            c = s[i]
            if c != "\\" or i + 1 == len(s):
                out += c.encode("latin-1")
                i += 1
                continue
            e, i = s[i + 1], i + 2
            if e == "x":
                out.append(int(s[i:i + 2], 16))
                i += 2
            else:
                out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(e, e.encode("latin-1"))
        return bytes(out)

    out = []
    for f in sorted((ROOT.parent / "tests" / "golden" / "smtp-server").glob("*.trace")):
        data, options = b"", {}
        for line in f.read_text("latin-1").split("\n"):
            if line.startswith("> "):
                data += unescape(line[2:])
            elif line.startswith("! "):
                options.update(w.split("=", 1) for w in line[2:].split())
        out.append((f"golden_{f.stem}", data, options.get("allow_bare_lf") == "1",
                    options.get("keep_starttls_barrier") == "1"))
    return out


def smtp_seeds():
    """(name, parser option bytes, smtp_server session byte, stream)."""
    d, seeds = smtp_cfg(), []
    for i, line in enumerate(SMTP_VERBS):
        for j, l in enumerate(smtp_cases(line)):
            seeds.append((f"verb_{i:02}_{j}", d, smtp_session(), crlf(l, b"QUIT")))
    seeds.append(("all_verbs", d, smtp_session(probe=True), crlf(*SMTP_VERBS)))
    for name, p in MAIL_PARAMS:
        seeds.append((f"mail_{name}", d, smtp_session(),
                      crlf(b"MAIL FROM:<a@a.example> " + p, b"RCPT TO:<b@b.example>")))
    seeds.append(("mail_params_few", smtp_cfg(params=3), smtp_session(),
                  crlf(b"MAIL FROM:<a@a.example> SIZE=1 BODY=7BIT RET=FULL ENVID=x")))
    for name, p in RCPT_PARAMS:
        seeds.append((f"rcpt_{name}", d, smtp_session(),
                      crlf(b"MAIL FROM:<a@a.example>", b"RCPT TO:<b@b.example> " + p)))
    for name, mail, rcpt in PATHS:
        seeds.append((f"path_{name}", d, smtp_session(), crlf(b"MAIL FROM:" + mail, b"RCPT TO:" + rcpt)))
    seeds.append(("path_space_lenient", smtp_cfg(space=True), smtp_session(),
                  crlf(b"MAIL FROM: <a@a.example>", b"RCPT TO:  <b@b.example>")))
    seeds.append(("path_brackets_lenient", smtp_cfg(brackets=True), smtp_session(),
                  crlf(b"MAIL FROM:a@a.example SIZE=1", b"RCPT TO:b@b.example", b"RCPT TO:<c@c>")))
    seeds.append(("path_no_limits", smtp_cfg(no_path_limits=True), smtp_session(),
                  crlf(b"MAIL FROM:<" + b"a" * 70 + b"@a.example>", b"RCPT TO:<b@" + b"d." * 140 + b"x>")))
    seeds.append(("path_utf8_rcpt_in_force", d, smtp_session(utf8=2),
                  crlf(b"MAIL FROM:<a@a.example>", b"RCPT TO:<\xc3\xa9@\xc3\xa9.example>")))
    seeds.append(("path_utf8_toggle", d, smtp_session(utf8=3),
                  crlf(b"MAIL FROM:<a@a.example>", b"RCPT TO:<\xc3\xa9@b.example>",
                       b"MAIL FROM:<a@a.example>", b"RCPT TO:<\xc3\xa9@b.example>")))
    for name, dot, body in DATA_BODIES:
        seeds.append((f"data_{name}", smtp_cfg(dot=dot), smtp_session(), ENVELOPE + b"DATA\r\n" + body))
    seeds.append(("data_refused", d, smtp_session(refuse_data=True),
                  ENVELOPE + b"DATA\r\nRCPT TO:<evil@x.example>\r\n.\r\nQUIT\r\n"))
    seeds.append(("data_bare_lf_commands", smtp_cfg(bare_lf=True), smtp_session(),
                  b"EHLO a\nMAIL FROM:<a@a>\nRCPT TO:<b@b>\nDATA\nx\n.\n.\r\n.\r\nQUIT\n"))
    for name, body in BDAT_SESSIONS:
        cfg = smtp_cfg(chunk=2) if name == "over_max_chunk" else d
        seeds.append((f"bdat_{name}", cfg, smtp_session(), ENVELOPE + body))
    for name, body in AUTH_SESSIONS:
        seeds.append((f"auth_{name}", d, smtp_session(), b"EHLO a.example\r\n" + body))
    seeds.append(("auth_forever", d, smtp_session(sasl_forever=True),
                  b"AUTH X\r\nAAAA\r\nBBBB\r\n\r\n*\r\nNOOP\r\n"))
    seeds.append(("auth_no_sasl", d, smtp_session(no_sasl=True), b"AUTH LOGIN\r\ndGVzdA==\r\nNOOP\r\n"))
    seeds.append(("auth_short_lines", smtp_cfg(auth=3), smtp_session(),
                  b"AUTH LOGIN\r\n" + b"A" * 22 + b"\r\n" + b"A" * 24 + b"\r\n*\r\n"))
    seeds.append(("auth_zero_limit", smtp_cfg(auth=1), smtp_session(), b"AUTH LOGIN\r\nAAAA\r\n\r\n*\r\n"))
    for name, body in MISC_SESSIONS:
        seeds.append((f"misc_{name}", d, smtp_session(), body))
    seeds.append(("misc_starttls_barrier", d, smtp_session(keep_barrier=True),
                  MISC_SESSIONS[0][1]))
    seeds.append(("misc_small_limits", smtp_cfg(small=True, line=1, addr=2), smtp_session(),
                  crlf(b"NOOP", b"QUIT", b"MAIL FROM:<a@a.example>", b"RCPT TO:<" + b"b" * 90 + b"@b>")))
    seeds.append(("misc_line_over_address", smtp_cfg(line=3, addr=1), smtp_session(),
                  crlf(b"MAIL FROM:<" + b"a" * 2, b"NOOP " + b"n" * 1000)))
    seeds.append(("misc_capacity_512", smtp_cfg(small=True), smtp_session(),
                  crlf(b"MAIL FROM:<a@a.example> X=" + b"v" * 600, b"QUIT")))
    seeds.append(("misc_no_hello_check", smtp_cfg(no_hello_check=True), smtp_session(),
                  crlf(b"EHLO anything goes here", b"HELO a\x01b")))
    seeds.append(("misc_eof_early", d, smtp_session(eof_early=True), b"NOOP\r\nQUIT"))
    for name, data, bare_lf, barrier in golden_inputs():
        seeds.append((name, smtp_cfg(bare_lf=bare_lf), smtp_session(keep_barrier=barrier), data))
    return seeds


# The MAIL/RCPT fast path: byte 0 bit 0 MAIL, bits 1-5 the parameter limit.
FAST_LINES = [  # lines as busy servers see them, plus the fast path's edges
    (True, b"<victor.scott@eu-west-1.relay.example.co.jp> SIZE=21362439 BODY=8BITMIME RET=FULL "
           b"ENVID=<aa4953d547b5de88+2B5@example.co.jp>"),
    (True, b"<j.jones+shop@example.com> SIZE=36104223 BODY=8BITMIME"),
    (True, b"<bounce-1234=user=example.org@lists.example.net> BODY=7BIT AUTH=<>"),
    (False, b"<chen_green@newsletter.example.net> NOTIFY=FAILURE ORCPT=rfc822;chen_green@newsletter.example.net"),
    (False, b"<peggy.green@support.example.co.uk> NOTIFY=SUCCESS,FAILURE,DELAY"),
    (False, b"<e.oconnor+shop@example.com> NOTIFY=FAILURE ORCPT=rfc822;e.oconnor+2Bshop@example.com"),
    (False, b"<a-b.c_d@x-1.y2.example> ORCPT=RFC822;a@b NOTIFY=NEVER"),
    (False, b"<abcdefghijklmnop@q>"),
    (False, b"<" + b"l" * 50 + b"@" + b"d" * 11 + b">"),
    (False, b"<" + b"l" * 50 + b"@" + b"d" * 12 + b">"),
    (True, b"<a@example.com> " + b" ".join([b"SIZE=1"] + [b"BODY=7BIT"] * 2)),
    (True, b"<a@example.com> SIZE=1 " + b"ENVID=" + b"e" * 240),
    (False, b'<"mohammed walker"@newsletter.example-mail.de> NOTIFY=SUCCESS,FAILURE'),
    (False, b'<"a>b@c"@example.com> ORCPT=rfc822;"a>b@c"@example.com'),
    (True, b"<jos\xc3\xa9.garc\xc3\xada@example.com> SIZE=32561796 BODY=8BITMIME SMTPUTF8"),
    (False, b"<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe3\x81\x88.example.jp> NOTIFY=NEVER "
            b"ORCPT=utf-8;\\x{7528}\\x{6237}@\\x{4F8B}\\x{3048}.example.jp"),
]


def fast_path_seeds():
    out = [(f"line_{i:02}", bytes([0x3E | mail]) + text) for i, (mail, text) in enumerate(FAST_LINES)]
    for name, params in MAIL_PARAMS:
        out.append((f"mail_{name}", bytes([0x3F]) + b"<first.last@mail.example.com> " + params))
    for name, params in RCPT_PARAMS:
        out.append((f"rcpt_{name}", bytes([0x3E]) + b"<first.last@mail.example.com> " + params))
    for name, mail, rcpt in PATHS:
        out.append((f"path_mail_{name}", bytes([0x3F]) + mail + b" SIZE=100"))
        out.append((f"path_rcpt_{name}", bytes([0x3E]) + rcpt + b" NOTIFY=NEVER"))
    out.append(("limit_two", bytes([0x05]) + b"<a.b@mail.example.com> SIZE=1 BODY=7BIT RET=FULL"))
    return out


# Split bytes for the SMTP targets (fuzz::split_plan): cycled over the seeds.
SMTP_SPLITS = [0x01 | 4 << 2, 0x02, 0x03, 0x00, 0x80 | 0x02, 0x01 | 2 << 2]


def smtp_split(i, barrier=False):
    return SMTP_SPLITS[i % len(SMTP_SPLITS)] | barrier << 5


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


# ---------------------------------------------------------------------------
# SMTP client side (smtp_client, smtp_client_split)

# The two option bytes (fuzz/smtp_client.cpp, config_from); every argument is
# the index into that table, all zero = defaults:
#   line: max_line_length {512, 8, 64, 4096}; lines: max_reply_lines {128, 1,
#   3, 0}; length: max_reply_length {16384, 12, 100, 1000}.
def client_cfg(small=False, line=0, lines=0, length=0, bare_lf=False, control=False,
               no_enhanced=False):
    return bytes([small | line << 1 | lines << 3 | length << 5 | bare_lf << 7,
                  control | no_enhanced << 1])


# Session bits in option byte 1 (smtp_client; smtp_client_split uses the
# barrier and eof bits too) and the STARTTLS byte: call
# expect_starttls_reply() after `starttls` events (None: never).
def client_session(keep_barrier=False, eof_early=False, again=False, pieces=False,
                   starttls=None):
    return (keep_barrier << 2 | eof_early << 3 | again << 4 | pieces << 5,
            0x80 if starttls is None else starttls)


EHLO_POSTFIX = crlf(b"250-mail.example.org", b"250-PIPELINING", b"250-SIZE 10240000",
                    b"250-VRFY", b"250-ETRN", b"250-STARTTLS", b"250-AUTH PLAIN LOGIN",
                    b"250-AUTH=PLAIN LOGIN", b"250-ENHANCEDSTATUSCODES", b"250-8BITMIME",
                    b"250-DSN", b"250-SMTPUTF8", b"250 CHUNKING")
EHLO_EXCHANGE = crlf(b"250-EX01.contoso.example Hello [192.0.2.10]", b"250-SIZE 37748736",
                     b"250-PIPELINING", b"250-DSN", b"250-ENHANCEDSTATUSCODES", b"250-STARTTLS",
                     b"250-AUTH GSSAPI NTLM", b"250-8BITMIME", b"250-BINARYMIME",
                     b"250-CHUNKING", b"250 XSHADOWREQUEST")
GREETING = b"220 mx.example.org ESMTP ready\r\n"

# (name, option bytes, session, server stream)
D = client_cfg()
CLIENT_SEEDS = [
    ("single_line", D, client_session(), b"250 OK\r\n"),
    ("code_only", D, client_session(), b"250\r\n250 \r\n250-\r\n250 x\r\n"),
    ("greeting_multiline", D, client_session(),
     crlf(b"220-mx.example.org ESMTP", b"220-234 looks like a code", b"220 ready")),
    ("greeting_554", D, client_session(),
     crlf(b"554-mx.example.org no service", b"554 5.7.1 see policy", b"421 4.4.2 closing")),
    ("ehlo_postfix", D, client_session(), GREETING + EHLO_POSTFIX),
    ("ehlo_exchange", D, client_session(pieces=True), GREETING + EHLO_EXCHANGE),
    ("ehlo_40_lines", D, client_session(),
     b"".join(b"250-X-EXT-%d param\r\n" % i for i in range(39)) + b"250 SMTPUTF8\r\n"),
    ("pipelined", D, client_session(pieces=True),
     crlf(b"250 2.1.0 Sender OK", b"250 2.1.5 Recipient OK",
          b"550 5.1.1 <nobody@example.org>: Recipient address rejected",
          b"354 End data with <CR><LF>.<CR><LF>", b"250 2.0.0 Ok: queued as 1234", b"221 2.0.0 Bye")),
    ("enhanced_codes", D, client_session(),
     crlf(b"250 2.0.0   Ok", b"451 4.999.999", b"550-5.7.1 Message rejected",
          b"550 5.7.1 see https://example.org", b"553 5.1.3 x")),
    ("enhanced_lookalikes", D, client_session(),
     crlf(b"250 2.01.0 x", b"250 2.1.00 x", b"250 2.1000.0 x", b"250 2.1 x", b"250 2.1.5x",
          b"250 2.1.5\tx", b"250 2.1.5.7 x", b"250 8.1.2 x", b"250 3.0.0 x", b"220 1.2.3.4 ESMTP",
          b"250  2.1.0 x", b"354 2.0.0 go ahead", b"334 3.0.0 challenge")),
    ("enhanced_class_mismatch", D, client_session(),
     crlf(b"250 5.1.1 x", b"451 2.0.0 x", b"250-2.1.0 ok", b"250 5.1.1 no", b"250 ok")),
    ("enhanced_off", client_cfg(no_enhanced=True), client_session(),
     crlf(b"250 2.1.0 Ok", b"250 5.1.1 x")),
    ("code_mismatch", D, client_session(),
     crlf(b"250-first", b"251 second", b"250 next")),
    ("code_mismatch_back", D, client_session(pieces=True),
     crlf(b"250-a", b"251-b", b"250 c", b"250-a", b"250-b", b"550-c", b"550 d")),
    ("code_mismatch_enhanced", D, client_session(),
     crlf(b"250-2.1.0 ok", b"550 5.1.1 no such user", b"221 bye")),
    ("code_mismatch_then_bad", D, client_session(),
     crlf(b"250-a", b"251-b", b"25x c", b"250 d", b"250-a", b"251 b\x01", b"250 ok")),
    ("code_mismatch_eof", D, client_session(), crlf(b"250-a", b"251-b")),
    ("bad_codes", D, client_session(),
     crlf(b"100 x", b"199 x", b"000 x", b"600 x", b"260 x", b"2:0 x", b"25x x", b"25 x", b"25",
          b"2", b"", b" 250 x", b"+OK", b"559 ok", b"259 ok")),
    ("bad_separators", D, client_session(),
     crlf(b"250x", b"250\tOK", b"250_OK", b"2500 OK", b"250.OK", b"250 ok")),
    ("controls", D, client_session(),
     crlf(b"250 a\x01b", b"250 a\x7f", b"250-\x1b[31m", b"250 a\tb", b"250 gr\xc3\xbc\xc3\x9f",
          b"250 \xff")),
    ("controls_allowed", client_cfg(control=True), client_session(),
     crlf(b"250 a\x01\x7f\x1b z", b"250 ok")),
    ("bare_cr", D, client_session(), b"250 a\rb\r\n250 ok\r\n250 c\r\r\n"),
    ("bare_lf", D, client_session(), b"250-a\r\n250 b\n250 c\r\n250 ok\r\n"),
    ("bare_lf_allowed", client_cfg(bare_lf=True), client_session(pieces=True),
     b"250-a\n250 b\r\n250 a\rb\n250 ok\n"),
    ("nul", D, client_session(), b"250 a\x00b\r\n250 \x00\r\n250 ok\r\n"),
    ("line_512", D, client_session(),
     b"250 " + b"a" * 506 + b"\r\n" + b"250 " + b"a" * 507 + b"\r\n221 bye\r\n"),
    ("long_line_smuggle", D, client_session(pieces=True),
     b"250 " + b"a" * 600 + b"250 evil\r\n221 bye\r\n"),
    ("long_line_1024", client_cfg(line=3), client_session(),
     b"550 " + b"x" * 1018 + b"\r\n550 " + b"x" * 1019 + b"\r\n250 ok\r\n"),
    ("long_line_capacity_512", client_cfg(small=True, line=3), client_session(),
     b"550 " + b"x" * 506 + b"\r\n550 " + b"x" * 507 + b"\r\n250 ok\r\n"),
    ("short_lines", client_cfg(line=1), client_session(), crlf(b"250 ok", b"250 abc", b"25")),
    ("too_many_lines", D, client_session(),
     b"250-x\r\n" * 128 + b"250 x\r\n221 bye\r\n"),
    ("few_lines", client_cfg(lines=2), client_session(),
     crlf(b"250-a", b"250-b", b"250 c", b"250-a", b"250 b", b"221 x")),
    ("one_line", client_cfg(lines=1), client_session(), crlf(b"250 a", b"250-a", b"250 b")),
    ("zero_lines", client_cfg(lines=3), client_session(), crlf(b"250 a", b"221 b")),
    ("reply_length", client_cfg(length=1), client_session(),
     crlf(b"250-abc", b"250 de", b"250-abc", b"250 defghi", b"250 ok")),
    ("reply_length_default", D, client_session(),
     b"".join(b"250-" + b"a" * 506 + b"\r\n" for _ in range(31)) + b"250 a\r\n250 ok\r\n"),
    ("eof_partial", D, client_session(), b"250-a\r\n250 b"),
    ("eof_after_cr", D, client_session(), b"250 a\r"),
    ("eof_in_reply", D, client_session(eof_early=True), b"250-a\r\n"),
    ("starttls_injection", D, client_session(starttls=0),
     b"220 2.0.0 Ready to start TLS\r\n250-mx.example.org\r\n250 AUTH PLAIN\r\n"),
    ("starttls_after_ehlo", D, client_session(starttls=5, pieces=True),
     GREETING + b"250-mx.example.org\r\n250 STARTTLS\r\n220 go ahead\r\n250 injected\r\n"),
    ("starttls_kept", D, client_session(keep_barrier=True, starttls=0),
     b"220 Ready\r\n250 injected\r\n250 more\r\n"),
    ("starttls_clean", D, client_session(keep_barrier=True, starttls=0), b"220 go ahead\r\n"),
    ("starttls_refused", D, client_session(starttls=0),
     crlf(b"454 4.7.0 TLS not available due to temporary reason", b"250 2.0.0 Ok")),
    ("starttls_after_error", D, client_session(starttls=0),
     crlf(b"220 a\x01", b"220 go", b"250 x")),
    ("starttls_multiline", D, client_session(keep_barrier=True, starttls=0),
     b"220-a\r\n220 b\r\nX"),
    ("starttls_mismatch", D, client_session(starttls=0),
     crlf(b"250-a", b"220 go", b"250 injected")),
    ("starttls_mismatch_refused", D, client_session(starttls=0),
     crlf(b"220-a", b"454 no", b"220 later") + b"X"),
    ("starttls_mid_reply", D, client_session(starttls=1, pieces=True),
     crlf(b"220-a", b"220-b", b"220 c", b"250 behind")),
    ("reuse_after_reset", D, client_session(again=True, pieces=True),
     crlf(b"220 mx ESMTP", b"250-a", b"250 b") + b"250 partial"),
]

# Split bytes (fuzz::split_plan), cycled over the seeds.
CLIENT_SPLITS = [0x01 | 4 << 2, 0x02, 0x03, 0x00, 0x80 | 0x02, 0x01 | 2 << 2]


# ---------------------------------------------------------------------------
# Round trips (smtp_command_roundtrip, smtp_reply_roundtrip, smtp_capabilities)

# Fields as the round-trip targets read them (class `input` in each target): a
# slice is a length octet (< 0xE0) or 0xE0 | high bits and one more octet,
# then the raw octets; rt_repeat() makes a long field from a short unit.
def rt_slice(b):
    if len(b) < 0xE0:
        return bytes([len(b)]) + b
    assert len(b) < 4096
    return bytes([0xE0 | len(b) >> 8, len(b) & 0xFF]) + b


def rt_repeat(length, unit):
    return bytes([0xF0]) + length.to_bytes(2, "little") + bytes([len(unit)]) + unit


def rt_num(v, n):
    return (v % 2 ** (8 * n)).to_bytes(n, "little")


def rt_field(f):
    return f if isinstance(f, RtRaw) else rt_slice(f)


class RtRaw(bytes):
    """A field already encoded (rt_repeat)."""


# smtp_command_roundtrip: [writer, flags, small sink x2, cut] + fields.
#   flags: bit 0 prefix in the sinks, bit 2 two feeds.
CMD_WRITERS = ["helo", "ehlo", "lhlo", "mail", "mail_null", "mail_path", "rcpt",
               "rcpt_postmaster", "rcpt_path", "data", "bdat", "rset", "quit", "starttls",
               "vrfy", "expn", "help", "noop", "etrn", "auth", "auth_ir", "auth_base64",
               "sasl", "sasl_base64", "sasl_cancel"]


def cmd(writer, *fields, prefix=False, split=False, small=0, cut=0):
    flags = prefix | split << 2
    return (bytes([CMD_WRITERS.index(writer), flags]) + rt_num(small, 2) + bytes([cut]) +
            b"".join(fields))


def cmd_mail_params(size=None, body=None, smtputf8=False, requiretls=False, auth=None, ret=None,
                    envid=None, mt_priority=None, by=None, holdfor=None, holduntil=None, ext=()):
    mask, out = 0, b""
    if size is not None:
        mask, out = mask | 0x001, out + rt_num(size, 8)
    if body is not None:  # 0 7BIT, 1 8BITMIME, 2 BINARYMIME, 3 no enumerator
        mask, out = mask | 0x002, out + bytes([body])
    mask |= smtputf8 << 2 | requiretls << 3
    if auth is not None:
        mask, out = mask | 0x010, out + rt_field(auth)
    if ret is not None:  # 0 FULL, 1 HDRS, 2 no enumerator
        mask, out = mask | 0x020, out + bytes([ret])
    if envid is not None:
        mask, out = mask | 0x040, out + rt_field(envid)
    if mt_priority is not None:
        mask, out = mask | 0x080, out + rt_num(mt_priority, 1)
    if by is not None:  # (seconds, mode 0 N / 1 R / 2 no enumerator, trace)
        seconds, mode, trace = by
        mask, out = mask | 0x100, out + rt_num(seconds, 4) + bytes([mode | trace << 7])
    if holdfor is not None:
        mask, out = mask | 0x200, out + rt_num(holdfor, 4)
    if holduntil is not None:
        mask, out = mask | 0x400, out + rt_field(holduntil)
    return rt_num(mask, 2) + out + cmd_extensions(ext)


def cmd_rcpt_params(notify=None, orcpt=None, rrvs=None, utf8=False, ext=()):
    mask, out = utf8 << 3, b""
    if notify is not None:  # bits: 1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY
        mask, out = mask | 1, out + bytes([notify])
    if orcpt is not None:
        mask, out = mask | 2, out + rt_field(orcpt[0]) + rt_field(orcpt[1])
    if rrvs is not None:  # (date-time, mode 0 R / 1 C / 2 no enumerator)
        mask, out = mask | 4, out + rt_field(rrvs[0]) + bytes([rrvs[1]])
    return bytes([mask]) + out + cmd_extensions(ext)


def cmd_extensions(ext):
    return bytes([len(ext)]) + b"".join(rt_field(k) + rt_field(v) for k, v in ext)


def cmd_path(local=b"", domain=b"", kind=1, parse=None, null=False, postmaster=False, utf8=False,
             no_brackets=False, no_limits=False):
    """A hand-made path (kind 0 null, 1 mailbox, 2 postmaster), or one parsed
    from `parse` with the path_options the flags name."""
    if parse is None:
        return bytes([kind << 1]) + rt_field(local) + rt_field(domain)
    return bytes([1 | null << 1 | postmaster << 2 | utf8 << 3 | no_brackets << 4 |
                  no_limits << 5]) + rt_field(parse)


def command_roundtrip_seeds():
    M, R, P = cmd_mail_params, cmd_rcpt_params, cmd_path
    dt = b"2030-01-01T00:00:00Z"
    return [
        ("helo", cmd("helo", rt_slice(b"client.example.org"))),
        ("ehlo_literal", cmd("ehlo", rt_slice(b"[192.0.2.1]"), prefix=True, small=20)),
        ("ehlo_ipv6", cmd("ehlo", rt_slice(b"[IPv6:2001:db8::1:2]"), split=True, cut=7)),
        ("lhlo_injection", cmd("lhlo", rt_slice(b"a.example\r\nRSET"))),
        ("mail_plain", cmd("mail", rt_slice(b"jane"), rt_slice(b"example.org"), M(size=1200))),
        ("mail_quoted", cmd("mail", rt_slice(b'john "q" doe\\'), rt_slice(b"example.org"),
                            M(body=1, ret=1, envid=b"id=1+x", auth=b"<>"), split=True, cut=30)),
        ("mail_all_typed", cmd("mail", rt_slice(b"a.b"), rt_slice(b"[192.0.2.7]"),
                               M(size=2**64 - 1, body=2, requiretls=True, auth=b"e=mc2@example.com",
                                 ret=0, envid=b"QQ314159", mt_priority=-9, by=(3600, 1, True),
                                 holdfor=86400, ext=[(b"X-ONE", b""), (b"X-TWO", b"v")]))),
        ("mail_utf8", cmd("mail", rt_slice("josé".encode()), rt_slice("例え.jp".encode()),
                          M(smtputf8=True, ext=[(b"X-U", "ü".encode())]))),
        ("mail_utf8_by_extension", cmd("mail", rt_slice("ü".encode()), rt_slice(b"x.example"),
                                       M(ext=[(b"smtputf8", b"")]))),
        ("mail_utf8_missing", cmd("mail", rt_slice("ü".encode()), rt_slice(b"x.example"), M())),
        ("mail_known_as_extensions",
         cmd("mail", rt_slice(b"a"), rt_slice(b"b.example"),
             M(ext=[(b"size", b"10"), (b"Body", b"8bitmime"), (b"HOLDUNTIL", dt),
                    (b"auth", b"a+2Bb@c"), (b"MT-PRIORITY", b"0")]))),
        ("mail_conflicts", cmd("mail", rt_slice(b"a"), rt_slice(b"b.example"),
                               M(holdfor=1, holduntil=dt))),
        ("mail_nine_extensions", cmd("mail", rt_slice(b"a"), rt_slice(b"b.example"),
                                     M(ext=[(b"X-%d" % i, b"") for i in range(9)]))),
        ("mail_bad_enumerators", cmd("mail", rt_slice(b"a"), rt_slice(b"b.example"),
                                     M(body=3, ret=2, by=(5, 2, False)))),
        ("mail_long_local", cmd("mail", RtRaw(rt_repeat(64, b"l")), rt_slice(b"b.example"), M())),
        ("mail_long_line", cmd("mail", rt_slice(b"a"), rt_slice(b"b.example"),
                               M(ext=[(b"X-A", RtRaw(rt_repeat(1000, b"v"))),
                                      (b"X-B", RtRaw(rt_repeat(1000, b"w")))]))),
        ("mail_null", cmd("mail_null", M(size=0, ret=1, envid=b"+2B", by=(-5, 0, False)))),
        ("mail_relay_parsed",
         cmd("mail_path", P(parse=b'<@r1.example,@r2.example:"a\\"b"@x.example>', utf8=True),
             M(body=0))),
        ("mail_relay_quoted_dotstring", cmd("mail_path", P(b'"ab.c"', b"example.com"), M())),
        ("mail_relay_null", cmd("mail_path", P(kind=0), M(size=5))),
        ("mail_relay_postmaster", cmd("mail_path", P(b"Postmaster", kind=2), M())),
        ("rcpt_plain", cmd("rcpt", rt_slice(b"bob"), rt_slice(b"example.net"),
                           R(notify=2 | 4 | 8, orcpt=(b"rfc822", b"bob@example.net")))),
        ("rcpt_never_rrvs", cmd("rcpt", rt_slice(b"c"), rt_slice(b"d.example"),
                                R(notify=1, rrvs=(b"2030-01-01T00:00:00.5+01:00", 1)), split=True,
                                cut=3)),
        ("rcpt_utf8_transaction",
         cmd("rcpt", rt_slice("ö".encode()), rt_slice("ä.example".encode()),
             R(utf8=True, ext=[(b"X-K", "é".encode())]))),
        ("rcpt_notify_never_and", cmd("rcpt", rt_slice(b"c"), rt_slice(b"d.example"), R(notify=3))),
        ("rcpt_orcpt_escapes",
         cmd("rcpt", rt_slice(b"c"), rt_slice(b"d.example"),
             R(orcpt=(b"rfc822", b"a+b=c d@e"), ext=[(b"NOTIFY", b"NEVER")]))),
        ("rcpt_postmaster", cmd("rcpt_postmaster", R(notify=4))),
        ("rcpt_relay_postmaster", cmd("rcpt_path", P(parse=b"<postMASTER>", postmaster=True), R())),
        ("rcpt_relay_literal", cmd("rcpt_path", P(parse=b"<x@[IPv6:::1]>"), R())),
        ("data", cmd("data", prefix=True)),
        ("bdat_last", cmd("bdat", rt_num(1000, 8), b"\x01")),
        ("bdat_zero", cmd("bdat", rt_num(0, 8), b"\x01", split=True, cut=2)),
        ("bdat_max", cmd("bdat", rt_num(2**64 - 1, 8), b"\x00", small=3)),
        ("rset", cmd("rset")),
        ("quit", cmd("quit", small=5)),
        ("starttls", cmd("starttls")),
        ("vrfy", cmd("vrfy", rt_slice(b"John Smith"))),
        ("vrfy_utf8", cmd("vrfy", rt_slice("jösé@example.org".encode()))),
        ("expn_trailing_space", cmd("expn", rt_slice(b"list "))),
        ("help_empty", cmd("help", rt_slice(b""))),
        ("noop_long", cmd("noop", RtRaw(rt_repeat(505, b"n")))),
        ("noop_too_long", cmd("noop", RtRaw(rt_repeat(506, b"n")))),
        ("etrn_queue", cmd("etrn", rt_slice(b"#queue-1"))),
        ("etrn_domain", cmd("etrn", rt_slice(b"@example.org"))),
        ("auth", cmd("auth", rt_slice(b"scram-sha-256"))),
        ("auth_plain_ir", cmd("auth_ir", rt_slice(b"plain"), rt_slice(b"\x00user\x00pass"))),
        ("auth_empty_ir", cmd("auth_ir", rt_slice(b"EXTERNAL"), rt_slice(b""))),
        ("auth_ir_too_long", cmd("auth_ir", rt_slice(b"PLAIN"), RtRaw(rt_repeat(376, b"\xff")))),
        ("auth_base64", cmd("auth_base64", rt_slice(b"PLAIN"), rt_slice(b"AHVzZXIAcGFzcw=="))),
        ("auth_base64_bad", cmd("auth_base64", rt_slice(b"PLAIN"), rt_slice(b"AHVz\r\nZXI="))),
        ("sasl", cmd("sasl", rt_slice(b"\x00\xff binary \r\n"), split=True, cut=9)),
        ("sasl_empty", cmd("sasl", rt_slice(b""))),
        ("sasl_long", cmd("sasl", RtRaw(rt_repeat(9213, b"\x01\x02\x03")))),
        ("sasl_too_long", cmd("sasl", RtRaw(rt_repeat(9214, b"z")))),
        ("sasl_base64", cmd("sasl_base64", rt_slice(b"dXNlcg=="))),
        ("sasl_base64_star", cmd("sasl_base64", rt_slice(b"*"))),
        ("sasl_cancel", cmd("sasl_cancel", prefix=True)),
    ]


# smtp_reply_roundtrip: [writer, flags, small sink x2, cut] + fields (flags as
# for smtp_command_roundtrip). Codes are two octets (below 700 as they are).
REPLY_WRITERS = ["reply", "lines", "hint", "error", "greeting", "ehlo", "challenge", "challenge_raw"]


def reply(writer, *fields, prefix=False, split=False, small=0, cut=0):
    return (bytes([REPLY_WRITERS.index(writer), prefix | split << 2]) + rt_num(small, 2) +
            bytes([cut]) + b"".join(fields))


def reply_lines(code, enhanced, lines):
    return rt_num(code, 2) + rt_field(enhanced) + bytes([len(lines)]) + b"".join(
        rt_field(line) for line in lines)


# Setter calls on a capabilities value (smtp_reply_roundtrip apply_setter):
# the opcode and its arguments. Extensions and mechanisms by enumerator index.
EXT = ["SIZE", "8BITMIME", "PIPELINING", "CHUNKING", "BINARYMIME", "STARTTLS", "AUTH", "DSN",
       "ENHANCEDSTATUSCODES", "SMTPUTF8", "REQUIRETLS", "MT-PRIORITY", "DELIVERBY",
       "FUTURERELEASE", "RRVS", "ETRN", "VRFY", "EXPN", "HELP", "LIMITS"]


def caps_set(name):
    return bytes([0, EXT.index(name)])


def caps_ops(*ops):
    return bytes([len(ops)]) + b"".join(ops)


CAPS_FULL = caps_ops(
    bytes([2]) + rt_num(10240000, 8), caps_set("8BITMIME"), caps_set("PIPELINING"),
    caps_set("CHUNKING"), caps_set("BINARYMIME"), caps_set("STARTTLS"),
    bytes([3, 0]), bytes([3, 9]), bytes([4]) + rt_slice(b"x-custom_1"), caps_set("DSN"),
    caps_set("ENHANCEDSTATUSCODES"), caps_set("SMTPUTF8"), caps_set("REQUIRETLS"),
    bytes([5]) + rt_slice(b"STANAG4406"), bytes([6]) + rt_num(120, 4),
    bytes([7]) + rt_num(604800, 4) + rt_slice(b"2030-12-31T23:59:59Z"), caps_set("RRVS"),
    caps_set("ETRN"), caps_set("VRFY"), caps_set("EXPN"), caps_set("HELP"),
    bytes([8, 0]) + rt_num(100, 4), bytes([8, 2]) + rt_num(999999, 4),
    bytes([10]) + rt_slice(b"X-FOO a b"), bytes([10]) + rt_slice(b"XEXCH50"),
    bytes([11, 1]))


# Short distinct keywords that fill the 512-octet keyword arena: 183 lines in
# all, over client_parser's default of 128 per reply.
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
MANY_KEYWORDS = ([bytes([c]) for c in _ALNUM] +
                 [bytes([a, b]) for a in _ALNUM for b in _ALNUM][:146])


def reply_roundtrip_seeds():
    def one(code, enhanced, text):
        return rt_num(code, 2) + rt_field(enhanced) + rt_field(text)

    out = [
        ("ok", reply("reply", one(250, b"2.1.0", b"Sender OK"))),
        ("no_enhanced", reply("reply", one(250, b"", b"OK"), prefix=True)),
        ("code_only", reply("reply", one(250, b"", b""), small=3)),
        ("enhanced_no_text", reply("reply", one(250, b"2.0.0", b""))),
        ("enhanced_wrong_class", reply("reply", one(550, b"4.1.1", b"x"))),
        ("enhanced_leading_zero", reply("reply", one(550, b"5.01.1", b"x"))),
        ("enhanced_on_354", reply("reply", one(354, b"3.0.0", b"go"))),
        ("text_354_lookalike", reply("reply", one(354, b"", b"2.0.0 go"))),
        ("text_lookalike_same_class", reply("reply", one(250, b"", b"2.1.5 ok"))),
        ("text_lookalike_other_class", reply("reply", one(250, b"", b"5.1.1 x"))),
        ("text_leading_spaces",
         reply("reply", one(451, b"4.3.0", b"   padded"), split=True, cut=6)),
        ("text_tab_utf8", reply("reply", one(550, b"5.7.1", "a\tb gr\u00fc\u00df".encode()))),
        ("text_bad_utf8", reply("reply", one(550, b"", b"\xc3("))),
        ("text_injection", reply("reply", one(250, b"", b"ok\r\n250 evil"))),
        ("text_512", reply("reply", one(250, b"2.0.0", RtRaw(rt_repeat(500, b"t"))))),
        ("text_513", reply("reply", one(250, b"2.0.0", RtRaw(rt_repeat(501, b"t"))))),
        ("bad_code_600", reply("reply", one(600, b"", b"x"))),
        ("bad_code_260", reply("reply", one(260, b"", b"x"))),
        ("raw_code", reply("reply", one(0xF0FA, b"", b"x"))),
        ("lines", reply("lines", reply_lines(250, b"2.0.0", [b"first", b"second", b"third"]))),
        ("lines_empty_middle", reply("lines", reply_lines(220, b"", [b"a", b"", b"b"]),
                                     split=True, cut=5)),
        ("lines_last_empty", reply("lines", reply_lines(214, b"", [b"help", b""]))),
        ("lines_lookalike", reply("lines", reply_lines(550, b"", [b"5.1.1 a", b"2.0.0 b", b"c"]))),
        ("lines_none", reply("lines", reply_lines(250, b"", []))),
        ("lines_null", reply("lines", rt_num(250, 2), rt_slice(b""), b"\xff")),
        ("lines_130", reply("lines", reply_lines(250, b"", [b"x"] * 130))),
        ("lines_long_reply", reply("lines", reply_lines(250, b"2.0.0",
                                                         [RtRaw(rt_repeat(500, b"y"))] * 33))),
        ("hint", reply("hint", one(421, b"4.4.2", b"closing"))),
        ("error_none", reply("error", b"\x00")),
        ("error_bare_lf", reply("error", b"\x05", prefix=True)),
        ("error_unknown", reply("error", b"\xfe")),
        ("greeting", reply("greeting", rt_slice(b"mx.example.org"), rt_slice(b"ESMTP ready"))),
        ("greeting_bare", reply("greeting", rt_slice(b"[192.0.2.1]"), rt_slice(b""))),
        ("greeting_numeric_domain", reply("greeting", rt_slice(b"2.1.0"), rt_slice(b"ready"))),
        ("greeting_numeric_other", reply("greeting", rt_slice(b"5.5.5"), rt_slice(b"ready"))),
        ("greeting_utf8", reply("greeting", rt_slice(b"mx.example"), rt_slice("\u00e9".encode()))),
        ("greeting_bad_ipv6",
         reply("greeting", rt_slice(b"[IPv6:1:2:3:4:5:6:7::]"), rt_slice(b""))),
        ("ehlo_none", reply("ehlo", rt_slice(b"mx.example.org"), rt_slice(b""), caps_ops())),
        ("ehlo_full", reply("ehlo", rt_slice(b"mx.example.org"), rt_slice(b"Hello [192.0.2.1]"),
                            CAPS_FULL, split=True, cut=40)),
        ("ehlo_small_sink", reply("ehlo", rt_slice(b"a.example"), rt_slice(b"hi"),
                                  caps_ops(caps_set("PIPELINING"), caps_set("DSN")), small=30)),
        ("ehlo_invalid_auth", reply("ehlo", rt_slice(b"a.example"), rt_slice(b""),
                                    caps_ops(caps_set("AUTH")))),
        ("ehlo_binarymime_alone", reply("ehlo", rt_slice(b"a.example"), rt_slice(b""),
                                        caps_ops(caps_set("BINARYMIME")))),
        ("ehlo_setter_errors", reply("ehlo", rt_slice(b"a.example"), rt_slice(b""),
                                     caps_ops(bytes([4]) + rt_slice(b"BAD MECH"),
                                              bytes([5]) + rt_slice(b"a b"),
                                              bytes([6]) + rt_num(10**9, 4),
                                              bytes([7]) + rt_num(1, 4) +
                                              rt_slice(b"2030-02-30T00:00:00Z"),
                                              bytes([8, 1]) + rt_num(0, 4),
                                              bytes([10]) + rt_slice(b"SIZE 5"),
                                              bytes([10]) + rt_slice(b"X-A\r\n250 X"),
                                              caps_set("ETRN")))),
        ("ehlo_numeric_domain", reply("ehlo", rt_slice(b"4.2.1"), rt_slice(b"hi"),
                                      caps_ops(caps_set("VRFY")))),
        ("ehlo_many_keywords", reply("ehlo", rt_slice(b"a.example"), rt_slice(b""),
                                     caps_ops(*[bytes([10]) + rt_slice(k)
                                                for k in MANY_KEYWORDS]))),
        ("ehlo_long_keyword", reply("ehlo", rt_slice(b"a.example"), rt_slice(b""),
                                    caps_ops(bytes([10]) + rt_slice(b"X-L " + b"p" * 502)))),
        ("challenge", reply("challenge", rt_slice(
            b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"))),
        ("challenge_empty", reply("challenge", rt_slice(b""))),
        ("challenge_long",
         reply("challenge", RtRaw(rt_repeat(12280, b"QUJD")), split=True, cut=200)),
        ("challenge_too_long", reply("challenge", RtRaw(rt_repeat(12284, b"QUJD")))),
        ("challenge_bad", reply("challenge", rt_slice(b"abc"))),
        ("challenge_raw", reply("challenge_raw", rt_slice(
            b"<1896.697170952@postoffice.reston.mci.net>"))),
        ("challenge_raw_octets", reply("challenge_raw", rt_slice(b"\r\n\x00\xff."), split=True,
                                       cut=3)),
        ("challenge_raw_empty", reply("challenge_raw", rt_slice(b""))),
        ("challenge_raw_long", reply("challenge_raw", RtRaw(rt_repeat(9210, b"x")))),
        ("challenge_raw_too_long", reply("challenge_raw", RtRaw(rt_repeat(9211, b"x")))),
    ]
    return out


# smtp_capabilities: [separator, flags, cut] + (setter calls, flags bit 1) +
# lines. flags: bit 0 fold through ehlo_folder (first line: domain and
# greeting), bit 1 setter calls first (smtp_reply_roundtrip's encoding, but
# each slice one length octet), bit 2 two feeds.
def caps_input(lines, sep=b"\n", folder=True, split=False, cut=0, setters=None):
    flags = folder | (setters is not None) << 1 | split << 2
    head = bytes([sep[0], flags, cut])
    if setters is not None:
        head += bytes([len(setters)]) + b"".join(setters)
    return head + sep.join(lines)


def caps_lines(reply):
    """The texts of a reply's lines (after "250-" / "250 ")."""
    return [line[4:] for line in reply.split(b"\r\n") if line]


def capabilities_seeds():
    seeds = [
        ("postfix", caps_input(caps_lines(EHLO_POSTFIX))),
        ("exchange", caps_input(caps_lines(EHLO_EXCHANGE), split=True, cut=17)),
        ("gmail", caps_input([b"smtp.gmail.com at your service, [192.0.2.1]", b"SIZE 35882577",
                              b"8BITMIME", b"STARTTLS", b"ENHANCEDSTATUSCODES", b"PIPELINING",
                              b"CHUNKING", b"SMTPUTF8"])),
        ("exim", caps_input([b"mx.example Hello x [192.0.2.1]", b"SIZE 52428800", b"8BITMIME",
                             b"PIPELINING", b"PIPE_CONNECT", b"X_PIPE_CONNECT", b"AUTH PLAIN LOGIN",
                             b"CHUNKING", b"STARTTLS", b"PRDR", b"HELP"])),
        ("sendmail", caps_input([b"mx.example Hello", b"ENHANCEDSTATUSCODES", b"PIPELINING",
                                 b"EXPN", b"VERB", b"8BITMIME", b"SIZE", b"DSN", b"ETRN",
                                 b"AUTH DIGEST-MD5 CRAM-MD5", b"DELIVERBY", b"HELP"])),
        ("legacy_auth", caps_input([b"x", b"AUTH LOGIN PLAIN", b"AUTH=LOGIN PLAIN"])),
        ("legacy_auth_only", caps_input([b"x", b"AUTH=LOGIN", b"auth=xoauth2 other-mech"])),
        ("every_extension", caps_input([
            b"x", b"SIZE 1000", b"8BITMIME", b"PIPELINING", b"CHUNKING", b"BINARYMIME",
            b"STARTTLS", b"AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER SCRAM-SHA-1 "
            b"SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS GSSAPI EXTERNAL ANONYMOUS NTLM",
            b"DSN", b"ENHANCEDSTATUSCODES", b"SMTPUTF8", b"REQUIRETLS", b"MT-PRIORITY MIXER",
            b"DELIVERBY 240", b"FUTURERELEASE 604800 2030-12-31T23:59:59.5+01:00", b"RRVS",
            b"ETRN", b"VRFY", b"EXPN", b"HELP",
            b"LIMITS RCPTMAX=100 MAILMAX=1000 RCPTDOMAINMAX=10 OTHER=x"])),
        ("lower_case_padding", caps_input([b"x", b"  size\t 007  ", b"auth  plain\tlogin",
                                           b"x-foo   a\t\tb ", b"X-FOO a b"])),
        ("repeats", caps_input([b"x", b"SIZE 10", b"SIZE 20", b"SIZE", b"DELIVERBY 5,x",
                                b"DELIVERBY", b"MT-PRIORITY A", b"MT-PRIORITY",
                                b"LIMITS RCPTMAX=5", b"LIMITS MAILMAX=6", b"LIMITS RCPTMAX=7"])),
        ("bad_lines", caps_input([b"x", b"", b" ", b"-BAD", b"SIZE x", b"SIZE 1 2",
                                  b"SIZE 18446744073709551616", b"AUTH", b"AUTH bad!",
                                  b"LIMITS", b"LIMITS RCPTMAX=0", b"LIMITS RCPTMAX=1 rcptmax=2",
                                  b"FUTURERELEASE 1", b"FUTURERELEASE x 2030-01-01T00:00:00Z",
                                  b"FUTURERELEASE 1 2 3", b"DELIVERBY 1000000000",
                                  b"MT-PRIORITY a b", b"MT-PRIORITY " + b"p" * 21,
                                  b"X-A \xc3\xa9", b"X-B\x01", b"X-C a", b"X-C b"])),
        ("controls_in_lines", caps_input([b"x", b"PIPELINING\r", b"SIZE 5\r\n250 X",
                                          b"DSN\x00"], sep=b"|")),
        ("nul_separator", caps_input([b"x", b"PIPELINING", b"A\nB"], sep=b"\x00")),
        ("long_unknown", caps_input([b"x", b"X-LONG " + b"p " * 249 + b"q",
                                     b"X-LONGER " + b"p" * 499])),
        ("arena_full", caps_input([b"x"] + [b"K%d" % i for i in range(200)])),
        ("mechanism_arena_full", caps_input([b"x", b"AUTH " + b" ".join(
            b"MECH-%02d-%s" % (i, b"x" * 8) for i in range(14))])),
        ("validate_fails", caps_input([b"x", b"BINARYMIME", b"SMTPUTF8", b"LIMITS OTHER=1"])),
        ("direct_add_line", caps_input([b"SIZE 5", b"AUTH PLAIN", b"X-K v"], folder=False)),
        ("direct_with_setters", caps_input(
            [b"AUTH LOGIN", b"X-K v", b"LIMITS MAILMAX=2"], folder=False,
            setters=[bytes([2]) + rt_num(99, 8), bytes([3, 0]), bytes([4, 6]) + b"x-mech",
                     bytes([10, 3]) + b"X-K", bytes([8, 0]) + rt_num(5, 4),
                     bytes([7]) + rt_num(5, 4) + bytes([20]) + b"2030-01-01T00:00:00Z"])),
        ("setters_refused", caps_input(
            [b"PIPELINING"], folder=False,
            setters=[bytes([4, 3]) + b"a b", bytes([5, 3]) + b"a;b",
                     bytes([6]) + rt_num(2**32 - 1, 4),
                     bytes([8, 3]) + rt_num(1, 4), bytes([10, 4]) + b"SIZE", bytes([0, 20]),
                     bytes([11, 1])])),
        ("o365", caps_input([b"AM0PR01CA0001.outlook.office365.com Hello [192.0.2.1]",
                             b"SIZE 157286400", b"PIPELINING", b"DSN", b"ENHANCEDSTATUSCODES",
                             b"STARTTLS", b"8BITMIME", b"BINARYMIME", b"CHUNKING", b"SMTPUTF8"])),
        ("submission_after_tls", caps_input([b"smtp.example.com", b"SIZE 52428800", b"8BITMIME",
                                             b"AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER",
                                             b"ENHANCEDSTATUSCODES", b"PIPELINING",
                                             b"REQUIRETLS", b"MT-PRIORITY STANAG4406",
                                             b"FUTURERELEASE 86400 2031-01-01t00:00:00z"])),
        ("lmtp_lhlo", caps_input([b"lmtp.example", b"8BITMIME", b"ENHANCEDSTATUSCODES",
                                  b"PIPELINING", b"CHUNKING"], split=True, cut=3)),
        ("auth_lines_add_up", caps_input([b"x", b"AUTH PLAIN", b"AUTH login X-ONE",
                                          b"AUTH=CRAM-MD5 x-one", b"AUTH PLAIN"])),
        ("unknown_with_underscore", caps_input([b"x", b"X_PIPE_CONNECT", b"x_pipe_connect",
                                                b"XEXCH50", b"X-LINK2STATE", b"0DIGIT-FIRST"])),
        ("tab_only_and_blank", caps_input([b"x", b"\t", b"", b"PIPELINING", b" \t "])),
        ("greeting_only", caps_input([b"mail.example.org ESMTP"])),
        ("no_lines", caps_input([])),
        ("direct_bad_then_good", caps_input([b"SIZE -1", b"SIZE 1", b"AUTH=", b"AUTH= PLAIN"],
                                            folder=False, sep=b"\r")),
        ("direct_limits_merge", caps_input([b"LIMITS RCPTMAX=1", b"LIMITS MAILMAX=2 X=Y",
                                            b"LIMITS RCPTDOMAINMAX=999999 RCPTMAX=3",
                                            b"LIMITS RCPTMAX=1000000"], folder=False)),
    ]
    for i, (name, _, _, stream) in enumerate(CLIENT_SEEDS):
        if name.startswith("ehlo_"):
            seeds.append((f"client_{name}", caps_input(
                caps_lines(stream.split(b"\r\n", 1)[1]) if stream.startswith(b"220") else
                caps_lines(stream), split=i % 2 == 1, cut=i)))
    return seeds


# ---------------------------------------------------------------------------
# POP3 (pop3_server, pop3_server_split, pop3_client, pop3_client_split)

# pop3_server's parser byte (fuzz::pop3_server_config_from): line: max_line_length
# {255, 8, 64, 1024}; auth: max_auth_line_length {12288, 0, 3, 24}.
def pop3_cfg(line=0, auth=0, spaces=False, bare_lf=False, large=False):
    return line | auth << 2 | spaces << 4 | bare_lf << 5 | large << 6


# pop3_server's session byte (see fuzz/pop3_server.cpp; pop3_server_split reads
# bits 0-2 and 4 the same way).
def pop3_session(no_sasl=False, sasl_forever=False, keep_barrier=False, probe=False,
                 eof_early=False, again=False):
    return (no_sasl | sasl_forever << 1 | keep_barrier << 2 | probe << 3 | eof_early << 4 |
            again << 5)


POP3_SPLITS = [0x03, 0x01 | 3 << 2, 0x02, 0x00, 0x80 | 0x01 | 2 << 2, 0x01 | 6 << 2]

# Every command in a valid form (RFC 1939 §4-7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4,
# RFC 6856 §2-3).
POP3_COMMANDS = [b"USER mrose", b"PASS tanstaaf", b"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
                 b"AUTH", b"AUTH PLAIN", b"AUTH PLAIN AGFsaWNlAHNlY3JldA==", b"AUTH EXTERNAL =",
                 b"STLS", b"CAPA", b"UTF8", b"LANG", b"LANG *", b"LANG en-US", b"STAT", b"LIST",
                 b"LIST 1", b"RETR 1", b"DELE 1", b"NOOP", b"RSET", b"TOP 1 0", b"TOP 1 10",
                 b"UIDL", b"UIDL 2", b"QUIT"]

# Broken ones: each a different rule (server_parser.hpp, command.hpp).
POP3_BROKEN = [b"", b"US", b"USERS mrose", b"XTND XMIT", b"USER", b"USER a b", b"USER \x01x",
               b"USER \xc3\xa9l\xc3\xa8ve", b"USER \xc3", b"USER \xed\xa0\x80", b"PASS",
               b"PASS ", b"PASS  two  spaces ", b"APOP mrose", b"APOP mrose c4c9334b",
               b"APOP mrose C4C9334BAC560ECC979E58001B3E22FB", b"APOP mrose " + b"g" * 32,
               b"AUTH bad!", b"AUTH " + b"M" * 21, b"AUTH PLAIN ab=c", b"AUTH PLAIN QR==",
               b"AUTH PLAIN a b", b"STAT x", b"STAT ", b"CAPA now", b"STLS x", b"UTF8 x",
               b"LIST 0", b"LIST 01", b"LIST 4294967295", b"LIST 4294967296",
               b"LIST -1", b"LIST  1", b"LIST 1 ", b"LIST 1 2", b"RETR", b"RETR 1x",
               b"DELE 99999999999999999999", b"TOP 1", b"TOP 1 x", b"TOP 0 1", b"TOP 1 -1",
               b"TOP 1 4294967296", b"UIDL 0", b"LANG en_US", b"LANG 1en", b"LANG abcdefghi",
               b"LANG en--US", b"LANG en-", b"QUIT now", b"list 1", b"ReTr 2", b"top 1 0",
               b"PASS a\tb", b"PASS \x7f", b"PASS \xc3", b"PASS \xc3\xa9 \xe2\x82\xac"]

RFC1939_CLIENT = (b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\n"
                  b"DELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n")


def pop3_server_seeds():
    """(name, parser byte, session byte, stream)."""
    d, ses, seeds = pop3_cfg(), pop3_session(), []
    seeds.append(("rfc1939_session", d, pop3_session(probe=True), RFC1939_CLIENT))
    seeds.append(("rfc1939_user_pass", d, ses,
                  crlf(b"USER mrose", b"PASS tanstaaf", b"STAT", b"UIDL", b"TOP 1 10", b"QUIT")))
    seeds.append(("all_commands", d, pop3_session(probe=True), crlf(*POP3_COMMANDS)))
    seeds.append(("all_commands_lower", d, ses, crlf(*[c.lower() for c in POP3_COMMANDS])))
    seeds.append(("all_commands_large", pop3_cfg(line=3, large=True), pop3_session(again=True),
                  crlf(*POP3_COMMANDS)))
    for i in range(0, len(POP3_BROKEN), 10):
        seeds.append((f"broken_{i // 10}", d, ses, crlf(*POP3_BROKEN[i:i + 10], b"NOOP")))
    seeds.append(("broken_lenient", pop3_cfg(spaces=True), ses,
                  crlf(b"LIST  1", b"LIST 1 ", b"TOP  1   2 ", b"STAT ", b"USER  a", b"PASS  x ",
                       b"AUTH  PLAIN   =", b"LANG   en", b"APOP a  b  c", b"QUIT  ")))
    seeds.append(("rfc2449_pipelined", d, ses,
                  crlf(b"CAPA", b"USER fred", b"PASS secret", b"STAT", b"LIST", b"UIDL", b"RETR 1",
                       b"DELE 1", b"TOP 2 0", b"QUIT")))
    seeds.append(("auth_plain_ir", d, ses, crlf(b"AUTH PLAIN AGZyZWQAc2VjcmV0", b"STAT")))
    seeds.append(("auth_plain", d, ses, crlf(b"AUTH PLAIN", b"AGZyZWQAc2VjcmV0", b"STAT")))
    seeds.append(("auth_login", d, ses,
                  crlf(b"AUTH LOGIN", b"ZnJlZA==", b"c2VjcmV0", b"STAT")))
    seeds.append(("auth_cancel", d, ses, crlf(b"AUTH CRAM-MD5", b"*", b"QUIT")))
    seeds.append(("auth_empty", d, pop3_session(sasl_forever=True),
                  crlf(b"AUTH GSSAPI", b"", b"YIIB", b"", b"*", b"QUIT")))
    seeds.append(("auth_bad_lines", d, pop3_session(sasl_forever=True),
                  crlf(b"AUTH X", b"ab=c", b"QR==", b"a\rb", b"a\nb", b"a\x00b", b"*x", b"**",
                       b"abc", b"*")))
    seeds.append(("auth_refused", d, pop3_session(no_sasl=True),
                  crlf(b"AUTH PLAIN", b"AGZyZWQAc2VjcmV0", b"QUIT")))
    seeds.append(("auth_limits", pop3_cfg(auth=3), pop3_session(sasl_forever=True),
                  crlf(b"AUTH X", b"QUJDRA==", b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", b"*")))
    seeds.append(("auth_tiny", pop3_cfg(auth=2), pop3_session(sasl_forever=True),
                  crlf(b"AUTH X", b"*", b"", b"QQ==", b"*")))
    seeds.append(("auth_long_line", d, ses,
                  crlf(b"AUTH PLAIN", base64.b64encode(b"x" * 9000), b"QUIT")))
    seeds.append(("auth_eof", d, ses, b"AUTH PLAIN\r\nAGZyZWQ"))
    seeds.append(("auth_bare_lf", pop3_cfg(bare_lf=True), ses,
                  b"AUTH PLAIN\nAGZyZWQAc2VjcmV0\nSTAT\n"))
    seeds.append(("stls_injection", d, pop3_session(keep_barrier=True),
                  crlf(b"CAPA", b"STLS", b"USER evil", b"PASS evil", b"RETR 1")))
    seeds.append(("stls_handshake", d, ses, crlf(b"STLS", b"CAPA", b"USER a", b"STLS", b"QUIT")))
    seeds.append(("stls_alone", d, pop3_session(keep_barrier=True, eof_early=True), crlf(b"STLS")))
    seeds.append(("overlong_tail", d, ses,
                  b"NOOP " + b"x" * 300 + b" \r\nQUIT\r\n" + b"USER " + b"a" * 250 + b"\r\nQUIT\r\n"))
    seeds.append(("overlong_hides_command", d, pop3_session(keep_barrier=True),
                  b"USER " + b"a" * 251 + b"STLS\r\nDELE 1\r\n"))
    seeds.append(("exact_limit", d, ses, b"USER " + b"a" * 248 + b"\r\nUSER " + b"a" * 249 + b"\r\n"))
    seeds.append(("short_limits", pop3_cfg(line=1), ses, crlf(b"STAT", b"LIST 1", b"QUIT")))
    seeds.append(("mid_limits", pop3_cfg(line=2), ses,
                  crlf(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb", b"APOP m " + b"a" * 32)))
    seeds.append(("framing_faults", d, ses,
                  b"STAT\rLIST\r\nUSER a\nPASS b\r\nRETR\x001\r\n\r\r\n\n\r\nQUIT\r\n"))
    seeds.append(("bare_lf_allowed", pop3_cfg(bare_lf=True), ses,
                  b"USER a\nPASS b\r\nSTAT\n\nLIST\r\r\nRETR 1\rX\nQUIT\n"))
    seeds.append(("eof_partial", d, pop3_session(eof_early=True), b"STAT\r\nLIST 1\r"))
    seeds.append(("binary_junk", pop3_cfg(large=True), ses, bytes(range(256)) + b"\r\nQUIT\r\n"))
    return seeds


# pop3_client: [options x2, split, queue header] + queue + stream.
#   byte 0: bit 0 Capacity 2048; status: max_status_length {512, 8, 64, 4096};
#   item: max_item_line_length (same); bit 5 any_case_status; bit 6 allow_control;
#   bit 7 keep the STLS barrier. byte 1: bits 0-5 the decoder (opts() above),
#   bit 6 eof_early, bit 7 again. byte 2: the split, bits 5-6 challenge:
#   max_challenge_length {12288, 8, 64, 600}.
def pop3_client_head(split, queue, window=2, large=False, status=0, item=0, any_case=False,
                     control=False, keep_barrier=False, dot=None, eof_early=False, again=False,
                     challenge=0):
    b0 = large | status << 1 | item << 3 | any_case << 5 | control << 6 | keep_barrier << 7
    b1 = ((dot or opts())[0] & 0x3F) | eof_early << 6 | again << 7
    return bytes([b0, b1, split | challenge << 5, len(queue) | window << 6]) + bytes(queue)


# Queue bytes (fuzz::pop3_expected_from): verb index in pop3::verb order, bit 5
# has_argument, bit 6 the greeting.
P3 = {name: i for i, name in enumerate(
    ["unknown", "user", "pass", "apop", "auth", "stls", "capa", "utf8", "lang", "stat", "list",
     "retr", "dele", "noop", "rset", "top", "uidl", "quit"])}


def pq(name, arg=False):
    return P3[name] | arg << 5


GREETING = 0x40
APOP_GREETING = b"+OK POP3 server ready <1896.697170952@dbc.mr.net>\r\n"
CAPA_BODY = (b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN CRAM-MD5 X-MECH\r\n"
             b"RESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60 USER\r\nUIDL\r\n"
             b"IMPLEMENTATION Shlemazle-Plotz-v302\r\nSTLS\r\nAUTH-RESP-CODE\r\nUTF8 USER\r\n"
             b"LANG\r\nX-UNKNOWN a b\r\n.\r\n")

# (name, head arguments, queue, stream)
POP3_CLIENT_SEEDS = [
    ("rfc1939_session", {}, [GREETING, pq("apop", True), pq("stat"), pq("list"), pq("retr", True),
                             pq("dele", True), pq("retr", True), pq("dele", True), pq("quit")],
     APOP_GREETING + b"+OK mrose's maildrop has 2 messages (320 octets)\r\n+OK 2 320\r\n"
     b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n+OK 120 octets\r\n"
     b"Subject: one\r\n\r\n..leading dot\r\n.\r\n+OK message 1 deleted\r\n+OK 200 octets\r\n"
     b"Subject: two\r\n\r\nbody\r\n.\r\n+OK message 2 deleted\r\n"
     b"+OK dewey POP3 server signing off (maildrop empty)\r\n"),
    ("rfc2449_pipelined", {"window": 3},
     [GREETING, pq("capa"), pq("user", True), pq("pass", True), pq("stat"), pq("list"),
      pq("uidl"), pq("top", True), pq("quit")],
     b"+OK ready\r\n" + CAPA_BODY + b"+OK\r\n+OK logged in\r\n+OK 2 320\r\n+OK\r\n1 120\r\n2 200\r\n.\r\n"
     b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
     b"+OK\r\nSubject: x\r\n\r\n.\r\n+OK bye\r\n"),
    ("capa_variety", {}, [pq("capa"), pq("capa"), pq("capa")],
     CAPA_BODY + b"+OK\r\n..DOT-TAG\r\n  TOP  \r\nSASL\r\nLOGIN-DELAY x\r\nEXPIRE NEVER\r\n"
     b"EXPIRE 1 2 3\r\nUTF8 FOO\r\nIMPLEMENTATION\r\nX\x01Y\r\n\r\n.\r\n-ERR no CAPA\r\n"),
    ("listings", {"window": 3},
     [pq("stat"), pq("list", True), pq("uidl", True), pq("list"), pq("uidl"), pq("stat"),
      pq("list", True), pq("uidl", True)],
     b"+OK 0 0\r\n+OK 4294967295 18446744073709551615\r\n+OK 1 " + b"u" * 70 + b"\r\n"
     b"+OK\r\n1 2 extra info\r\n0 5\r\n1  2\r\n1\r\nx 2\r\n4294967296 1\r\n1 18446744073709551616\r\n"
     b".1 3\r\n.\r\n+OK\r\n1 a\r\n1 " + b"u" * 71 + b"\r\n1 a b\r\n1 \x7f\r\n.\r\n"
     b"+OK 1\r\n+OK 0 5\r\n+OK 1 \r\n"),
    ("retr_top_bodies", {}, [pq("retr", True), pq("top", True), pq("retr", True), pq("top", True)],
     b"+OK\r\n.\r\n+OK\r\nHeader: x\r\n\r\n.\r\n+OK\r\n..\r\n...\r\n.x\r\n-ERR inside\r\n+OK inside\r\n"
     b".\r\n+OK\r\nno final line end.\r\n.\r\n"),
    ("retr_smuggling", {"dot": opts()}, [pq("retr", True), pq("dele", True)],
     b"+OK\r\nHi\n.\n+OK fake\r\n\r.\r\nx\r\n.\nDELE\r\n\x00\r\n.\r\n+OK deleted\r\n"),
    ("retr_normalize", {"dot": opts(policy=NORMALIZE, size=2, line=2)}, [pq("retr", True), pq("top", True)],
     b"+OK\r\na\rb\nc\r\r\n.\rd\n.\n\r\n.\r\n+OK\r\n.\r\r\n..\r\n.\r\n"),
    ("retr_allow_limits", {"dot": opts(policy=ALLOW, size=1, line=1)}, [pq("retr", True)],
     b"+OK\r\nab\rcd\n" + b"x" * 1100 + b"\r\n.\r\n"),
    ("err_has_no_body", {}, [pq("retr", True), pq("list"), pq("capa"), pq("top", True), pq("uidl")],
     b"-ERR no such message\r\n-ERR [SYS/TEMP] later\r\n-ERR\r\n-ERR [IN-USE] x\r\n"
     b"-ERR [AUTH/X] bad\r\n"),
    ("response_codes", {"window": 3},
     [pq("user", True), pq("pass", True), pq("apop", True), pq("auth", True), pq("noop"),
      pq("rset"), pq("dele", True), pq("quit")],
     b"-ERR [LOGIN-DELAY] wait\r\n-ERR [SYS/PERM/DB] x\r\n-ERR [sys/temp]\r\n-ERR [UTF8] need\r\n"
     b"+OK [X/Y/Z]text\r\n+OK [unclosed\r\n+OK [a//b] x\r\n+OK []\r\n"),
    ("bad_status", {}, [pq("noop"), pq("noop"), pq("noop"), pq("noop"), pq("noop"), pq("noop")],
     b"+OKAY\r\n+ok\r\n-err x\r\nOK\r\n+OK \x01 ctl\r\n+OK\ttab\r\n"),
    ("any_case_control", {"any_case": True, "control": True},
     [pq("noop"), pq("noop"), pq("noop"), pq("stat")],
     b"+ok fine\r\n-Err x\r\n+OK \x01\x7f ctl\r\n+Ok 1 2\r\n"),
    ("auth_exchange", {}, [GREETING, pq("auth", True), pq("auth", True), pq("auth", True), pq("quit")],
     APOP_GREETING + b"+ \r\n+ dGVzdA==\r\n+\r\n+OK logged in\r\n+ bad!\r\n+ QR==\r\n-ERR\r\n"
     b"+ " + b"A" * 600 + b"\r\n+OK\r\n+OK bye\r\n"),
    ("auth_not_expected", {}, [pq("user", True), pq("noop")], b"+ dGVzdA==\r\n+ \r\n+OK\r\n"),
    ("auth_mechanism_list", {}, [pq("auth"), pq("auth"), pq("auth", True)],
     b"+OK mechanisms\r\nPLAIN\r\n.X-ODD\r\n\r\n.\r\n-ERR no list\r\n+ \r\n+OK\r\n"),
    ("challenge_limits", {"challenge": 2, "status": 2}, [pq("auth", True), pq("auth", True)],
     b"+ " + b"QUJD" * 15 + b"\r\n+ " + b"QUJD" * 16 + b"\r\n+OK\r\n+ " + b"A" * 70 +
     b"\r\n-ERR " + b"x" * 70 + b"\r\n"),
    ("challenge_large", {"large": True}, [pq("auth", True)],
     b"+ " + base64.b64encode(b"g" * 1400) + b"\r\n+OK\r\n"),
    ("stls_injection", {"keep_barrier": True}, [GREETING, pq("stls"), pq("capa")],
     b"+OK ready\r\n+OK Begin TLS negotiation\r\n+OK Capability list follows\r\nSTLS\r\n.\r\n"),
    ("stls_handshake", {}, [GREETING, pq("stls"), pq("capa"), pq("stls"), pq("quit")],
     b"+OK ready\r\n+OK go\r\n+OK\r\nSASL PLAIN\r\n.\r\n-ERR already\r\n+OK\r\n"),
    ("stls_refused", {"keep_barrier": True}, [pq("stls"), pq("capa")],
     b"-ERR not now\r\n+OK\r\nUSER\r\n.\r\n"),
    ("unexpected_response", {}, [pq("quit")], b"+OK bye\r\n+OK extra\r\n-ERR more\r\n"),
    ("overlong_status", {}, [pq("noop"), pq("noop"), pq("list")],
     b"+OK " + b"x" * 600 + b"\r\n+OK fine\r\n+OK\r\n1 " + b"9" * 600 + b"\r\n2 3\r\n.\r\n"),
    ("overlong_large", {"large": True, "status": 3, "item": 1},
     [pq("noop"), pq("capa"), pq("noop")],
     b"+OK " + b"x" * 1000 + b"\r\n+OK\r\nTOP\r\nLONGER\r\n.\r\n+OK\r\n"),
    ("short_limits", {"status": 1, "item": 2}, [pq("noop"), pq("noop"), pq("uidl")],
     b"+OK\r\n+OK too long\r\n+OK\r\n1 abc\r\n1 " + b"a" * 60 + b"\r\n.\r\n"),
    ("framing_faults", {}, [pq("noop"), pq("list"), pq("noop"), pq("noop")],
     b"+OK\rx\r\n+OK\r\n1 2\n3\r\n1\x002\r\n.\r\n+OK a\nb\r\n+OK\x00\r\n"),
    ("eof_in_body", {"eof_early": True}, [pq("retr", True)], b"+OK\r\nbody\r\n."),
    ("eof_in_list", {}, [pq("list"), pq("quit")], b"+OK\r\n1 2\r\n"),
    ("eof_with_queue", {"window": 2}, [pq("noop"), pq("noop"), pq("noop")], b"+OK\r\n"),
    ("queue_overfill", {"window": 3}, [pq("noop")] * 40, b"+OK\r\n" * 34),
    ("greeting_timestamps", {}, [GREETING, GREETING, GREETING, GREETING, GREETING],
     b"+OK <a <b@c> <d@e>\r\n+OK <a b@c>\r\n+OK no timestamp\r\n+OK [CODE] <x@y>\r\n-ERR <x@y>\r\n"),
    ("lang_body", {"again": True}, [pq("lang"), pq("lang", True), pq("utf8")],
     b"+OK Language listing follows\r\nen English\r\n.fr French\r\n.\r\n+OK es Idioma cambiado\r\n"
     b"+OK UTF8 enabled\r\n"),
]

POP3_CLIENT_SPLITS = [0x03, 0x01 | 4 << 2, 0x02, 0x00, 0x80 | 0x02, 0x01 | 2 << 2]


def pop3_client_seeds():
    return [(name, pop3_client_head(POP3_CLIENT_SPLITS[i % len(POP3_CLIENT_SPLITS)], queue, **args)
             + stream) for i, (name, args, queue, stream) in enumerate(POP3_CLIENT_SEEDS)]


def write(target, files):
    d = ROOT / "corpus" / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for name, content in files:
        (d / name).write_bytes(content)
    print(f"{d.relative_to(ROOT.parent)}: {len(files)} files")


# POP3 round trips: numbers are a mode octet and the value (pop3_*_roundtrip's
# input::count): mode 0 one octet, 1 four, 2 eight, 3 an index into {0, 1,
# 2^32-1, 2^32, 2^64-1, 10^10}.
def p3_num(v):
    if v < 256:
        return bytes([0, v])
    if v < 2 ** 32:
        return bytes([1]) + rt_num(v, 4)
    return bytes([2]) + rt_num(v, 8)


def p3_edge(i):
    return bytes([3, i])


# pop3_command_roundtrip: [writer, flags, small sink x2, split how, queued] + fields.
#   flags: bit 0 prefix in the sinks, bit 1 "NOOP\r\n" after, bit 2 split.
P3_CMD_WRITERS = ["user", "pass", "apop", "apop_digest", "stat", "noop", "rset", "quit", "capa",
                  "stls", "utf8", "list", "list_n", "uidl", "uidl_n", "retr", "dele", "top",
                  "lang", "lang_range", "auth", "auth_mech", "auth_ir", "auth_base64", "sasl",
                  "sasl_base64", "sasl_cancel"]


def p3cmd(writer, *fields, prefix=False, trailer=False, split=False, how=3, small=0, queued=0):
    flags = prefix | trailer << 1 | split << 2
    return (bytes([P3_CMD_WRITERS.index(writer), flags]) + rt_num(small, 2) +
            bytes([how, queued]) + b"".join(fields))


def pop3_command_roundtrip_seeds():
    s = rt_slice
    hexd = bytes([1]) + bytes(range(16))  # 16 octets as 32 lower-case hex digits
    return [
        ("user", p3cmd("user", s(b"jane"), trailer=True)),
        ("user-utf8", p3cmd("user", s("jörg".encode()), split=True, how=0)),
        ("user-crlf-injection", p3cmd("user", s(b"jane\r\nDELE 1"))),
        ("user-space", p3cmd("user", s(b"ja ne"))),
        ("user-bad-utf8", p3cmd("user", s(b"j\xc3("))),
        ("user-long", p3cmd("user", rt_repeat(250, b"abcdefg"))),
        ("user-empty", p3cmd("user", s(b""), small=3)),
        ("pass-spaces", p3cmd("pass", s(b" my secret "), trailer=True, split=True, how=2)),
        ("pass-lf", p3cmd("pass", s(b"se\ncret\r\nQUIT"))),
        ("pass-nul", p3cmd("pass", s(b"a\x00b"))),
        ("pass-max", p3cmd("pass", rt_repeat(248, b"x"), prefix=True, small=200)),
        ("apop", p3cmd("apop", s(b"mrose"), bytes([0]) + s(b"c4c9334bac560ecc979e58001b3e22fb"))),
        ("apop-upper", p3cmd("apop", s(b"mrose"), bytes([3]) + bytes(range(16)))),
        ("apop-hexgen", p3cmd("apop", s(b"u"), hexd, queued=4)),
        ("apop-short", p3cmd("apop", s(b"u"), bytes([0]) + s(b"abc"))),
        ("apop-crlf", p3cmd("apop", s(b"u"), bytes([0]) + s(b"c4c9334bac560ecc\r\n9e58001b3e22fb"))),
        ("apop-rfc1939", p3cmd("apop_digest", s(b"mrose"),
                               s(b"<1896.697170952@dbc.mtview.ca.us>"), s(b"tanstaaf"))),
        ("stat", p3cmd("stat", trailer=True)),
        ("noop", p3cmd("noop", queued=2)),
        ("rset", p3cmd("rset", small=1)),
        ("quit", p3cmd("quit", prefix=True)),
        ("capa", p3cmd("capa", split=True, how=0)),
        ("stls-barrier", p3cmd("stls", trailer=True, split=True, how=0)),
        ("utf8", p3cmd("utf8")),
        ("list", p3cmd("list")),
        ("list-1", p3cmd("list_n", p3_num(1), trailer=True)),
        ("list-0", p3cmd("list_n", p3_edge(0))),
        ("list-max", p3cmd("list_n", p3_edge(2), split=True, how=2)),
        ("list-2^32", p3cmd("list_n", p3_edge(3))),
        ("uidl", p3cmd("uidl")),
        ("uidl-n", p3cmd("uidl_n", p3_num(70000))),
        ("retr", p3cmd("retr", p3_num(3), queued=3)),
        ("retr-huge", p3cmd("retr", p3_edge(4))),
        ("dele", p3cmd("dele", p3_num(1))),
        ("top-0", p3cmd("top", p3_num(1), p3_edge(0), trailer=True)),
        ("top-max", p3cmd("top", p3_edge(2), p3_edge(2))),
        ("top-lines-2^32", p3cmd("top", p3_num(1), p3_edge(3))),
        ("lang", p3cmd("lang")),
        ("lang-star", p3cmd("lang_range", s(b"*"))),
        ("lang-de-ch", p3cmd("lang_range", s(b"de-CH"), trailer=True)),
        ("lang-bad", p3cmd("lang_range", s(b"de--CH"))),
        ("lang-digit-first", p3cmd("lang_range", s(b"1de"))),
        ("lang-long", p3cmd("lang_range", s(b"a" + b"-abcdefgh" * 30))),
        ("auth-bare", p3cmd("auth")),
        ("auth-plain", p3cmd("auth_mech", s(b"plain"), trailer=True)),
        ("auth-mech-bad", p3cmd("auth_mech", s(b"PL@IN"))),
        ("auth-mech-21", p3cmd("auth_mech", s(b"A" * 21))),
        ("auth-ir", p3cmd("auth_ir", s(b"PLAIN"), s(b"\x00user\x00pass"), split=True, how=1)),
        ("auth-ir-empty", p3cmd("auth_ir", s(b"PLAIN"), s(b""))),
        ("auth-ir-180", p3cmd("auth_ir", s(b"PLAIN"), rt_repeat(180, b"\x00\xff\r\n"))),
        ("auth-ir-181", p3cmd("auth_ir", s(b"PLAIN"), rt_repeat(181, b"\x00\xff\r\n"))),
        ("auth-b64", p3cmd("auth_base64", s(b"PLAIN"), s(b"AHVzZXIAcGFzcw=="))),
        ("auth-b64-empty", p3cmd("auth_base64", s(b"X"), s(b""))),
        ("auth-b64-eq", p3cmd("auth_base64", s(b"X"), s(b"="))),
        ("auth-b64-crlf", p3cmd("auth_base64", s(b"X"), s(b"AAAA\r\nQUIT"))),
        ("auth-b64-padbits", p3cmd("auth_base64", s(b"X"), s(b"QR=="))),
        ("sasl", p3cmd("sasl", s(b"\x00user\x00pass"), split=True, how=0)),
        ("sasl-empty", p3cmd("sasl", s(b""))),
        ("sasl-9213", p3cmd("sasl", rt_repeat(9213, b"\x01\x02\x03"))),
        ("sasl-9214", p3cmd("sasl", rt_repeat(9214, b"\x01\x02\x03"))),
        ("sasl-b64", p3cmd("sasl_base64", s(b"dXNlcg=="), split=True, how=1 | 2 << 2)),
        ("sasl-b64-star", p3cmd("sasl_base64", s(b"*"))),
        ("sasl-b64-space", p3cmd("sasl_base64", s(b"dXNl cg=="))),
        ("sasl-cancel", p3cmd("sasl_cancel", split=True, how=0)),
    ]


# pop3_response_roundtrip: [writer, flags, small sink x2, split how, body options]
#   + fields. flags: bit 0 prefix, bit 1 "+OK\r\n" to a NOOP after, bit 2 split.
#   body options: bits 0-2 max_size {off, 1, 7, 100, 1000, 4096}, bits 3-5
#   max_line_length {off, 1, 8, 78, 1000}, bit 6 refuse bare CR/LF.
P3_RESP_WRITERS = ["ok", "err", "response", "greeting", "challenge", "challenge_base64",
                   "drop", "scan", "uid", "list", "uidl", "lang", "capa", "message",
                   "streamed", "gather"]
# The entries of write_ok/err/response (kEntries); bit 7 of the octet: with an argument.
P3_ENTRIES = ["user", "pass", "apop", "auth", "stls", "capa", "utf8", "lang", "list", "uidl",
              "retr", "dele", "noop", "rset", "top", "quit", "unknown", "stat"]


def p3resp(writer, *fields, prefix=False, trailer=False, split=False, how=3, small=0, body=0):
    flags = prefix | trailer << 1 | split << 2
    return (bytes([P3_RESP_WRITERS.index(writer), flags]) + rt_num(small, 2) +
            bytes([how, body]) + b"".join(fields))


def p3entry(name, arg=False):
    return bytes([P3_ENTRIES.index(name) | arg << 7])


# Calls on a capabilities value (pop3_response_roundtrip `apply`): an opcode
# octet (mod 9) and its arguments.
def p3caps(*ops):
    return bytes([len(ops)]) + b"".join(ops)


def cap_set(i):
    return bytes([0, i])


def cap_mech(name):
    return bytes([1]) + rt_slice(name)


def cap_delay(seconds, user=False):
    return bytes([2 | user << 7]) + rt_num(seconds, 4)


def cap_expire(days, never=False, user=False):
    return bytes([3 | never << 6 | user << 7]) + rt_num(days, 4)


def cap_impl(text):
    return bytes([4]) + rt_slice(text)


def cap_utf8(user=False):
    return bytes([5 | user << 7])


def cap_line(line):
    return bytes([6]) + rt_slice(line)


def p3_message(writer, text, content, entry=0, **kw):
    return p3resp(writer, rt_slice(text), rt_slice(content), bytes([entry]), **kw)


def p3_stream(text, content, cuts, **kw):
    # write_body chunk lengths: u16 each (mod the rest + 1), up to seven.
    return p3_message("streamed", text, content, 0, **kw) + b"".join(rt_num(c, 2) for c in cuts)


def pop3_response_roundtrip_seeds():
    s = rt_slice
    msg = b"From: a@b\r\nSubject: x\r\n\r\n.hidden\r\n..two\r\nend"
    evil = b"body\n.\nRCPT TO:<x>\r\n.\rDELE 1\r\n.\r\n"
    return [
        ("ok", p3resp("ok", p3entry("noop"), s(b"done"), trailer=True)),
        ("ok-empty", p3resp("ok", p3entry("user"), s(b""))),
        ("ok-utf8", p3resp("ok", p3entry("pass"), s("grüß dich".encode()), split=True, how=0)),
        ("ok-code-like", p3resp("ok", p3entry("pass"), s(b"[AUTH] no"))),
        ("ok-bracket-text", p3resp("ok", p3entry("pass"), s(b"[x y] z"))),
        ("ok-crlf", p3resp("ok", p3entry("dele"), s(b"a\r\n+OK b"))),
        ("ok-tab-del", p3resp("ok", p3entry("dele"), s(b"a\tb\x7f"))),
        ("ok-long", p3resp("ok", p3entry("noop"), rt_repeat(508, b"abc"))),
        ("ok-list-body", p3resp("ok", p3entry("list"), s(b"scan"), trailer=True)),
        ("ok-retr-empty", p3resp("ok", p3entry("retr"), s(b""), split=True, how=0)),
        ("ok-capa-empty", p3resp("ok", p3entry("capa"), s(b""))),
        ("ok-auth-bare", p3resp("ok", p3entry("auth"), s(b"mechanisms"))),
        ("ok-stls", p3resp("ok", p3entry("stls"), s(b"begin TLS"), trailer=True)),
        ("err", p3resp("err", p3entry("retr"), s(b"no such message"), trailer=True)),
        ("err-stls", p3resp("err", p3entry("stls"), s(b"no"), trailer=True)),
        ("err-list-n", p3resp("err", p3entry("list", True), s(b"no"))),
        ("resp-sys-temp", p3resp("response", bytes([1]), p3entry("pass"), s(b"SYS/TEMP"),
                                 s(b"try later"))),
        ("resp-in-use", p3resp("response", bytes([1]), p3entry("apop"), s(b"IN-USE"), s(b""))),
        ("resp-deep", p3resp("response", bytes([0]), p3entry("noop"), s(b"sys/perm/db"), s(b"x"))),
        ("resp-bad-code", p3resp("response", bytes([1]), p3entry("noop"), s(b"A]B"), s(b"x"))),
        ("resp-code-sp-text", p3resp("response", bytes([1]), p3entry("noop"), s(b"AUTH"),
                                     s(b" x"))),
        ("greeting", p3resp("greeting", s(b"POP3 ready"),
                            s(b"<1896.697170952@dbc.mtview.ca.us>"), trailer=True)),
        ("greeting-no-stamp", p3resp("greeting", s(b"hello"), s(b""))),
        ("greeting-stamp-only", p3resp("greeting", s(b""), s(b"<a@b>"), split=True, how=0)),
        ("greeting-two-stamps", p3resp("greeting", s(b"x <c@d>"), s(b"<a@b>"))),
        ("greeting-open-span", p3resp("greeting", s(b"x <c@d"), s(b"<a@b>"))),
        ("greeting-bad-stamp", p3resp("greeting", s(b"x"), s(b"<a b@c>"))),
        ("challenge", p3resp("challenge", s(b"<1896.697170952@postoffice>"), bytes([0]),
                             trailer=True)),
        ("challenge-empty", p3resp("challenge", s(b""), bytes([0]))),
        ("challenge-long", p3resp("challenge", rt_repeat(2000, b"\x00\xff"), bytes([0x80]) +
                                  rt_num(3000, 2), split=True, how=1 | 5 << 2)),
        ("challenge-b64", p3resp("challenge_base64", s(b"VXNlcm5hbWU6"), bytes([0]))),
        ("challenge-b64-bad", p3resp("challenge_base64", s(b"VXNlcm5hbWU"), bytes([0]))),
        ("challenge-tight", p3resp("challenge_base64", s(b"AAAA"), bytes([0x80]) + rt_num(8, 2))),
        ("stat", p3resp("drop", p3_num(2), p3_num(320), trailer=True)),
        ("stat-0", p3resp("drop", p3_edge(0), p3_edge(4))),
        ("stat-2^32", p3resp("drop", p3_edge(3), p3_num(1))),
        ("scan", p3resp("scan", p3_num(1), p3_num(120))),
        ("scan-0", p3resp("scan", p3_edge(0), p3_num(1))),
        ("uid", p3resp("uid", p3_num(1), s(b"whqtswO00WBw418f9t5JxYwZ"))),
        ("uid-71", p3resp("uid", p3_num(1), s(b"u" * 71))),
        ("uid-space", p3resp("uid", p3_num(1), s(b"a b"))),
        ("list", p3resp("list", s(b"2 messages"), bytes([2]), p3_num(1), p3_num(120), p3_num(2),
                        p3_num(200), trailer=True, split=True, how=2)),
        ("list-empty", p3resp("list", s(b""), bytes([0]))),
        ("list-null", p3resp("list", s(b""), bytes([255]))),
        ("list-msg-0", p3resp("list", s(b""), bytes([1]), p3_edge(0), p3_num(1))),
        ("uidl", p3resp("uidl", s(b""), bytes([2]), p3_num(1), s(b"whqtswO00WBw418f9t5JxYwZ"),
                        p3_num(2), s(b"QhdPYR:00WBw1Ph7x7"), split=True, how=0)),
        ("uidl-bad", p3resp("uidl", s(b""), bytes([1]), p3_num(1), s(b"a\r\nb"))),
        ("lang", p3resp("lang", s(b"Language listing follows"), bytes([3]), s(b"en"),
                        s(b"English"), s(b"en-boont"), s(b""), s(b"de"),
                        s("Deutsch".encode()), trailer=True)),
        ("lang-star", p3resp("lang", s(b""), bytes([1]), s(b"*"), s(b""))),
        ("capa", p3resp("capa", s(b"Capability list follows"),
                        p3caps(cap_set(0), cap_set(1), cap_mech(b"PLAIN"), cap_mech(b"x-mech"),
                               cap_set(3), cap_delay(900, True), cap_set(5), cap_expire(0, True),
                               cap_set(7), cap_impl(b"Shlemazle-Plotz-v302"), cap_set(9),
                               cap_set(10), cap_utf8(True), cap_set(12),
                               cap_line(b"X-FOO  a\tb"), cap_line(b"X-BAR")),
                        trailer=True, split=True, how=2)),
        ("capa-lines", p3resp("capa", s(b""), p3caps(cap_line(b"SASL PLAIN LOGIN"),
                                                      cap_line(b"EXPIRE 31 USER"),
                                                      cap_line(b"IMPLEMENTATION  a b  ")))),
        ("capa-sasl-empty", p3resp("capa", s(b""), p3caps(cap_set(2)))),
        ("capa-impl-empty", p3resp("capa", s(b""), p3caps(cap_set(8)))),
        ("capa-impl-space", p3resp("capa", s(b""), p3caps(cap_impl(b" padded ")))),
        ("capa-impl-bad-utf8", p3resp("capa", s(b""), p3caps(cap_impl(b"v\xff")))),
        ("message", p3_message("message", b"", msg, trailer=True)),
        ("message-split", p3_message("message", b"octets follow", msg, 1, split=True, how=0)),
        ("message-empty", p3_message("message", b"", b"")),
        ("message-smuggle", p3_message("message", b"", evil, split=True, how=2)),
        ("message-bare-refused", p3_message("message", b"", b"a\nb", body=0x40)),
        ("message-bare-cr-end", p3_message("message", b"", b"abc\r", body=0x40)),
        ("message-nul", p3_message("message", b"", b"a\x00b")),
        ("message-limits", p3_message("message", b"", b"12345678901\r\n.abc\r\nx" * 3,
                                      body=2 | 2 << 3)),
        ("message-size-limit", p3_message("message", b"", b".\r\n" * 40, body=3 | 1 << 3)),
        ("message-long-line", p3_message("message", b"", b"x" * 1200, body=4 << 3)),
        ("streamed", p3_stream(b"", msg, [5, 1, 0, 7])),
        ("streamed-crlf-cut", p3_stream(b"", b"a\r\nb\r\n.c", [1, 1, 1, 1, 1], body=0x40)),
        ("streamed-bare", p3_stream(b"", b"ab\rc\nd", [3, 2], body=0x40)),
        ("streamed-nul", p3_stream(b"", b"abc\x00d", [2])),
        ("gather", p3_message("gather", b"ok", msg) + bytes([0])),
        ("gather-many", p3_message("gather", b"", evil * 4, split=True, how=1) + bytes([5])),
        ("gather-bare", p3_message("gather", b"", b"a\r\rb", body=0x40) + bytes([1])),
    ]


# sasl_server byte 0: bits 0-1 mechanism (0 PLAIN, 1 LOGIN, 2 XOAUTH2, 3 CRAM-MD5),
# bit 2 the payload is the decoded message, bit 3 PLAIN fields of at most 8 octets;
# byte 1: capacity (0 = exactly the decoded size; see fuzz/sasl_server.cpp).
def sasl(mech, payload, decoded=True, small=False, cap=0):
    return bytes([mech | (4 if decoded else 0) | (8 if small else 0), cap]) + payload


SASL = [
    ("plain", sasl(0, b"\x00tim\x00tanstaaftanstaaf")),
    ("plain-authzid", sasl(0, b"admin\x00tim\x00secret")),
    ("plain-text", sasl(0, base64.b64encode(b"\x00user\x00pass"), decoded=False)),
    ("plain-utf8", sasl(0, "\x00j\u00f6rg\x00p\u00e4ss".encode())),
    ("plain-bad-utf8", sasl(0, b"\x00user\x00\xc3(")),
    ("plain-crlf", sasl(0, b"\x00user\x00pa\r\nss")),
    ("plain-one-nul", sasl(0, b"user\x00pass")),
    ("plain-three-nuls", sasl(0, b"\x00a\x00b\x00c")),
    ("plain-long-field", sasl(0, b"\x00user\x00" + b"p" * 9, small=True)),
    ("plain-small-buffer", sasl(0, b"\x00user\x00pass", cap=0x41)),
    ("plain-no-buffer", sasl(0, b"\x00user\x00pass", cap=0x80)),
    ("plain-bad-base64", sasl(0, b"AHVzZXIAcGFzcw=", decoded=False)),
    ("plain-empty", sasl(0, b"", decoded=False)),
    ("login", sasl(1, b"tim")),
    ("login-text", sasl(1, base64.b64encode(b"password"), decoded=False)),
    ("login-nul", sasl(1, b"ti\x00m")),
    ("xoauth2", sasl(2, b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01")),
    ("xoauth2-lower", sasl(2, b"user=u\x01auth=bearer abc==\x01\x01")),
    ("xoauth2-bad-token", sasl(2, b"user=u\x01auth=Bearer a=b\x01\x01")),
    ("xoauth2-trailing", sasl(2, b"user=u\x01auth=Bearer abc\x01\x01x")),
    ("cram-md5", sasl(3, b"tim b913a602c7eda7a495b4e6e7334d3890")),
    ("cram-md5-space-name", sasl(3, b"tim smith b913a602c7eda7a495b4e6e7334d3890")),
    ("cram-md5-upper", sasl(3, b"tim B913A602C7EDA7A495B4E6E7334D3890")),
    ("cram-md5-round-trip", sasl(3, b"<1896.697170952@postoffice.reston.mci.net>\xfftanstaaftanstaaf\xfftim")),
]


# fmt_events byte 0: the parser, modulo 5 (0 SMTP server, 1 SMTP client, 2 POP3 server,
# 3 POP3 client, 4 dot decoder); for the POP3 client, byte 1 is the number of queued command bytes that
# follow (bits 0-4 the verb's index in pop3::verb, bit 7 with an argument).
P3_USER, P3_PASS, P3_APOP, P3_AUTH, P3_CAPA, P3_LIST, P3_RETR, P3_UIDL = 1, 2, 3, 4, 6, 10, 11, 16


def fmt_pop3_client(queue, stream):
    return bytes([3, len(queue)]) + bytes(queue) + stream


FMT_EVENTS = [
    ("smtp-auth-plain", b"\x00AUTH PLAIN AHVzZXIAc2VjcmV0\r\nAUTH LOGIN\r\ndXNlcg==\r\n*\r\n"),
    ("smtp-controls", b"\x00MAIL FROM:<a\x1b[2J@b>\r\nRCPT TO:<\"x\\\x7f\"@c>\r\nX\x01Y z\r\n"),
    ("smtp-disguise", b"\x00FOO \xc2\x85\r\nRCPT TO:<\"a\xe2\x80\xae\\\\x0D\"@b>\r\nX\xe2\x80\xa8Y\r\n"),
    ("smtp-utf8", b"\x00MAIL FROM:<j\xc3\xb6rg@b\xc3\xbccher.example> SMTPUTF8\r\nEHLO \xff\xfe\r\n"),
    ("smtp-params", b"\x00MAIL FROM:<a@b.example> SIZE=10 BODY=8BITMIME ENVID=x+2B1 X-Y=\xc3\r\n"),
    ("smtp-bdat-data", b"\x00BDAT 3 LAST\r\nabcDATA\r\nhi\r\n.\r\nBDAT x\r\n"),
    ("smtp-client", b"\x01250-a\x1b\r\n250 2.1.0 ok \xc3\xa9\r\n550 \xff\r\n421-x\r\n"),
    ("pop3-server", b"\x02USER a\x01b\r\nPASS s3cret\r\nAPOP x 0123456789abcdef0123456789abcdef\r\n"
                    b"AUTH PLAIN AHVzZXIAc2VjcmV0\r\nAUTH LOGIN\r\ndXNlcg==\r\nTOP 1 5\r\nFOO \xff\r\n"),
    ("pop3-client", fmt_pop3_client([P3_CAPA, P3_LIST, P3_UIDL, P3_RETR | 0x80, P3_AUTH | 0x80],
                                    b"+OK hi <1.2@x>\r\n+OK\r\nSASL PLAIN\r\n.\r\n+OK\r\n1 2\r\n.\r\n"
                                    b"+OK\r\n1 \x7fid\r\n.\r\n+OK\r\n..x\x1b\r\n.\r\n+ \xff\r\n-ERR [IN-USE] no\r\n")),
    ("pop3-client-auth", fmt_pop3_client([P3_USER | 0x80, P3_PASS | 0x80, P3_APOP | 0x80],
                                         b"+OK\r\n+OK\r\n-ERR bad\r\n+OK\r\n")),
]


def fmt_events_seeds():
    seeds = list(FMT_EVENTS)
    seeds += [("smtp-server-" + name, b"\x00" + stream) for name, _, _, stream in smtp_seeds()]
    seeds += [("smtp-client-" + name, b"\x01" + stream) for name, _, _, stream in CLIENT_SEEDS]
    seeds += [("pop3-server-" + name, b"\x02" + stream) for name, _, _, stream in pop3_server_seeds()]
    seeds += [("dot-" + name, b"\x04" + body) for name, _, body in BODIES]
    return seeds


def main():
    write("dot_decode", [(name, o + body) for name, o, body in BODIES])
    write("dot_split", [(name, o[:1] + bytes([SPLITS[i % len(SPLITS)] & 0xFF]) + body)
                        for i, (name, o, body) in enumerate(BODIES)])
    write("dot_roundtrip", [(name, bytes([c, g, i]) + m)
                            for i, (name, c, g, m) in enumerate(MESSAGES)])
    write("scan_diff", scan_buffers())
    write("line_reader", [(name, o + bytes([split]) + stream) for name, o, split, stream in LINES])
    write("base64", [(name, o + c + payload) for name, o, c, payload in BASE64])
    seeds = smtp_seeds()
    write("smtp_server", [(name, cfg + session + bytes([smtp_split(i)]) + stream)
                          for i, (name, cfg, session, stream) in enumerate(seeds)])
    # The split targets: byte 3 bit 5 keeps the STARTTLS barrier (smtp_server_split).
    write("smtp_server_split", [(name, cfg + bytes([smtp_split(i, session[0] & 4 != 0)]) + stream)
                                for i, (name, cfg, session, stream) in enumerate(seeds)])
    write("smtp_trace_split", [(name, cfg + bytes([smtp_split(i)]) + stream)
                               for i, (name, cfg, session, stream) in enumerate(seeds)])
    write("smtp_fast_path", fast_path_seeds())
    # smtp_client: [options x2 (byte 1 with the session bits), starttls, split] + stream;
    # smtp_client_split reads the same header (its split run always feeds pieces).
    client = [(name, bytes([cfg[0], cfg[1] | bits, starttls, CLIENT_SPLITS[i % len(CLIENT_SPLITS)]]) + s)
              for i, (name, cfg, (bits, starttls), s) in enumerate(CLIENT_SEEDS)]
    write("smtp_client", client)
    write("smtp_client_split", client)
    write("smtp_command_roundtrip", command_roundtrip_seeds())
    write("smtp_reply_roundtrip", reply_roundtrip_seeds())
    write("smtp_capabilities", capabilities_seeds())
    pop3 = [(name, bytes([cfg, session, POP3_SPLITS[i % len(POP3_SPLITS)]]) + stream)
            for i, (name, cfg, session, stream) in enumerate(pop3_server_seeds())]
    write("pop3_server", pop3)
    write("pop3_server_split", pop3)
    client = pop3_client_seeds()
    write("pop3_client", client)
    write("pop3_client_split", client)
    write("pop3_command_roundtrip", pop3_command_roundtrip_seeds())
    write("pop3_response_roundtrip", pop3_response_roundtrip_seeds())
    write("sasl_server", SASL)
    write("fmt_events", fmt_events_seeds())


if __name__ == "__main__":
    main()

#pragma once
// Deterministic message corpus for the benchmarks (no files, no network).
//
// A seeded std::mt19937_64 produces a stream of realistic mail messages:
// Received/From/To/Subject/... headers (some folded), a multipart/mixed body
// with a text part of 72-78 character lines in paragraphs, now and then a
// ~900 character unwrapped line, and in about 40% of the messages a base64
// attachment of 76 character lines. About 1% of all lines start with '.'
// (".Net", "...", ". x", a lone "."), so the codec has dots to stuff and
// unstuff. Every line ends in CRLF; there is no bare CR, bare LF or NUL.
//
// Only the generator's own arithmetic on the engine output is used (no
// std::uniform_int_distribution, whose results differ between standard
// libraries), and no expression holds two draws: the order of function
// arguments and of the operands of `a() + b()` (std::string's operator+
// included) is unspecified, GCC and Clang pick different ones, and each would
// write its own corpus. Draws that make one line are named locals, in the
// order they are written. So the same seed and size give the same bytes
// everywhere.
//
// corpus::raw is the content as a client holds it before sending;
// corpus::encoded is raw dot-stuffed by mailwire::dot::encoder with the
// terminator, checked to decode back to raw with mailwire::dot::decoder.
//
// The size defaults to 64 MiB, far more than any cache; the environment
// variable MAILWIRE_BENCH_MB (a positive number, fractions allowed) overrides
// it, e.g. MAILWIRE_BENCH_MB=4 for a quick CI run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>

#include "mailwire/core/error.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/dot/encoder.hpp"

namespace mailwire_bench {

inline constexpr std::size_t kMiB = std::size_t{1} << 20;
inline constexpr double default_corpus_mib = 64;
inline constexpr std::uint64_t default_corpus_seed = 0x6d61696c77697265ull;  // "mailwire"

struct corpus_stats {
  std::size_t messages = 0;
  std::size_t lines = 0;         ///< all lines, blank ones included
  std::size_t dot_lines = 0;     ///< lines starting with '.'
  std::size_t long_lines = 0;    ///< lines over 800 octets (the ~900 ones)
  std::size_t base64_lines = 0;  ///< attachment lines
  std::size_t stuffed_dots = 0;  ///< dots the encoder added
};

struct corpus {
  std::string raw;      ///< message content before encoding (CRLF lines)
  std::string encoded;  ///< dot-stuffed raw plus CRLF "." CRLF terminator
  corpus_stats stats;
};

/// Corpus size in bytes: MAILWIRE_BENCH_MB (MiB) if set and valid, else 64 MiB.
inline std::size_t corpus_bytes_from_env() {
  double mib = default_corpus_mib;
  if (const char* s = std::getenv("MAILWIRE_BENCH_MB"); s != nullptr && *s != '\0') {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (end != s && *end == '\0' && v > 0 && v <= 65536) {
      mib = v;
    } else {
      std::fprintf(stderr, "MAILWIRE_BENCH_MB=\"%s\" is not a size in MiB; using %g\n", s,
                   default_corpus_mib);
    }
  }
  const auto bytes = static_cast<std::size_t>(mib * static_cast<double>(kMiB));
  return bytes < 4096 ? 4096 : bytes;
}

namespace detail {

[[noreturn]] inline void corpus_fail(const char* what) {
  std::fprintf(stderr, "mailwire benchmark corpus: %s\n", what);
  std::abort();
}

class generator {
 public:
  generator(std::string& out, corpus_stats& stats, std::uint64_t seed)
      : out_(out), stats_(stats), rng_(seed) {}

  void message() {
    ++stats_.messages;
    const std::string boundary = "=_mw_" + hex(16);
    headers(boundary);
    line("This is a multi-part message in MIME format.");
    blank();
    part_header(boundary, "text/plain; charset=utf-8", "8bit", nullptr);
    text_part();
    if (chance(40, 100)) {
      const std::string name = "file" + std::to_string(below(100000)) + ".bin";
      part_header(boundary, "application/octet-stream", "base64", &name);
      base64_part(range(20, 800));
    }
    line("--" + boundary + "--");
  }

 private:
  // ---- randomness ---------------------------------------------------------
  std::uint64_t next() { return rng_(); }
  /// Uniform-enough integer in [0, n) (n small; modulo bias is irrelevant here).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  std::size_t range(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
  bool chance(std::size_t num, std::size_t den) { return below(den) < num; }
  template <std::size_t N>
  std::string_view pick(const std::string_view (&list)[N]) {
    return list[below(N)];
  }

  std::string hex(std::size_t n) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i % 16 == 0) v = next();
      s += digits[v & 15];
      v >>= 4;
    }
    return s;
  }

  // ---- line output --------------------------------------------------------
  /// Every line goes through here: appends CRLF and keeps the statistics.
  void end_line(std::size_t start) {
    const std::size_t len = out_.size() - start;
    ++stats_.lines;
    if (len != 0 && out_[start] == '.') ++stats_.dot_lines;
    if (len > 800) ++stats_.long_lines;
    out_ += "\r\n";
  }
  void line(std::string_view s) {
    const std::size_t start = out_.size();
    out_ += s;
    end_line(start);
  }
  void blank() { line({}); }

  // ---- vocabulary ---------------------------------------------------------
  static constexpr std::string_view words_[] = {
      "the",         "of",          "and",
      "to",          "in",          "is",
      "that",        "for",         "it",
      "as",          "was",         "with",
      "be",          "by",          "on",
      "not",         "he",          "this",
      "are",         "or",          "his",
      "from",        "at",          "which",
      "but",         "have",        "an",
      "had",         "they",        "you",
      "were",        "their",       "one",
      "all",         "we",          "can",
      "her",         "has",         "there",
      "been",        "if",          "more",
      "when",        "will",        "would",
      "who",         "so",          "no",
      "meeting",     "report",      "quarter",
      "schedule",    "attached",    "please",
      "review",      "thanks,",     "regards,",
      "tomorrow",    "server",      "delivery",
      "message",     "mailbox",     "customer",
      "invoice",     "project",     "budget",
      "deadline",    "update",      "version",
      "release",     "network",     "question",
      "answer",      "following",   "previous",
      "discussion",  "agreement",   "contract",
      "department",  "information", "configuration",
      "performance", "(see",        "below)",
      "e.g.",        "i.e.",        "etc.",
      "2024",        "15:30",       "\"draft\"",
      "Monday",      "Friday",      "Berlin",
      "Tokyo",       "ACME",        "SMTP",
      "TLS",         "DNS",         "-",
      "--",          "100%",        "$1,200",
      "ok.",
  };
  static constexpr std::string_view filler_ = "internationalization";  // longer than any word
  static constexpr std::string_view first_names_[] = {
      "Alice",   "Bob",  "Carol",  "Dave",  "Erin",   "Frank", "Grace", "Heidi",  "Ivan",  "Judy",
      "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter"};
  static constexpr std::string_view last_names_[] = {
      "Smith", "Jones", "Garcia", "Miller", "Davis", "Martin", "Lee",   "Walker", "Hall",
      "Young", "King",  "Wright", "Lopez",  "Hill",  "Scott",  "Green", "Adams",  "Baker"};
  static constexpr std::string_view domains_[] = {"example.com",      "example.net",
                                                  "example.org",      "mail.example.com",
                                                  "corp.example.net", "lists.example.org"};
  static constexpr std::string_view days_[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view months_[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

  /// Words appended to out_ until the text since `start` is exactly `len` long.
  void words_to(std::size_t start, std::size_t len) {
    for (;;) {
      const std::string_view w = pick(words_);
      const std::size_t have = out_.size() - start;
      if (have == 0 && w.size() <= len) {
        out_ += w;
      } else if (have + 1 + w.size() <= len) {
        out_ += ' ';
        out_ += w;
      } else {
        break;
      }
    }
    // Pad to the exact length with (part of) a long word.
    std::size_t rest = len - (out_.size() - start);
    if (rest == 0) return;
    if (rest == 1) {
      out_ += ',';
      return;
    }
    out_ += ' ';
    --rest;
    while (rest != 0) {
      const std::size_t n = rest < filler_.size() ? rest : filler_.size();
      out_.append(filler_.data(), n);
      rest -= n;
    }
  }

  std::string address() {
    std::string a(pick(first_names_));
    a += '.';
    a += pick(last_names_);
    a += '@';
    a += pick(domains_);
    for (auto& c : a)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return a;
  }

  std::string date() {
    // One draw per statement (see the top of the file).
    const std::string day(pick(days_));
    const std::size_t mday = range(1, 28);
    const std::string month(pick(months_));
    const std::size_t hour = below(24);
    const std::size_t minute = below(60);
    const std::size_t second = below(60);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %zu %s 2024 %02zu:%02zu:%02zu +0000", day.c_str(), mday,
                  month.c_str(), hour, minute, second);
    return buf;
  }

  // ---- message parts ------------------------------------------------------
  void headers(const std::string& boundary) {
    const std::string rcpt = address();
    const std::string from = address();
    line("Return-Path: <" + from + ">");
    const std::size_t hops = range(1, 4);
    for (std::size_t i = 0; i < hops; ++i) {
      const std::size_t mx = below(50);
      const std::string_view mx_domain = pick(domains_);
      const std::string host = "mx" + std::to_string(mx) + "." + std::string(mx_domain);
      line("Received: from " + host + " (" + host + " [192.0.2." + std::to_string(below(255)) +
           "])");
      line("\tby mail.example.org (mailwire) with ESMTPS id " + hex(10));
      line("\tfor <" + rcpt + ">; " + date());
    }
    line("Date: " + date());
    {
      const std::string_view first = pick(first_names_);
      const std::string_view last = pick(last_names_);
      line("From: \"" + std::string(first) + " " + std::string(last) + "\" <" + from + ">");
    }
    line("To: <" + rcpt + ">");
    if (chance(1, 3)) {
      const std::string cc1 = address();
      const std::string cc2 = address();
      line("Cc: <" + cc1 + ">, <" + cc2 + ">");
    }
    {
      const std::size_t start = out_.size();
      out_ += "Subject: ";
      words_to(out_.size(), range(10, 60));
      end_line(start);
    }
    {
      const std::string id = hex(24);
      const std::string_view id_domain = pick(domains_);
      line("Message-ID: <" + id + "@" + std::string(id_domain) + ">");
    }
    line("MIME-Version: 1.0");
    line("Content-Type: multipart/mixed;");
    line("\tboundary=\"" + boundary + "\"");
    blank();
  }

  void part_header(const std::string& boundary, const char* type, const char* encoding,
                   const std::string* name) {
    line("--" + boundary);
    if (name != nullptr) {
      line(std::string("Content-Type: ") + type + "; name=\"" + *name + "\"");
      line("Content-Disposition: attachment; filename=\"" + *name + "\"");
    } else {
      line(std::string("Content-Type: ") + type);
    }
    line(std::string("Content-Transfer-Encoding: ") + encoding);
    blank();
  }

  /// A text line: 72-78 octets, ~1 in 150 unwrapped to ~900 octets, and a
  /// leading dot whenever the corpus falls below 1% dot lines (with some
  /// randomness, so they are spread out).
  void text_line() {
    const std::size_t start = out_.size();
    const bool is_long = chance(1, 150);
    const std::size_t len = is_long ? range(850, 950) : range(72, 78);
    if (stats_.dot_lines * 100 < stats_.lines && chance(1, 20)) {
      const std::size_t kind = below(20);
      if (kind == 0) {  // a lone "." (the line that would end the body unstuffed)
        out_ += '.';
        end_line(start);
        return;
      }
      out_ += kind < 6 ? "..." : kind < 10 ? ". " : ".";
    }
    words_to(start, len);
    end_line(start);
  }

  void text_part() {
    const std::size_t paragraphs = range(3, 40);
    for (std::size_t p = 0; p < paragraphs; ++p) {
      const std::size_t n = range(1, 10);
      for (std::size_t i = 0; i < n; ++i) text_line();
      blank();
    }
  }

  void base64_part(std::size_t lines) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < lines; ++i) {
      const bool last = i + 1 == lines;
      const std::size_t len = last ? 4 * range(1, 19) : 76;
      const std::size_t start = out_.size();
      std::uint64_t v = 0;
      for (std::size_t j = 0; j < len; ++j) {
        if (j % 10 == 0) v = next();
        out_ += alphabet[v & 63];
        v >>= 6;
      }
      if (last) {
        const std::size_t pad = below(3);  // 0, 1 or 2 '='
        for (std::size_t j = 0; j < pad; ++j) out_[out_.size() - 1 - j] = '=';
      }
      ++stats_.base64_lines;
      end_line(start);
    }
  }

  std::string& out_;
  corpus_stats& stats_;
  std::mt19937_64 rng_;
};

/// dot::encoder (copy form, 64 KiB output buffer) over all of raw.
inline std::string encode_all(std::string_view raw) {
  std::string encoded;
  encoded.reserve(raw.size() + raw.size() / 32 + 64);
  mailwire::dot::encoder enc;
  static char buf[64 * 1024];
  while (!raw.empty()) {
    const auto r = enc.encode(raw, buf, sizeof buf);
    if (r.error != mailwire::errc{}) corpus_fail("encoder reported an error");
    if (r.consumed == 0 && r.written == 0) corpus_fail("encoder made no progress");
    encoded.append(buf, r.written);
    raw.remove_prefix(r.consumed);
  }
  while (!enc.finished()) {
    const auto r = enc.finish(buf, sizeof buf);
    if (r.error != mailwire::errc{} || r.written == 0) corpus_fail("encoder finish failed");
    encoded.append(buf, r.written);
  }
  return encoded;
}

/// dot::decoder over all of encoded must give back raw exactly, unflagged,
/// ending exactly at the end of encoded.
inline void check_decodes_back(std::string_view encoded, std::string_view raw) {
  mailwire::dot::decoder dec;
  dec.feed(encoded);
  std::size_t at = 0;
  for (;;) {
    const auto ev = dec.next();
    switch (ev.kind) {
      case mailwire::dot::event_kind::data:
        if (ev.bytes.size() > raw.size() - at ||
            std::memcmp(ev.bytes.data(), raw.data() + at, ev.bytes.size()) != 0)
          corpus_fail("decoded data differs from the raw content");
        at += ev.bytes.size();
        break;
      case mailwire::dot::event_kind::end:
        if (at != raw.size() || ev.size != raw.size()) corpus_fail("decoded size differs");
        if (ev.consumed() != encoded.size()) corpus_fail("terminator not at the end");
        if (ev.flags.any()) corpus_fail("decoder flagged the corpus");
        if (!dec.rest().empty()) corpus_fail("bytes after the terminator");
        return;
      case mailwire::dot::event_kind::need_more: corpus_fail("no terminator in the encoded corpus");
      case mailwire::dot::event_kind::error: corpus_fail("decoder error");
    }
  }
}

}  // namespace detail

/// Builds raw (at least `bytes` octets, whole messages) and its encoding.
/// Aborts with a message if the encoding does not decode back.
inline corpus make_corpus(std::size_t bytes, std::uint64_t seed = default_corpus_seed) {
  corpus c;
  c.raw.reserve(bytes + 256 * 1024);
  detail::generator gen(c.raw, c.stats, seed);
  while (c.raw.size() < bytes) gen.message();
  c.encoded = detail::encode_all(c.raw);
  // raw ends in CRLF, so the terminator adds exactly ".\r\n".
  c.stats.stuffed_dots = c.encoded.size() - c.raw.size() - 3;
  if (c.stats.stuffed_dots != c.stats.dot_lines) detail::corpus_fail("unexpected stuffing count");
  detail::check_decodes_back(c.encoded, c.raw);
  return c;
}

}  // namespace mailwire_bench

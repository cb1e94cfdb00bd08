#pragma once
// Deterministic SMTP client streams for the server-side benchmark (no files,
// no network): what a pipelining client (RFC 2920) sends to a server.
//
// A seeded std::mt19937_64 writes sessions back to back:
//
//   EHLO client.example.net                      (1 in 20: an address literal)
//   MAIL FROM:<path> SIZE=n BODY=8BITMIME ...    (1 in 3: RET= and ENVID=; 1 in 10:
//                                                 SMTPUTF8 with a UTF-8 path; some
//                                                 AUTH=; 1 in 40 a null path)
//   RCPT TO:<path> NOTIFY=... ORCPT=rfc822;...   (1-5 of them; ORCPT=utf-8;... for
//                                                 UTF-8 paths, RFC 6533)
//   DATA
//   [body]                                       (mixed stream only)
//   RSET / the next MAIL / QUIT
//
// Each session holds 1-3 transactions and ends with QUIT. Addresses vary the
// way real ones do: first.last, tagged (a.b+tag), VERP bounces, quoted local
// parts now and then ("a b", quoted-pairs), subdomains of several depths, an
// IPv4 literal about once in 30 paths, an IPv6 literal more rarely, and under
// SMTPUTF8 non-ASCII local parts and U-label domains. Verbs and keywords are
// mostly upper case, sometimes lower case (RFC 5321 §2.4).
//
// Two streams:
// - command-only (make_command_stream): the server refused every DATA, so
//   the next command follows the DATA line directly: RSET, as a client does
//   after a failed DATA, before the next MAIL (and 1 in 4 before QUIT).
// - mixed (make_mixed_stream): every DATA is accepted and followed by a
//   1-20 KiB message cut at a line boundary from the message corpus of
//   corpus.hpp (taken in order, so most bodies start mid-message), dot-stuffed
//   (a line starting with "." gets another) and ended by CRLF "." CRLF. After
//   the body, the next MAIL follows directly, or RSET first (1 in 3).
//
// Every command line is valid for smtp::server_parser<> with default options,
// given a server that calls set_smtputf8(true) after a MAIL with SMTPUTF8 and
// false when the transaction ends (RSET, QUIT, EHLO, or the body's data_end),
// and accept_data() after DATA in the mixed stream. smtp_expect holds the sums
// a benchmark recomputes from the typed values the parser returns, so a run
// that misparses anything is caught.
//
// Only the generator's own arithmetic on the engine output is used, and
// draws that make one line are named locals in the order they are written
// (never two in one expression: the operands of `a() + b()` and function
// arguments have no evaluation order, and GCC and Clang differ), so the same
// seed and size give the same bytes with every compiler and standard library.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>

#include "corpus.hpp"

namespace mailwire_bench {

inline constexpr std::uint64_t default_smtp_seed = 0x736d74702d737276ull;  // "smtp-srv"

struct smtp_stream_stats {
  std::size_t sessions = 0;
  std::size_t transactions = 0;
  std::size_t commands = 0;  ///< command lines (every verb)
  std::size_t lines = 0;     ///< all CRLF lines: commands, body lines, terminators
  std::size_t ehlo = 0, mail = 0, rcpt = 0, data = 0, rset = 0, quit = 0;
  std::size_t paths = 0;          ///< MAIL and RCPT paths, null ones included
  std::size_t null_paths = 0;     ///< MAIL FROM:<>
  std::size_t quoted_local = 0;   ///< Quoted-string local parts
  std::size_t ipv4_literal = 0;   ///< [192.0.2.1] domains (paths and EHLO)
  std::size_t ipv6_literal = 0;   ///< [IPv6:...] domains (paths and EHLO)
  std::size_t utf8_paths = 0;     ///< paths with non-ASCII octets
  std::size_t smtputf8_mail = 0;  ///< MAIL with SMTPUTF8
  std::size_t dsn_mail = 0;       ///< MAIL with RET= and ENVID=
  std::size_t command_bytes = 0;  ///< octets of command lines, CRLF included
  std::size_t bodies = 0;
  std::size_t body_bytes = 0;    ///< body octets on the wire (stuffed, terminator included)
  std::size_t stuffed_dots = 0;  ///< dots added by the stuffing
};

/// What a server that reads the typed values gets, summed over the stream.
struct smtp_expect {
  std::uint64_t commands = 0;
  std::uint64_t mail = 0, rcpt = 0, data = 0;
  std::uint64_t size_sum = 0;      ///< SIZE= values of MAIL
  std::uint64_t eight_bit = 0;     ///< MAILs with BODY=8BITMIME
  std::uint64_t notify_bits = 0;   ///< NOTIFY= of RCPT: success 1, failure 2, delay 4, never 8
  std::uint64_t orcpt_octets = 0;  ///< ORCPT= addresses (after the ";"), as sent
  std::uint64_t path_octets = 0;   ///< local part + domain (as received) of MAIL and RCPT
  std::uint64_t bodies = 0;        ///< data_end events (mixed stream)
  std::uint64_t body_octets = 0;   ///< decoded body octets (mixed stream)
};

struct smtp_stream {
  std::string bytes;
  smtp_stream_stats stats;
  smtp_expect expect;
};

namespace detail {

class session_writer {
 public:
  session_writer(smtp_stream& s, std::uint64_t seed, bool bodies)
      : out_(s.bytes),
        stats_(s.stats),
        expect_(s.expect),
        rng_(seed),
        bodies_(bodies),
        text_(pool_, pool_stats_, seed ^ default_corpus_seed) {}

  void session() {
    ++stats_.sessions;
    const std::string ehlo = word("EHLO");
    command_line(ehlo + " " + ehlo_argument());
    ++stats_.ehlo;
    const std::size_t transactions = range(1, 3);
    for (std::size_t t = 0; t < transactions; ++t) {
      transaction();
      const bool more = t + 1 < transactions;
      // A refused DATA leaves the transaction open: the client resets it.
      if (!bodies_ ? more || chance(1, 4) : chance(1, 3)) {
        command_line(word("RSET"));
        ++stats_.rset;
      }
    }
    command_line(word("QUIT"));
    ++stats_.quit;
  }

 private:
  // ---- randomness (as in corpus.hpp) ----------------------------------------
  std::uint64_t next() { return rng_(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  std::size_t range(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
  bool chance(std::size_t num, std::size_t den) { return below(den) < num; }
  template <std::size_t N>
  std::string_view pick(const std::string_view (&list)[N]) {
    return list[below(N)];
  }
  std::string number(std::size_t lo, std::size_t hi) { return std::to_string(range(lo, hi)); }
  std::string hex(std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += digits[below(16)];
    return s;
  }

  // ---- output ---------------------------------------------------------------
  void command_line(const std::string& s) {
    out_ += s;
    out_ += "\r\n";
    ++stats_.commands;
    ++stats_.lines;
    ++expect_.commands;
    stats_.command_bytes += s.size() + 2;
  }
  /// A verb or keyword: upper case, 1 in 50 lower case.
  std::string word(std::string_view upper) {
    std::string w(upper);
    if (chance(1, 50))
      for (char& c : w)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return w;
  }

  // ---- vocabulary -------------------------------------------------------------
  static constexpr std::string_view first_[] = {
      "alice",  "bob",  "carol",  "dave",     "erin",   "frank", "grace", "heidi",
      "ivan",   "judy", "olivia", "peggy",    "rupert", "sybil", "trent", "victor",
      "walter", "yuki", "zoe",    "mohammed", "priya",  "lars",  "ana",   "chen"};
  static constexpr std::string_view last_[] = {
      "smith", "jones", "garcia",   "miller",  "davis",   "martin", "lee",      "walker",
      "hall",  "young", "king",     "wright",  "lopez",   "hill",   "scott",    "green",
      "adams", "baker", "nakamura", "oconnor", "schmidt", "rossi",  "kowalski", "silva"};
  static constexpr std::string_view roles_[] = {"info",       "sales",      "support", "no-reply",
                                                "billing",    "postmaster", "admin",   "jobs",
                                                "newsletter", "security",   "hr",      "team"};
  static constexpr std::string_view tags_[] = {"invoices", "lists", "github", "bank",
                                               "travel",   "shop",  "2024",   "work"};
  static constexpr std::string_view bases_[] = {
      "example.com",     "example.net",    "example.org", "example.co.uk",
      "example-mail.de", "example.com.au", "example.io",  "bigcorp-example.com",
      "example.edu",     "example.co.jp",  "example.fr",  "test-example.org"};
  static constexpr std::string_view subs_[] = {"mail.",    "lists.", "corp.",    "eu-west-1.relay.",
                                               "smtp.",    "mx1.",   "us.",      "dept.corp.",
                                               "bounces.", "a.b.c.", "support.", "newsletter."};
  static constexpr std::string_view utf8_locals_[] = {
      "m\xC3\xBCller",  // müller
      "jos\xC3\xA9.garc\xC3\xAD"
      "a",                                                                         // josé.garcía
      "\xE7\x94\xA8\xE6\x88\xB7",                                                  // 用户
      "\xD0\xBF\xD0\xBE\xD1\x87\xD1\x82\xD0\xB0",                                  // почта
      "fran\xC3\xA7ois",                                                           // françois
      "\xE0\xA4\xB8\xE0\xA4\x82\xE0\xA4\xAA\xE0\xA4\xB0\xE0\xA5\x8D\xE0\xA4\x95",  // संपर्क
  };
  static constexpr std::string_view utf8_domains_[] = {
      "b\xC3\xBC"
      "cher.example",                                                   // bücher.example
      "\xE4\xBE\x8B\xE3\x81\x88.example.jp",                            // 例え.example.jp
      "xn--bcher-kva.example",                                          // an A-label, ASCII
      "mail.\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.example",  // mail.пример.example
  };

  // ---- addresses ----------------------------------------------------------------
  std::string domain() {
    std::string d;
    if (chance(2, 5)) d += pick(subs_);
    d += pick(bases_);
    return d;
  }
  std::string ipv4() {
    static constexpr std::string_view nets[] = {"192.0.2.", "198.51.100.", "203.0.113."};
    const std::string_view net = pick(nets);
    return std::string(net) + number(1, 254);
  }
  std::string ipv6() {
    const std::string high = hex(range(1, 4));
    return "2001:db8:" + high + "::" + hex(range(1, 4));
  }

  /// A domain of a path or EHLO: a name, or now and then an address literal.
  std::string host() {
    const std::size_t r = below(200);
    if (r < 6) {
      ++stats_.ipv4_literal;
      return "[" + ipv4() + "]";
    }
    if (r < 7) {
      ++stats_.ipv6_literal;
      return "[IPv6:" + ipv6() + "]";
    }
    return domain();
  }

  std::string ehlo_argument() {
    if (chance(1, 20)) {
      ++stats_.ipv4_literal;
      return "[" + ipv4() + "]";
    }
    static constexpr std::string_view names[] = {"client", "mta", "out", "relay", "smtp-out"};
    const std::string_view name = pick(names);
    const std::string n = number(1, 99);
    return std::string(name) + n + "." + domain();
  }

  std::string ascii_local() {
    const std::size_t r = below(100);
    if (r < 50) {
      const std::string first(pick(first_));
      return first + "." + std::string(pick(last_));
    }
    if (r < 62) {
      const std::string first(pick(first_));
      return first + number(1, 999);
    }
    if (r < 72) {
      const char initial = pick(first_)[0];
      const std::string last(pick(last_));
      return std::string(1, initial) + "." + last + "+" + std::string(pick(tags_));
    }
    if (r < 82) return std::string(pick(roles_));
    if (r < 88) {  // VERP
      const std::string id = number(1000, 999999);
      const std::string tag = hex(8);
      return "bounces+" + id + "-" + tag + "=" + domain();
    }
    if (r < 93) {
      const std::string first(pick(first_));
      return first + "_" + std::string(pick(last_));
    }
    ++stats_.quoted_local;
    const std::string first(pick(first_));
    if (r < 97) return "\"" + first + " " + std::string(pick(last_)) + "\"";
    const std::string tag(pick(tags_));
    return "\"" + first + "\\\"" + tag + "\\\"@" + std::string(pick(last_)) +
           "\"";  // quoted-pairs and an "@" inside quotes
  }

  struct address {
    std::string local, domain;
    bool utf8 = false;
  };

  address mailbox(bool utf8) {
    address a;
    if (utf8) {
      a.utf8 = true;
      a.local = std::string(pick(utf8_locals_));
      a.domain = chance(1, 2) ? std::string(pick(utf8_domains_)) : domain();
    } else {
      a.local = ascii_local();
      a.domain = host();
    }
    return a;
  }

  /// "<local@domain>", counted in the statistics and the path octets.
  std::string path(const address& a) {
    ++stats_.paths;
    if (a.utf8) ++stats_.utf8_paths;
    expect_.path_octets += a.local.size() + a.domain.size();
    return "<" + a.local + "@" + a.domain + ">";
  }

  /// xtext (RFC 3461 §4): "+", "=" and octets outside "!".."~" as "+HH".
  static std::string xtext(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string x;
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 33 || c > 126 || c == '+' || c == '=') {
        x += '+';
        x += digits[c >> 4];
        x += digits[c & 15];
      } else {
        x += ch;
      }
    }
    return x;
  }

  /// utf-8-addr-xtext (RFC 6533 §3): non-ASCII code points and the octets
  /// QCHAR leaves out ("+", "=", "\", controls, SP) as \x{HEX}.
  static std::string utf8_addr_xtext(std::string_view s) {
    std::string x;
    char buf[16];
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      std::uint32_t cp = c;
      std::size_t len = 1;
      if (c >= 0xF0) {
        cp = c & 0x07u;
        len = 4;
      } else if (c >= 0xE0) {
        cp = c & 0x0Fu;
        len = 3;
      } else if (c >= 0xC0) {
        cp = c & 0x1Fu;
        len = 2;
      }
      for (std::size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
      i += len;
      if (cp > 0x20 && cp < 0x7F && cp != '+' && cp != '=' && cp != '\\') {
        x += static_cast<char>(cp);
      } else {
        std::snprintf(buf, sizeof buf, "\\x{%02X}", static_cast<unsigned>(cp));
        x += buf;
      }
    }
    return x;
  }

  // ---- commands ---------------------------------------------------------------------
  void transaction() {
    ++stats_.transactions;
    const bool smtputf8 = chance(1, 10);
    mail(smtputf8);
    const std::size_t recipients = range(1, 5);
    for (std::size_t i = 0; i < recipients; ++i) rcpt(smtputf8 && chance(2, 3));
    command_line(word("DATA"));
    ++stats_.data;
    ++expect_.data;
    if (bodies_) body();
  }

  void mail(bool smtputf8) {
    ++stats_.mail;
    ++expect_.mail;
    std::string s = word("MAIL");
    s += " " + word("FROM") + ":";
    const bool null_path = !smtputf8 && chance(1, 40);
    if (null_path) {
      ++stats_.paths;
      ++stats_.null_paths;
      s += "<>";
    } else {
      s += path(mailbox(smtputf8 && chance(3, 4)));
    }
    const std::size_t size = range(300, 40'000'000);
    expect_.size_sum += size;
    const std::string size_param = "SIZE=" + std::to_string(size);
    const std::size_t b = below(10);
    std::string body_param = "BODY=7BIT";
    if (b < 7) {
      body_param = "BODY=8BITMIME";
      ++expect_.eight_bit;
    }
    if (chance(1, 4)) {
      s += " " + body_param + " " + size_param;
    } else {
      s += " " + size_param + " " + body_param;
    }
    if (smtputf8) {
      ++stats_.smtputf8_mail;
      s += " SMTPUTF8";
    }
    if (chance(1, 3)) {
      ++stats_.dsn_mail;
      s += chance(1, 2) ? " RET=HDRS" : " RET=FULL";
      std::string envid;
      if (chance(1, 2)) {
        envid = "QQ" + number(100000, 99999999);
      } else {
        const std::string id = hex(16);
        const std::string n = number(1, 9);
        envid = "<" + id + "+" + n + "@" + domain() + ">";
      }
      s += " ENVID=" + xtext(envid);
    }
    if (!null_path && chance(1, 20)) {
      s += " AUTH=";
      if (chance(1, 2)) {
        s += "<>";
      } else {
        const std::string_view name = pick(first_);
        s += xtext(std::string(name) + "@" + domain());
      }
    }
    command_line(s);
  }

  void rcpt(bool utf8) {
    ++stats_.rcpt;
    ++expect_.rcpt;
    const address a = mailbox(utf8);
    std::string s = word("RCPT");
    s += " " + word("TO") + ":" + path(a);
    if (chance(9, 10)) {
      static constexpr std::string_view notify[] = {
          "SUCCESS,FAILURE", "FAILURE", "FAILURE,DELAY", "SUCCESS,FAILURE,DELAY", "NEVER", "DELAY"};
      static constexpr std::uint64_t bits[] = {3, 2, 6, 7, 8, 4};
      const std::size_t k = below(6);
      s += " NOTIFY=";
      s += notify[k];
      expect_.notify_bits += bits[k];
    }
    if (chance(7, 10)) {
      const std::string mailbox_text = a.local + "@" + a.domain;
      const std::string x = a.utf8 ? utf8_addr_xtext(mailbox_text) : xtext(mailbox_text);
      s += a.utf8 ? " ORCPT=utf-8;" : " ORCPT=rfc822;";
      s += x;
      expect_.orcpt_octets += x.size();
    }
    command_line(s);
  }

  /// The next 1-20 KiB of the message corpus at a line boundary, dot-stuffed,
  /// with the terminator.
  void body() {
    const std::size_t target = range(1024, 20 * 1024);
    while (pool_.size() - pool_at_ < target) text_.message();
    // Lines are at most ~950 octets, so a 1 KiB slice holds at least one.
    const std::size_t cr = pool_.rfind("\r\n", pool_at_ + target - 2);
    if (cr == std::string::npos || cr < pool_at_) corpus_fail("no line end in a body slice");
    const std::size_t end = cr + 2;
    const std::size_t start_out = out_.size();
    for (std::size_t i = pool_at_; i < end;) {
      const std::size_t eol = pool_.find('\n', i) + 1;
      if (pool_[i] == '.') {
        out_ += '.';
        ++stats_.stuffed_dots;
      }
      out_.append(pool_, i, eol - i);
      ++stats_.lines;
      i = eol;
    }
    out_ += ".\r\n";
    ++stats_.lines;
    ++stats_.bodies;
    stats_.body_bytes += out_.size() - start_out;
    ++expect_.bodies;
    expect_.body_octets += end - pool_at_;
    pool_at_ = end;
    if (pool_at_ > 1024 * 1024) {  // keep the pool small
      pool_.erase(0, pool_at_);
      pool_at_ = 0;
    }
  }

  std::string& out_;
  smtp_stream_stats& stats_;
  smtp_expect& expect_;
  std::mt19937_64 rng_;
  bool bodies_;
  std::string pool_;  // message text not yet used for bodies, from pool_at_
  std::size_t pool_at_ = 0;
  corpus_stats pool_stats_;
  generator text_;
};

inline smtp_stream make_stream(std::size_t bytes, std::uint64_t seed, bool bodies) {
  smtp_stream s;
  s.bytes.reserve(bytes + 64 * 1024);
  session_writer w(s, seed, bodies);
  while (s.bytes.size() < bytes) w.session();
  return s;
}

}  // namespace detail

/// Pipelined command lines only (every DATA refused): at least `bytes`
/// octets, whole sessions.
inline smtp_stream make_command_stream(std::size_t bytes, std::uint64_t seed = default_smtp_seed) {
  return detail::make_stream(bytes, seed, false);
}

/// The same kind of sessions with every DATA accepted and a 1-20 KiB
/// dot-stuffed body after it: at least `bytes` octets, whole sessions.
inline smtp_stream make_mixed_stream(std::size_t bytes, std::uint64_t seed = default_smtp_seed) {
  return detail::make_stream(bytes, seed, true);
}

}  // namespace mailwire_bench

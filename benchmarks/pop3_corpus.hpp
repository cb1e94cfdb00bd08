#pragma once
// Deterministic POP3 server streams for the client-side benchmark (no files,
// no network): what a server sends to a pipelining client that downloads a
// maildrop (RFC 1939, RFC 2449 §6.6).
//
// A seeded std::mt19937_64 writes sessions (connections) back to back:
//
//   +OK Dovecot ready. <4a1.5f3e9c2d@mail.example.org>   greeting (APOP timestamp)
//   +OK Capability list follows                          CAPA: 8-10 lines, "."
//   +OK                                                  USER
//   +OK Logged in.                                       PASS
//   +OK 143 2197364                                      STAT
//   +OK 143 messages:  1 15321 ... .                     LIST: one line a message, "."
//   +OK  1 000000015f3e9c2d4a1b0001 ... .                UIDL: one line a message, "."
//   +OK 15321 octets  <stuffed message>  .               RETR 1 ... RETR n
//   +OK Logging out.                                     QUIT
//
// Each session's server has a flavour (Dovecot-, Gmail-, Courier-,
// qpopper-like) that sets its texts, its CAPA lines and its uid format, and
// holds 1-250 messages. The messages are the foundation's message corpus
// (corpus.hpp, same generator and seed, so the bytes are the first messages of
// corpus::raw), dot-stuffed as a server sends them ("." before every line that
// starts with "."; every message ends in CRLF, so ".\r\n" ends the body). STAT
// and LIST sizes are the raw sizes (RFC 1939 §11: CRLF line ends, no
// stuffing).
//
// Every line is valid for pop3::client_parser<> with default options, given
// the client script of each session (client_script()): the greeting, CAPA,
// USER, PASS, STAT, LIST, UIDL, RETR 1..n, QUIT, in that order. pop3_expect
// holds the sums a client recomputes from the events, so a run that
// misparses anything is caught; pop3_stream::raw holds every message's raw
// bytes (message_sizes cuts them) for a full content comparison.
//
// Only the generator's own arithmetic on the engine output is used, and
// draws that make one line are named locals in the order they are written
// (never two in one expression: the operands of `a() + b()` have no
// evaluation order, and GCC and Clang differ), so the same seed and size give
// the same bytes with every compiler and standard library.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"

namespace mailwire_bench {

inline constexpr std::uint64_t default_pop3_seed = 0x706f70332d636c69ull;  // "pop3-cli"

/// One connection: its bytes are stream.bytes[begin, end).
struct pop3_session {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t first_message = 0;  ///< index into pop3_stream::message_sizes
  std::uint32_t messages = 0;     ///< RETR 1..messages
};

struct pop3_stream_stats {
  std::size_t sessions = 0;
  std::size_t messages = 0;
  std::size_t status_lines = 0;   ///< greeting and every response's first line
  std::size_t item_lines = 0;     ///< CAPA, LIST and UIDL body lines (not the ".")
  std::size_t body_octets = 0;    ///< RETR bodies on the wire, stuffing and "." CRLF included
  std::size_t stuffed_dots = 0;   ///< dots the server added
  std::size_t content_lines = 0;  ///< lines of the messages
};

/// What a client that reads every event gets, summed over the stream.
struct pop3_expect {
  std::uint64_t responses = 0;       ///< response events (all +OK)
  std::uint64_t multi_line = 0;      ///< responses with a body, = end events
  std::uint64_t capabilities = 0;    ///< capability events
  std::uint64_t list_items = 0;      ///< list_item events
  std::uint64_t list_size_sum = 0;   ///< their sizes
  std::uint64_t uidl_items = 0;      ///< uidl_item events
  std::uint64_t uid_octets = 0;      ///< their uids' lengths
  std::uint64_t stat_count = 0;      ///< STAT message counts
  std::uint64_t stat_size = 0;       ///< STAT maildrop sizes
  std::uint64_t messages = 0;        ///< RETR end events
  std::uint64_t content_octets = 0;  ///< data event octets (= RETR end sizes)
};

struct pop3_stream {
  std::string bytes;
  std::vector<pop3_session> sessions;
  std::vector<std::uint32_t> message_sizes;  ///< raw size of every message, in order
  std::string raw;                           ///< every message's raw bytes, in order
  pop3_stream_stats stats;
  pop3_expect expect;
};

namespace detail {

class pop3_writer {
 public:
  pop3_writer(pop3_stream& s, std::uint64_t seed)
      : s_(s), rng_(seed), text_(s.raw, pool_stats_, default_corpus_seed) {}

  void session() {
    const std::size_t flavour = below(4);
    const std::uint32_t n = static_cast<std::uint32_t>(range(1, 250));
    pop3_session ses;
    ses.begin = s_.bytes.size();
    ses.first_message = s_.message_sizes.size();
    ses.messages = n;
    // The messages first: STAT and LIST need their sizes.
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::size_t before = s_.raw.size();
      text_.message();
      const std::size_t size = s_.raw.size() - before;
      s_.message_sizes.push_back(static_cast<std::uint32_t>(size));
      total += size;
    }
    static constexpr const char* greetings[] = {"Dovecot ready.", "Gpop ready for requests",
                                                "Hello there.", "Qpopper (version 4.1.0) at"};
    const std::string stamp_pid = hex(4);  // the APOP timestamp <pid.clock@host>
    const std::string stamp_clock = hex(8);
    status("+OK " + std::string(greetings[flavour]) + " <" + stamp_pid + "." + stamp_clock + "@" +
           (flavour == 1 ? "pop.gmail.example" : "mail.example.org") + ">");
    capa(flavour);
    status(flavour == 1 ? "+OK send PASS" : "+OK");
    status(flavour == 0   ? "+OK Logged in."
           : flavour == 1 ? "+OK Welcome."
           : flavour == 2 ? "+OK logged in."
                          : "+OK user has " + std::to_string(n) + " visible messages");
    status("+OK " + std::to_string(n) + " " + std::to_string(total));
    s_.expect.stat_count += n;
    s_.expect.stat_size += total;
    // LIST
    status(flavour == 2 ? "+OK POP3 clients that break here, they violate STD53."
                        : "+OK " + std::to_string(n) + " messages:");
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t size = s_.message_sizes[ses.first_message + i];
      item(std::to_string(i + 1) + " " + std::to_string(size));
      ++s_.expect.list_items;
      s_.expect.list_size_sum += size;
    }
    end_items();
    // UIDL
    status("+OK");
    const std::string mailbox = hex(8);
    for (std::uint32_t i = 0; i < n; ++i) {
      std::string uid;
      switch (flavour) {
        case 0:  // 24 hex digits
          uid = mailbox + hex(8);
          uid += hex(8);
          break;
        case 1: uid = "GmailId" + hex(16); break;
        case 2: uid = std::to_string(1700000000 + i * 37) + "." + mailbox + ",S=" + hex(4); break;
        default: uid = hex(4) + "-" + std::to_string(i + 1); break;
      }
      item(std::to_string(i + 1) + " " + uid);
      ++s_.expect.uidl_items;
      s_.expect.uid_octets += uid.size();
    }
    end_items();
    // RETR 1..n
    std::size_t at = s_.raw.size();
    for (std::uint32_t i = 0; i < n; ++i) at -= s_.message_sizes[ses.first_message + i];
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t size = s_.message_sizes[ses.first_message + i];
      status(flavour == 1   ? std::string("+OK message follows")
             : flavour == 2 ? "+OK " + std::to_string(size) + " octets follow."
                            : "+OK " + std::to_string(size) + " octets");
      body(std::string_view(s_.raw).substr(at, size));
      at += size;
      ++s_.expect.messages;
      ++s_.expect.multi_line;
      s_.expect.content_octets += size;
    }
    status(flavour == 1 ? "+OK Farewell." : "+OK Logging out.");
    ses.end = s_.bytes.size();
    s_.sessions.push_back(ses);
    ++s_.stats.sessions;
    s_.stats.messages += n;
  }

 private:
  std::uint64_t next() { return rng_(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  std::size_t range(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }

  std::string hex(std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i % 16 == 0) v = next();
      s += digits[v & 15];
      v >>= 4;
    }
    return s;
  }

  void status(const std::string& line) {
    s_.bytes += line;
    s_.bytes += "\r\n";
    ++s_.stats.status_lines;
    ++s_.expect.responses;
  }
  void item(const std::string& line) {
    s_.bytes += line;
    s_.bytes += "\r\n";
    ++s_.stats.item_lines;
  }
  void end_items() {
    s_.bytes += ".\r\n";
    ++s_.expect.multi_line;
  }

  void capa(std::size_t flavour) {
    status("+OK Capability list follows");
    static constexpr const char* common[] = {"TOP", "UIDL", "RESP-CODES", "PIPELINING", "USER"};
    std::size_t lines = 0;
    for (const char* c : common) {
      item(c);
      ++lines;
    }
    switch (flavour) {
      case 0:
        item("CAPA");
        item("AUTH-RESP-CODE");
        item("SASL PLAIN LOGIN");
        lines += 3;
        break;
      case 1:
        item("EXPIRE 0");
        item("LOGIN-DELAY 300");
        item("X-GOOGLE-RICO");
        item("SASL PLAIN XOAUTH2 OAUTHBEARER");
        lines += 4;
        break;
      case 2:
        item("IMPLEMENTATION Courier Mail Server");
        item("UTF8 USER");
        lines += 2;
        break;
      default:
        item("EXPIRE NEVER");
        item("LOGIN-DELAY 0");
        item("IMPLEMENTATION Qpopper-version-4.1.0");
        lines += 3;
        break;
    }
    s_.expect.capabilities += lines;
    end_items();
  }

  /// The message dot-stuffed, then "." CRLF (it ends in CRLF).
  void body(std::string_view m) {
    const std::size_t start = s_.bytes.size();
    for (std::size_t i = 0; i < m.size();) {
      const std::size_t eol = m.find('\n', i) + 1;
      if (m[i] == '.') {
        s_.bytes += '.';
        ++s_.stats.stuffed_dots;
      }
      s_.bytes.append(m.data() + i, eol - i);
      ++s_.stats.content_lines;
      i = eol;
    }
    s_.bytes += ".\r\n";
    s_.stats.body_octets += s_.bytes.size() - start;
  }

  pop3_stream& s_;
  std::mt19937_64 rng_;
  corpus_stats pool_stats_;
  generator text_;
};

}  // namespace detail

/// Whole sessions, at least `bytes` octets of server stream in all.
inline pop3_stream make_pop3_stream(std::size_t bytes, std::uint64_t seed = default_pop3_seed) {
  pop3_stream s;
  s.bytes.reserve(bytes + 8 * 1024 * 1024);
  s.raw.reserve(bytes + 8 * 1024 * 1024);
  detail::pop3_writer w(s, seed);
  while (s.bytes.size() < bytes) w.session();
  return s;
}

}  // namespace mailwire_bench

// Helpers shared by the POP3 fuzz targets (pop3_server.cpp,
// pop3_server_split.cpp, pop3_client.cpp, pop3_client_split.cpp): the parser
// options from the first input bytes, heap-allocated parsers of either
// capacity, and independent models of the POP3 grammar written here from RFC
// 1939, RFC 2449, RFC 4648, RFC 5034 and RFC 6856 (and the documented choices
// of command.hpp, server_parser.hpp, response.hpp and client_parser.hpp),
// without calling the functions they are compared with.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/server_parser.hpp"
#include "support.hpp"

namespace fuzz {

// ---------------------------------------------------------------------------
// Server side: options and parser

/// pop3::server_parser options from one byte. Zero is the default parser
/// (Capacity 255, RFC limits, strict).
///   bits 0-1  max_line_length:      255, 8, 64, 1024
///   bits 2-3  max_auth_line_length: 12288, 0, 3, 24
///   bit 4     allow_extra_spaces
///   bit 5     allow_bare_lf
///   bit 6     Capacity 1024 instead of 255
///   bit 7     left to the target
struct pop3_server_config {
  mailwire::pop3::server_parser_options options;
  bool large = false;
  /// Longest line the parser's line reader takes (line end included).
  std::size_t reader_max = 0;
};

inline pop3_server_config pop3_server_config_from(std::uint8_t b) {
  static constexpr std::size_t kLine[] = {255, 8, 64, 1024};
  static constexpr std::size_t kAuth[] = {12288, 0, 3, 24};
  pop3_server_config c;
  c.options.max_line_length = kLine[b & 3];
  c.options.max_auth_line_length = kAuth[(b >> 2) & 3];
  c.options.allow_extra_spaces = (b & 0x10) != 0;
  c.options.allow_bare_lf = (b & 0x20) != 0;
  c.large = (b & 0x40) != 0;
  const std::size_t capacity = c.large ? 1024 : 255;
  c.reader_max = c.options.max_line_length < capacity ? c.options.max_line_length : capacity;
  return c;
}

/// Calls f(parser) with a fresh server_parser of the configured Capacity, on
/// the heap so that an overrun of its line buffer is an ASan report.
template <class F>
void with_pop3_server(const pop3_server_config& c, F&& f) {
  if (c.large) {
    const auto p = std::make_unique<mailwire::pop3::server_parser<1024>>(c.options);
    f(*p);
  } else {
    const auto p = std::make_unique<mailwire::pop3::server_parser<255>>(c.options);
    f(*p);
  }
}

// ---------------------------------------------------------------------------
// Client side: options, queue and parser

/// pop3::client_parser options from the first three bytes. Zero gives the
/// default options (Capacity 512, RFC limits, strict, the default decoder).
///   byte 0  bit 0     Capacity 2048 instead of 512
///           bits 1-2  max_status_length:    512, 8, 64, 4096
///           bits 3-4  max_item_line_length: 512, 8, 64, 4096
///           bit 5     any_case_status
///           bit 6     allow_control
///           bit 7     left to the target
///   byte 1  bits 0-5  the RETR/TOP decoder (fuzz::decoder_options_from)
///           bits 6-7  left to the target
///   byte 2  bits 5-6  max_challenge_length: 12288, 8, 64, 600 (the other
///                     bits are the split, fuzz::split_plan)
struct pop3_client_config {
  mailwire::pop3::client_parser_options options;
  bool large = false;
  std::size_t reader_max = 0;
};

inline pop3_client_config pop3_client_config_from(const std::uint8_t* b) {
  static constexpr std::size_t kLen[] = {512, 8, 64, 4096};
  static constexpr std::size_t kChallenge[] = {12288, 8, 64, 600};
  pop3_client_config c;
  mailwire::pop3::client_parser_options& o = c.options;
  c.large = (b[0] & 1) != 0;
  o.max_status_length = kLen[(b[0] >> 1) & 3];
  o.max_item_line_length = kLen[(b[0] >> 3) & 3];
  o.any_case_status = (b[0] & 0x20) != 0;
  o.allow_control = (b[0] & 0x40) != 0;
  o.body = decoder_options_from(b[1]);
  o.max_challenge_length = kChallenge[(b[2] >> 5) & 3];
  const std::size_t capacity = c.large ? 2048 : 512;
  std::size_t longest =
      o.max_status_length > o.max_item_line_length ? o.max_status_length : o.max_item_line_length;
  if (o.max_challenge_length > longest) longest = o.max_challenge_length;
  c.reader_max = longest < capacity ? longest : capacity;
  return c;
}

inline constexpr std::size_t kPop3QueueCapacity = 32;

template <class F>
void with_pop3_client(const pop3_client_config& c, F&& f) {
  if (c.large) {
    const auto p =
        std::make_unique<mailwire::pop3::client_parser<2048, kPop3QueueCapacity>>(c.options);
    f(*p);
  } else {
    const auto p =
        std::make_unique<mailwire::pop3::client_parser<512, kPop3QueueCapacity>>(c.options);
    f(*p);
  }
}

/// The client's commands, from the queue bytes of a pop3_client input
/// (pop3_client.cpp, pop3_client_split.cpp): one byte per command written.
///   bits 0-4  the verb (value % 18, in pop3::verb order: 0 unknown)
///   bit 5     has_argument
///   bit 6     the greeting instead (verb unknown)
/// The queue header byte: bits 0-5 the number of queue bytes, bits 6-7 how
/// many commands the client keeps in flight: 1, 3, 32 or all at once (which
/// overfills the parser's queue).
struct pop3_queue_plan {
  std::vector<mailwire::pop3::expected> commands;
  std::size_t window = 1;
};

inline mailwire::pop3::expected pop3_expected_from(std::uint8_t b) {
  mailwire::pop3::expected e;
  if ((b & 0x40) != 0) {
    e.greeting = true;
    return e;
  }
  e.verb = static_cast<mailwire::pop3::verb>((b & 0x1F) % 18);
  e.has_argument = (b & 0x20) != 0;
  return e;
}

/// The queue of a pop3_client input: the queue header byte after the three
/// option bytes, then its command bytes. Returns how many input bytes the
/// header and the queue take (where the server's stream starts), or 0 when
/// the input is too short to hold them.
inline std::size_t pop3_queue_from(const std::uint8_t* data, std::size_t size, pop3_queue_plan& q) {
  constexpr std::size_t kHeader = 4;
  if (size < kHeader) return 0;
  const std::size_t n = data[3] & 0x3F;
  if (size < kHeader + n) return 0;
  static constexpr std::size_t kWindow[] = {1, 3, 32, SIZE_MAX};
  q.window = kWindow[data[3] >> 6];
  q.commands.clear();
  for (std::size_t i = 0; i < n; ++i) q.commands.push_back(pop3_expected_from(data[kHeader + i]));
  return kHeader + n;
}

// ---------------------------------------------------------------------------
// Models (independent of the library's own functions)

namespace pop3_model {

using mailwire::errc;
using mailwire::pop3::verb;

inline bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool alnum(unsigned char c) { return digit(c) || alpha(c); }
inline bool vchar(unsigned char c) { return c > 0x20 && c < 0x7F; }
inline bool ctl(unsigned char c) { return c < 0x20 || c == 0x7F; }
inline bool has_ctl(std::string_view s) {
  for (const char c : s)
    if (ctl(static_cast<unsigned char>(c))) return true;
  return false;
}
inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
inline bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

/// The keywords in pop3::verb order (index 0: unknown).
inline constexpr std::string_view kVerbs[] = {"",     "USER", "PASS", "APOP", "AUTH", "STLS",
                                              "CAPA", "UTF8", "LANG", "STAT", "LIST", "RETR",
                                              "DELE", "NOOP", "RSET", "TOP",  "UIDL", "QUIT"};

inline verb verb_of(std::string_view keyword) {
  for (std::size_t i = 1; i < sizeof kVerbs / sizeof kVerbs[0]; ++i)
    if (iequal(keyword, kVerbs[i])) return static_cast<verb>(i);
  return verb::unknown;
}

/// 1*DIGIT with a value <= max (leading zeros allowed).
inline bool number(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!digit(static_cast<unsigned char>(c))) return false;
  std::size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  if (s.size() - i > 20) return false;
  // Compare as decimal strings against max: same length, lexical order.
  const std::string_view digits = s.substr(i);
  char buf[24];
  std::size_t n = 0;
  for (std::uint64_t m = max;; m /= 10) {
    buf[n++] = static_cast<char>('0' + m % 10);
    if (m < 10) break;
  }
  std::string_view maxs;
  char rev[24];
  for (std::size_t k = 0; k < n; ++k) rev[k] = buf[n - 1 - k];
  maxs = std::string_view(rev, n);
  if (digits.size() > maxs.size() || (digits.size() == maxs.size() && digits > maxs)) return false;
  std::uint64_t v = 0;
  for (const char c : digits) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  out = v;
  return true;
}

/// RFC 4648 §4 base64, strict: whole groups, '=' only as the last one or
/// two octets of the last group, zero pad bits (RFC 4648 §3.5). "" is valid.
inline bool base64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  const auto value = [](unsigned char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '=') {
      const std::size_t left = s.size() - i;  // this '=' and what follows
      if (left > 2) return false;
      if (left == 2 && s[i + 1] != '=') return false;
      if (i % 4 < 2) return false;  // (never: whole groups and left <= 2)
      // The symbol before the padding must have zero unused bits.
      const int last = value(static_cast<unsigned char>(s[i - 1]));
      if (left == 2 && (last & 0x0F) != 0) return false;  // "xx==": 4 pad bits
      if (left == 1 && (last & 0x03) != 0) return false;  // "xxx=": 2 pad bits
      return true;
    }
    if (value(c) < 0) return false;
  }
  return true;
}

/// Well-formed UTF-8 (RFC 3629 §4): no overlongs, no surrogates, <= U+10FFFF.
inline bool utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    i += n + 1;
  }
  return true;
}

/// RFC 4647 §2.1 basic language range, or "*".
inline bool language_range(std::string_view s) {
  if (s == "*") return true;
  if (s.empty()) return false;
  std::size_t start = 0;
  bool first = true;
  for (;;) {
    const std::size_t dash = s.find('-', start);
    const std::string_view sub =
        s.substr(start, dash == std::string_view::npos ? dash : dash - start);
    if (sub.empty() || sub.size() > 8) return false;
    for (const char c : sub)
      if (!(first ? alpha(static_cast<unsigned char>(c)) : alnum(static_cast<unsigned char>(c))))
        return false;
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
    first = false;
  }
}

/// What the server parser should make of one well-framed command line
/// (content without its line end).
struct command_verdict {
  errc error = errc{};
  verb v = verb::unknown;
  std::string_view verb_text;
  std::string_view argument;
  std::string_view detail;
  // Typed fields (meaningful when error == errc{}).
  std::string_view name, password, digest, mechanism, initial_response, language;
  std::uint32_t message = 0;
  bool has_message = false;
  std::uint32_t lines = 0;
  bool has_initial_response = false;
  /// expect_sasl_response() is allowed after it.
  bool sasl = false;
};

/// A SASL mechanism name (RFC 4422 §3.1; any case, as the parser takes it).
inline bool mechanism_name(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!alnum(u) && u != '-' && u != '_') return false;
  }
  return true;
}

/// What an error may echo of a first word: only a keyword's shape (3*4VCHAR,
/// RFC 2449 §3); a longer word may hold a password ("PASS\thunter2").
inline std::string_view keyword_shaped(std::string_view word) {
  if (word.size() < 3 || word.size() > 4) return {};
  for (const char c : word) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E) return {};
  }
  return word;
}

inline command_verdict command(std::string_view line, bool lenient) {
  command_verdict r;
  const std::size_t sp = line.find(' ');
  r.verb_text = sp == std::string_view::npos ? line : line.substr(0, sp);
  r.v = verb_of(r.verb_text);
  const auto fail = [&r](errc e, std::string_view detail = {}) {
    r.error = e;
    r.detail = detail;
    // Past an AUTH line's mechanism are credentials: its errors keep the
    // mechanism only (nothing if the first word is none) and name nothing.
    if (r.v == verb::auth) {
      const std::string_view word = r.argument.substr(0, r.argument.find(' '));
      r.argument = mechanism_name(word) ? word : std::string_view{};
      r.detail = {};
    }
    // APOP's digest comes from the shared secret: nothing of the line.
    if (r.v == verb::apop) r.argument = r.detail = r.name = {};
    return r;
  };
  if (r.v == verb::unknown) {
    // A first word that is no keyword may be a secret: not kept either.
    if (keyword_shaped(r.verb_text).empty()) r.verb_text = r.verb_text.substr(0, 0);
    return fail(errc::unknown_command, keyword_shaped(r.verb_text));
  }
  r.argument = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  if (r.v == verb::pass) {
    if (r.argument.empty()) return fail(errc::missing_argument);
    // SP and VCHAR, then well-formed UTF-8 (RFC 2449 §3, RFC 6856 §2).
    for (const char ch : r.argument) {
      const auto o = static_cast<unsigned char>(ch);
      if (o != ' ' && (o < 0x21 || o == 0x7f)) return fail(errc::invalid_syntax);
    }
    if (!utf8(r.argument)) return fail(errc::invalid_utf8);
    r.password = r.argument;
    return r;
  }
  std::vector<std::string_view> items;
  if (sp != std::string_view::npos) {
    std::size_t i = 0;
    for (;;) {
      const std::size_t j = r.argument.find(' ', i);
      const std::string_view item = r.argument.substr(i, j == std::string_view::npos ? j : j - i);
      if (item.empty()) {
        if (!lenient) return fail(errc::invalid_syntax, item);
      } else {
        items.push_back(item);
      }
      if (j == std::string_view::npos) break;
      i = j + 1;
    }
  }
  std::size_t least = 0, most = 0;
  switch (r.v) {
    case verb::user: least = most = 1; break;
    case verb::apop: least = most = 2; break;
    case verb::auth: most = 2; break;
    case verb::lang:
    case verb::list:
    case verb::uidl: most = 1; break;
    case verb::retr:
    case verb::dele: least = most = 1; break;
    case verb::top: least = most = 2; break;
    case verb::stls:
    case verb::capa:
    case verb::utf8:
    case verb::stat:
    case verb::noop:
    case verb::rset:
    case verb::quit:
    case verb::pass:
    case verb::unknown: break;
  }
  if (items.size() < least) return fail(errc::missing_argument);
  if (items.size() > most) return fail(errc::unexpected_argument, items[most]);
  const std::string_view first = items.empty() ? std::string_view{} : items[0];
  const std::string_view second = items.size() < 2 ? std::string_view{} : items[1];
  const auto message = [&](std::string_view s) {
    std::uint64_t v = 0;
    if (!number(s, 0xFFFFFFFFu, v) || v == 0) return false;
    r.message = static_cast<std::uint32_t>(v);
    r.has_message = true;
    return true;
  };
  switch (r.v) {
    case verb::user:
    case verb::apop: {
      for (const char c : first)
        if (static_cast<unsigned char>(c) < 0x80 && !vchar(static_cast<unsigned char>(c)))
          return fail(errc::invalid_syntax, first);
      if (!utf8(first)) return fail(errc::invalid_utf8, first);
      r.name = first;
      if (r.v == verb::apop) {
        bool hex = second.size() == 32;
        for (const char c : second) {
          const auto u = static_cast<unsigned char>(c);
          if (!digit(u) && !((u | 0x20) >= 'a' && (u | 0x20) <= 'f')) hex = false;
        }
        if (!hex) return fail(errc::invalid_digest);  // never echoed: from the secret
        r.digest = second;
      }
      return r;
    }
    case verb::auth: {
      if (items.empty()) return r;
      if (!mechanism_name(first)) return fail(errc::invalid_mechanism);
      r.mechanism = first;
      if (items.size() == 2) {
        r.has_initial_response = true;
        if (second != "=") {
          if (!base64(second)) return fail(errc::invalid_base64, second);
          r.initial_response = second;
        }
      }
      r.sasl = true;
      return r;
    }
    case verb::lang:
      if (!items.empty()) {
        if (!language_range(first)) return fail(errc::invalid_language_range, first);
        r.language = first;
      }
      return r;
    case verb::list:
    case verb::uidl:
      if (!items.empty() && !message(first)) return fail(errc::invalid_message_number, first);
      return r;
    case verb::retr:
    case verb::dele:
      if (!message(first)) return fail(errc::invalid_message_number, first);
      return r;
    case verb::top: {
      if (!message(first)) return fail(errc::invalid_message_number, first);
      std::uint64_t n = 0;
      if (!number(second, 0xFFFFFFFFu, n)) return fail(errc::invalid_line_count, second);
      r.lines = static_cast<std::uint32_t>(n);
      return r;
    }
    case verb::stls:
    case verb::capa:
    case verb::utf8:
    case verb::stat:
    case verb::noop:
    case verb::rset:
    case verb::quit:
    case verb::pass:
    case verb::unknown: return r;
  }
  return r;
}

// --- Client side ------------------------------------------------------------

/// Does a +OK to `e` start a body (RFC 1939 §5, §7; RFC 2449 §5; RFC 6856 §3)?
inline bool multi_line(const mailwire::pop3::expected& e) {
  if (e.greeting) return false;
  switch (e.verb) {
    case verb::capa:
    case verb::retr:
    case verb::top: return true;
    case verb::list:
    case verb::uidl:
    case verb::lang:
    case verb::auth: return !e.has_argument;  // bare AUTH: the mechanism list
    case verb::user:
    case verb::pass:
    case verb::apop:
    case verb::stls:
    case verb::utf8:
    case verb::stat:
    case verb::dele:
    case verb::noop:
    case verb::rset:
    case verb::quit:
    case verb::unknown: return false;
  }
  return false;
}

struct listing_verdict {
  errc error = errc{};
  std::uint32_t number = 0;
  std::uint64_t size = 0;
  std::string_view uid;
};

/// "number SP size [SP anything]" (RFC 1939 §5): STAT (min 0) and LIST (min 1).
inline listing_verdict number_size(std::string_view s, std::uint64_t min) {
  listing_verdict r;
  const std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp + 1 == s.size() || s[sp + 1] == ' ') {
    r.error = errc::invalid_listing;
    return r;
  }
  const std::string_view rest = s.substr(sp + 1);
  std::uint64_t n = 0, size = 0;
  if (!number(s.substr(0, sp), 0xFFFFFFFFu, n) || n < min) {
    r.error = errc::invalid_message_number;
    return r;
  }
  if (!number(rest.substr(0, rest.find(' ')), UINT64_MAX, size)) {
    r.error = errc::invalid_message_size;
    return r;
  }
  r.number = static_cast<std::uint32_t>(n);
  r.size = size;
  return r;
}

/// "msg SP uid", uid = 1*70 VCHAR and nothing after it (RFC 1939 §7).
inline listing_verdict unique_id(std::string_view s) {
  listing_verdict r;
  const std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0) {
    r.error = errc::invalid_listing;
    return r;
  }
  std::uint64_t n = 0;
  if (!number(s.substr(0, sp), 0xFFFFFFFFu, n) || n == 0) {
    r.error = errc::invalid_message_number;
    return r;
  }
  const std::string_view uid = s.substr(sp + 1);
  bool ok = !uid.empty() && uid.size() <= 70;
  for (const char c : uid) ok = ok && vchar(static_cast<unsigned char>(c));
  if (!ok) {
    r.error = errc::invalid_uid;
    return r;
  }
  r.number = static_cast<std::uint32_t>(n);
  r.uid = uid;
  return r;
}

/// The first "<...>" span with an "@" and only ASCII VCHAR inside.
inline std::string_view apop_timestamp(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '<') continue;
    bool at = false;
    for (std::size_t j = i + 1; j < text.size(); ++j) {
      const auto c = static_cast<unsigned char>(text[j]);
      if (c == '>') {
        if (at) return text.substr(i, j - i + 1);
        break;
      }
      if (c == '<' || c <= ' ' || c >= 0x7F) break;  // msg-id: ASCII VCHAR
      if (c == '@') at = true;
    }
  }
  return {};
}

/// A status line: "+OK" / "-ERR", SP text or nothing, an optional response
/// code at the start of the text (RFC 2449 §8).
struct status_verdict {
  errc error = errc{};
  bool ok = true;
  bool has_code = false;
  std::string_view code_text;
  mailwire::pop3::response_code_kind kind = mailwire::pop3::response_code_kind::none;
  std::string_view text;
};

inline status_verdict status(std::string_view line, bool any_case) {
  status_verdict r;
  const auto starts = [&](std::string_view w) {
    if (line.size() < w.size()) return false;
    return any_case ? iequal(line.substr(0, w.size()), w) : line.substr(0, w.size()) == w;
  };
  std::size_t n = 0;
  if (starts("+OK")) {
    n = 3;
  } else if (starts("-ERR")) {
    n = 4;
    r.ok = false;
  } else {
    r.error = errc::invalid_status;
    return r;
  }
  if (line.size() > n && line[n] != ' ') {
    r.error = errc::invalid_status;
    return r;
  }
  r.text = line.size() > n ? line.substr(n + 1) : std::string_view{};
  const std::string_view text = r.text;
  if (text.empty() || text[0] != '[') return r;
  const std::size_t close = text.find(']');
  if (close == std::string_view::npos) return r;
  const std::string_view levels = text.substr(1, close - 1);
  // resp-level = 1*rchar, rchar = %x21-2E / %x30-5C / %x5E-7F.
  std::vector<std::string_view> parts;
  for (std::size_t i = 0;;) {
    const std::size_t slash = levels.find('/', i);
    parts.push_back(levels.substr(i, slash == std::string_view::npos ? slash : slash - i));
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  for (const std::string_view p : parts) {
    if (p.empty()) return r;
    for (const char ch : p) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x21 || c > 0x7F) return r;
    }
  }
  if (close + 1 < text.size() && text[close + 1] != ' ') return r;
  r.has_code = true;
  r.code_text = levels;
  using k = mailwire::pop3::response_code_kind;
  if (iequal(parts[0], "IN-USE"))
    r.kind = k::in_use;
  else if (iequal(parts[0], "LOGIN-DELAY"))
    r.kind = k::login_delay;
  else if (iequal(parts[0], "AUTH"))
    r.kind = k::auth;
  else if (iequal(parts[0], "UTF8"))
    r.kind = k::utf8;
  else if (iequal(parts[0], "SYS") && parts.size() > 1 && iequal(parts[1], "TEMP"))
    r.kind = k::sys_temp;
  else if (iequal(parts[0], "SYS") && parts.size() > 1 && iequal(parts[1], "PERM"))
    r.kind = k::sys_perm;
  else
    r.kind = k::other;
  std::size_t i = close + 1;
  while (i < text.size() && text[i] == ' ') ++i;
  r.text = text.substr(i);
  return r;
}

/// Dot-unstuffing of a RETR/TOP body (RFC 1939 §3) from `wire`, the octets
/// after the +OK line: the end is the first ".\r\n" at a line start (the
/// start of `wire` is one; otherwise only after CRLF); a line-start dot is
/// dropped. `normalize` rewrites a bare CR or LF as CRLF (not a line start).
/// Returns false when no terminator is in `wire`; `end` is just past it.
inline bool unstuff(std::string_view wire, bool normalize, std::string& out, std::size_t& end) {
  out.clear();
  bool line_start = true;
  std::size_t i = 0;
  while (i < wire.size()) {
    const char c = wire[i];
    if (line_start && c == '.') {
      if (wire.substr(i, 3) == ".\r\n") {
        end = i + 3;
        return true;
      }
      ++i;
      line_start = false;
      continue;
    }
    line_start = false;
    if (c == '\r' && i + 1 < wire.size() && wire[i + 1] == '\n') {
      out += "\r\n";
      i += 2;
      line_start = true;
      continue;
    }
    if ((c == '\r' || c == '\n') && normalize) {
      out += "\r\n";
    } else {
      out += c;
    }
    ++i;
  }
  return false;
}

}  // namespace pop3_model
}  // namespace fuzz

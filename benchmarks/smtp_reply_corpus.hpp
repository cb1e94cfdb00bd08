#pragma once
// Deterministic SMTP server streams for the client-side benchmark (no files,
// no network): what a server sends to a pipelining client (RFC 2920).
//
// A seeded std::mt19937_64 writes sessions back to back:
//
//   220 mx1.example.com ESMTP ...                (1 in 10: a 2-3 line banner)
//   250-mx1.example.com Hello out7.example.net [192.0.2.7]
//   250-PIPELINING ... 250 STARTTLS              (10-15 lines in all)
//   then transactions:
//   250 2.1.0 Sender OK                          MAIL (1 in 100 refused: 550 5.7.1,
//                                                 and 503 5.5.1 for its RCPTs and DATA)
//   250 2.1.5 Recipient OK                       1-5 RCPT; some 550 5.1.1 user unknown
//                                                 (3 lines from the provider), 450
//                                                 4.2.0 greylisted, 554 5.7.1 relay
//                                                 denied, and 452 4.5.3 too many
//                                                 recipients for the rest of a transaction
//   354 End data with <CR><LF>.<CR><LF>          DATA (554 5.5.1 when no RCPT succeeded)
//   250 2.0.0 Ok: queued as 4Bx7Yz1Q2wz9sB       the message (1 in 100: 552 5.3.4 or
//                                                 550 5.7.26)
//   250 2.0.0 Ok                                 RSET between transactions (1 in 5)
//   221 2.0.0 Bye                                after a transaction, 1 in 4 (so about 4
//                                                 transactions a session); 1 in 50 of
//                                                 these sessions end with an unprompted
//                                                 421 4.4.2 instead
//
// Each session's server has a flavour (Postfix-like, Exim-like, Sendmail-like,
// a large provider's with tracking ids and long multi-line rejections, or a
// generic one) that sets its texts and queue-id format; all texts are written
// for this benchmark. 7 in 8 servers advertise ENHANCEDSTATUSCODES and then
// put an RFC 3463 code on every line of every 2xx/4xx/5xx reply outside the
// greeting and the EHLO reply (never on 354); the others send none, so the
// texts of their replies start right after the code.
//
// Every line is valid for smtp::client_parser<> with default options: codes
// of one reply agree, texts are printable ASCII, lines stay far below 512
// octets and replies below 128 lines. reply_expect holds the sums a client
// recomputes from the events (codes, enhanced codes, text views), so a run
// that misparses anything is caught.
//
// Only the generator's own arithmetic on the engine output is used, and every
// expression draws in a fixed order (see cat()), so the same seed and size
// give the same bytes with every compiler and standard library.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

namespace mailwire_bench {

inline constexpr std::uint64_t default_reply_seed = 0x736d74702d636c69ull;  // "smtp-cli"

struct reply_stream_stats {
  std::size_t sessions = 0;
  std::size_t enhanced_sessions = 0;  ///< servers that send enhanced codes
  std::size_t transactions = 0;
  std::size_t replies = 0;
  std::size_t lines = 0;              ///< all CRLF lines (every line is a reply line)
  std::size_t multiline_replies = 0;  ///< replies of 2 lines or more
  std::size_t ehlo_lines = 0;         ///< lines of EHLO replies
  std::size_t rcpt_accepted = 0;      ///< 250 to RCPT
  std::size_t rcpt_refused = 0;       ///< 4xx or 5xx to RCPT
  std::size_t data_refused = 0;       ///< DATA answered other than 354
  std::size_t messages_refused = 0;   ///< 5xx after the message
  std::size_t unprompted_421 = 0;     ///< sessions ended by the server
};

/// What a client that reads every event gets, summed over the stream.
struct reply_expect {
  std::uint64_t replies = 0;
  std::uint64_t lines = 0;
  std::uint64_t code_sum = 0;          ///< reply codes (reply events)
  std::uint64_t line_code_sum = 0;     ///< line codes (line events)
  std::uint64_t enhanced_replies = 0;  ///< reply events with an enhanced code
  std::uint64_t enhanced_lines = 0;    ///< line events with an enhanced code
  std::uint64_t class_sum = 0;         ///< enhanced class of reply events
  std::uint64_t subject_sum = 0;       ///< enhanced subject of reply events
  std::uint64_t detail_sum = 0;        ///< enhanced detail of reply events
  std::uint64_t text_octets = 0;       ///< line texts (after code, separator, enhanced code)
  std::uint64_t text_first_sum = 0;    ///< first octet of every non-empty line text
  std::uint64_t last_text_octets = 0;  ///< reply texts (the last line's)
};

struct reply_stream {
  std::string bytes;
  reply_stream_stats stats;
  reply_expect expect;
};

namespace detail {

/// RFC 3463 status code as numbers; cls 0 for none.
struct status {
  unsigned cls = 0, subject = 0, detail = 0;
};

class reply_writer {
 public:
  reply_writer(reply_stream& s, std::uint64_t seed)
      : out_(s.bytes), stats_(s.stats), expect_(s.expect), rng_(seed) {}

  void session() {
    ++stats_.sessions;
    flavour_ = static_cast<flavour>(below(5));
    enhanced_ = !chance(1, 8);
    if (enhanced_) ++stats_.enhanced_sessions;
    host_ = server_host();
    client_ = client_host();
    client_ip_ = client_address();
    greeting();
    ehlo();
    for (;;) {
      transaction();
      if (chance(1, 4)) break;
      if (chance(1, 5)) simple(250, {2, 0, 0}, rset_text());
    }
    if (chance(1, 50)) {
      ++stats_.unprompted_421;
      simple(421, {4, 4, 2}, host_ + " Error: timeout exceeded");
    } else {
      simple(221, {2, 0, 0}, bye_text());
    }
  }

 private:
  enum class flavour { postfix, exim, sendmail, provider, generic };

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
  /// The parts joined. Several draws go through here (or one per statement)
  /// because the elements of a braced list are evaluated in order, while the
  /// operands of `a() + b()` and function arguments are not: with `+`, GCC and
  /// Clang would draw in different orders and write different streams.
  static std::string cat(std::initializer_list<std::string> parts) {
    std::string s;
    for (const std::string& p : parts) s += p;
    return s;
  }
  /// n octets drawn from `alphabet`.
  std::string draw(std::string_view alphabet, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += alphabet[below(alphabet.size())];
    return s;
  }

  // ---- output ---------------------------------------------------------------
  /// One reply line: code, "-" or SP, the enhanced code (when this server
  /// sends them and `st` has one) and its SP, the text, CRLF.
  void line(unsigned code, bool last, status st, std::string_view text) {
    if (!enhanced_) st = status{};
    out_ += std::to_string(code);
    out_ += last ? ' ' : '-';
    if (st.cls != 0) {
      out_ += std::to_string(st.cls) + "." + std::to_string(st.subject) + "." +
              std::to_string(st.detail) + " ";
      ++expect_.enhanced_lines;
    }
    out_ += text;
    out_ += "\r\n";
    ++stats_.lines;
    ++expect_.lines;
    expect_.line_code_sum += code;
    expect_.text_octets += text.size();
    if (!text.empty()) expect_.text_first_sum += static_cast<unsigned char>(text[0]);
    ++lines_in_reply_;
    if (last) {
      ++stats_.replies;
      ++expect_.replies;
      if (lines_in_reply_ > 1) ++stats_.multiline_replies;
      lines_in_reply_ = 0;
      expect_.code_sum += code;
      expect_.last_text_octets += text.size();
      if (st.cls != 0) {
        ++expect_.enhanced_replies;
        expect_.class_sum += st.cls;
        expect_.subject_sum += st.subject;
        expect_.detail_sum += st.detail;
      }
    }
  }
  void simple(unsigned code, status st, std::string_view text) { line(code, true, st, text); }

  // ---- vocabulary -------------------------------------------------------------
  static constexpr std::string_view bases_[] = {
      "example.com", "example.net",    "example.org",   "example.co.uk", "example-mail.de",
      "example.io",  "example.com.au", "example.co.jp", "example.fr",    "bigcorp-example.com"};
  static constexpr std::string_view mx_names_[] = {
      "mx",    "mx1",      "mx2",        "mail",          "smtp",       "inbound",
      "mx-in", "mail-in3", "smtp-in-04", "mx-eu-west-1b", "mta7.relay", "edge02.mx"};
  static constexpr std::string_view client_names_[] = {"out",     "mta", "relay", "smtp-out",
                                                       "mail-gw", "o",   "bounce"};
  static constexpr std::string_view locals_[] = {
      "alice", "bob.smith", "carol",   "dave.jones", "erin.garcia", "frank",  "grace.lee",
      "heidi", "ivan.k",    "judy",    "olivia.m",   "peggy",       "rupert", "sybil.hall",
      "trent", "victor",    "walter",  "yuki.n",     "zoe",         "priya",  "info",
      "sales", "support",   "billing", "noreply",    "jobs",        "team",   "hr"};
  static constexpr std::string_view days_[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view months_[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr std::string_view alnum_ =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static constexpr std::string_view lower_alnum_ = "0123456789abcdefghijklmnopqrstuvwxyz";
  static constexpr std::string_view upper_hex_ = "0123456789ABCDEF";

  std::string domain() { return std::string(pick(bases_)); }
  std::string server_host() { return cat({std::string(pick(mx_names_)), ".", domain()}); }
  std::string client_host() {
    return cat({std::string(pick(client_names_)), number(1, 99), ".", domain()});
  }
  std::string client_address() {
    if (chance(1, 10))
      return cat({"IPv6:2001:db8:", draw("0123456789abcdef", range(1, 4)),
                  "::", draw("0123456789abcdef", range(1, 4))});
    static constexpr std::string_view nets[] = {"192.0.2.", "198.51.100.", "203.0.113."};
    return cat({std::string(pick(nets)), number(1, 254)});
  }
  std::string mailbox() { return cat({std::string(pick(locals_)), "@", domain()}); }
  std::string date() {
    // One draw per statement: function arguments have no evaluation order.
    const std::string_view day = pick(days_);
    const std::size_t mday = range(1, 28);
    const std::string_view month = pick(months_);
    const std::size_t hour = below(24);
    const std::size_t minute = below(60);
    const std::size_t second = below(60);
    const char* const zone = chance(1, 2) ? "+0000" : "-0500";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3s, %02zu %.3s 2024 %02zu:%02zu:%02zu %s", day.data(), mday,
                  month.data(), hour, minute, second, zone);
    return buf;
  }
  /// A large provider's per-transaction tracking id: "a1b2...x.17".
  std::string tracking() { return cat({draw(lower_alnum_, range(14, 18)), ".", number(1, 999)}); }

  /// Queue ids in the styles of the flavours (formats only, values random).
  std::string queue_id() {
    switch (flavour_) {
      case flavour::postfix:  // long form ids (base 52-ish) or the short hex form
        return chance(3, 4) ? draw("0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz", 14)
                            : draw(upper_hex_, range(10, 12));
      case flavour::exim: return cat({draw(alnum_, 6), "-", draw(alnum_, 6), "-", draw(alnum_, 2)});
      case flavour::sendmail: return cat({draw(alnum_, 8), number(100000, 999999)});
      case flavour::provider: return tracking();
      case flavour::generic: return cat({draw(upper_hex_, 8), "-", draw(upper_hex_, 4)});
    }
    return {};
  }

  // ---- replies ------------------------------------------------------------------
  void greeting() {
    std::string first = host_;
    switch (flavour_) {
      case flavour::postfix:
        first += chance(1, 2) ? " ESMTP Postfix" : " ESMTP Postfix (Debian/GNU)";
        break;
      case flavour::exim: first += " ESMTP Exim 4.97 " + date(); break;
      case flavour::sendmail: first += " ESMTP Sendmail 8.18.1/8.18.1; " + date(); break;
      case flavour::provider: first += " ESMTP ready " + tracking() + " - mxsvc"; break;
      case flavour::generic: first += " SMTP service ready at " + date(); break;
    }
    if (chance(1, 10)) {
      line(220, false, {}, first);
      static constexpr std::string_view notes[] = {
          "Unsolicited bulk mail is not accepted here.",
          "All connections are logged; abuse reports to abuse@example.net.",
          "This system is for the use of authorised senders only.",
      };
      if (chance(1, 2)) line(220, false, {}, pick(notes));
      line(220, true, {}, pick(notes));
    } else {
      simple(220, {}, first);
    }
  }

  void ehlo() {
    std::string first = host_;
    switch (flavour_) {
      case flavour::postfix: break;
      case flavour::exim: first += " Hello " + client_ + " [" + client_ip_ + "]"; break;
      case flavour::sendmail:
        first += " Hello " + client_ + " [" + client_ip_ + "], pleased to meet you";
        break;
      case flavour::provider: first += " at your service, [" + client_ip_ + "]"; break;
      case flavour::generic: first += " Hello [" + client_ip_ + "]"; break;
    }
    static constexpr std::string_view sizes[] = {"10240000", "20971520", "35882577", "52428800",
                                                 "157286400"};
    static constexpr std::string_view auths[] = {"AUTH PLAIN LOGIN XOAUTH2", "AUTH PLAIN LOGIN",
                                                 "AUTH LOGIN PLAIN CRAM-MD5", "AUTH=PLAIN LOGIN",
                                                 "AUTH GSSAPI NTLM PLAIN LOGIN"};
    static constexpr std::string_view extras[] = {"VRFY",
                                                  "ETRN",
                                                  "BINARYMIME",
                                                  "DELIVERBY 3600",
                                                  "REQUIRETLS",
                                                  "MT-PRIORITY MIXER",
                                                  "HELP",
                                                  "LIMITS RCPTMAX=100 MAILMAX=1000",
                                                  "X-EXPS GSSAPI NTLM",
                                                  "XCLIENT NAME ADDR PROTO HELO",
                                                  "NO-SOLICITING",
                                                  "DEFLATE"};
    constexpr std::size_t max_keywords = 9 + sizeof extras / sizeof extras[0];
    std::string keywords[max_keywords];
    std::size_t n = 0;
    keywords[n++] = "PIPELINING";
    keywords[n++] = "SIZE " + std::string(pick(sizes));
    keywords[n++] = "8BITMIME";
    if (enhanced_) keywords[n++] = "ENHANCEDSTATUSCODES";
    keywords[n++] = std::string(pick(auths));
    keywords[n++] = "DSN";
    keywords[n++] = "SMTPUTF8";
    keywords[n++] = "CHUNKING";
    keywords[n++] = "STARTTLS";
    // Extras drawn without repetition (a partial Fisher-Yates over their
    // indices) until the reply has 10-15 lines with the first.
    const std::size_t total = range(10, 15);
    std::size_t order[sizeof extras / sizeof extras[0]];
    for (std::size_t i = 0; i < sizeof extras / sizeof extras[0]; ++i) order[i] = i;
    for (std::size_t i = 0; n + 1 < total; ++i) {
      const std::size_t j = i + below(sizeof extras / sizeof extras[0] - i);
      const std::size_t t = order[i];
      order[i] = order[j];
      order[j] = t;
      keywords[n++] = std::string(extras[order[i]]);
    }
    // Each server lists its keywords in its own order.
    for (std::size_t i = n - 1; i > 0; --i) {
      const std::size_t j = below(i + 1);
      keywords[i].swap(keywords[j]);
    }
    line(250, false, {}, first);
    for (std::size_t i = 0; i < n; ++i) line(250, i + 1 == n, {}, keywords[i]);
    stats_.ehlo_lines += n + 1;
  }

  std::string sender_ok(const std::string& from) {
    switch (flavour_) {
      case flavour::postfix: return "Ok";
      case flavour::exim: return "OK";
      case flavour::sendmail: return "<" + from + ">... Sender ok";
      case flavour::provider: return "OK " + tracking_ + " - mxsvc";
      case flavour::generic: return chance(1, 2) ? "Sender OK" : "<" + from + "> Sender OK";
    }
    return {};
  }
  std::string recipient_ok(const std::string& to) {
    switch (flavour_) {
      case flavour::postfix: return "Ok";
      case flavour::exim: return "Accepted";
      case flavour::sendmail: return "<" + to + ">... Recipient ok";
      case flavour::provider: return "OK " + tracking_ + " - mxsvc";
      case flavour::generic: return "Recipient OK";
    }
    return {};
  }
  std::string rset_text() {
    switch (flavour_) {
      case flavour::postfix: return "Ok";
      case flavour::exim: return "Reset OK";
      case flavour::sendmail: return "Reset state";
      case flavour::provider: return "Flushed " + tracking() + " - mxsvc";
      case flavour::generic: return "Resetting";
    }
    return {};
  }
  std::string bye_text() {
    switch (flavour_) {
      case flavour::postfix: return "Bye";
      case flavour::exim:
      case flavour::sendmail: return host_ + " closing connection";
      case flavour::provider: return "closing connection " + tracking() + " - mxsvc";
      case flavour::generic: return "Service closing transmission channel";
    }
    return {};
  }

  /// 550 5.1.1 for a mailbox that does not exist; the provider explains at
  /// length (a 3-line reply, each line with its own copy of the code).
  void user_unknown(const std::string& to) {
    if (flavour_ == flavour::provider) {
      const status st{5, 1, 1};
      line(550, false, st, "The mailbox you tried to reach does not exist here. Please check");
      line(550, false, st, "the address for typing errors and spaces, or ask the recipient");
      line(550, true, st, "for a current address. " + tracking_ + " - mxsvc");
      return;
    }
    switch (flavour_) {
      case flavour::postfix:
        simple(550, {5, 1, 1},
               "<" + to + ">: Recipient address rejected: User unknown in virtual mailbox table");
        break;
      case flavour::exim: simple(550, {5, 1, 1}, "Unrouteable address"); break;
      case flavour::sendmail: simple(550, {5, 1, 1}, "<" + to + ">... User unknown"); break;
      case flavour::provider:
      case flavour::generic:
        simple(550, {5, 1, 1}, "<" + to + ">: Recipient address rejected: User unknown");
        break;
    }
  }

  void transaction() {
    ++stats_.transactions;
    tracking_ = tracking();
    const std::string from = mailbox();
    const bool mail_refused = chance(1, 100);
    if (mail_refused) {
      simple(550, {5, 7, 1}, "<" + from + ">: Sender address rejected: Access denied");
    } else {
      simple(250, {2, 1, 0}, sender_ok(from));
    }
    const std::size_t recipients = range(1, 5);
    std::size_t accepted = 0;
    bool too_many = false;
    for (std::size_t i = 0; i < recipients; ++i) {
      const std::string to = mailbox();
      if (mail_refused) {
        simple(503, {5, 5, 1}, "Error: need MAIL command");
        ++stats_.rcpt_refused;
        continue;
      }
      if (!too_many && i > 0 && chance(1, 40)) too_many = true;
      if (too_many) {
        simple(452, {4, 5, 3}, "Too many recipients");
        ++stats_.rcpt_refused;
        continue;
      }
      const std::size_t r = below(200);
      if (r < 10) {
        user_unknown(to);
      } else if (r < 13) {
        simple(450, {4, 2, 0},
               "<" + to + ">: Recipient address rejected: Greylisted, retry in 5 minutes");
      } else if (r < 15) {
        simple(554, {5, 7, 1}, "<" + to + ">: Relay access denied");
      } else {
        simple(250, {2, 1, 5}, recipient_ok(to));
        ++accepted;
        ++stats_.rcpt_accepted;
        continue;
      }
      ++stats_.rcpt_refused;
    }
    if (accepted == 0) {
      ++stats_.data_refused;
      if (mail_refused)
        simple(503, {5, 5, 1}, "Error: need RCPT command");
      else
        simple(554, {5, 5, 1}, "Error: no valid recipients");
      return;
    }
    // RFC 3463 §3: never an enhanced code on 354.
    switch (flavour_) {
      case flavour::postfix: simple(354, {}, "End data with <CR><LF>.<CR><LF>"); break;
      case flavour::exim:
        simple(354, {}, "Enter message, ending with \".\" on a line by itself");
        break;
      case flavour::sendmail:
        simple(354, {}, "Enter mail, end with \".\" on a line by itself");
        break;
      case flavour::provider: simple(354, {}, "Go ahead " + tracking_ + " - mxsvc"); break;
      case flavour::generic: simple(354, {}, "Start mail input; end with <CR><LF>.<CR><LF>"); break;
    }
    const std::size_t outcome = below(100);
    if (outcome == 0) {
      ++stats_.messages_refused;
      simple(552, {5, 3, 4}, "Error: message file too big");
    } else if (outcome == 1) {
      ++stats_.messages_refused;
      simple(550, {5, 7, 26},
             "Unauthenticated mail from " + domain() + " is not accepted due to its DMARC policy");
    } else {
      switch (flavour_) {
        case flavour::postfix: simple(250, {2, 0, 0}, "Ok: queued as " + queue_id()); break;
        case flavour::exim: simple(250, {2, 0, 0}, "OK id=" + queue_id()); break;
        case flavour::sendmail:
          simple(250, {2, 0, 0}, queue_id() + " Message accepted for delivery");
          break;
        case flavour::provider:
          simple(250, {2, 0, 0},
                 cat({"OK  ", number(1700000000, 1735000000), " ", queue_id(), " - mxsvc"}));
          break;
        case flavour::generic:
          simple(250, {2, 0, 0}, "Queued mail for delivery as " + queue_id());
          break;
      }
    }
  }

  std::string& out_;
  reply_stream_stats& stats_;
  reply_expect& expect_;
  std::mt19937_64 rng_;
  flavour flavour_ = flavour::postfix;
  bool enhanced_ = true;
  std::string host_, client_, client_ip_, tracking_;
  std::size_t lines_in_reply_ = 0;
};

}  // namespace detail

/// Server sessions back to back: at least `bytes` octets, whole sessions.
inline reply_stream make_reply_stream(std::size_t bytes, std::uint64_t seed = default_reply_seed) {
  reply_stream s;
  s.bytes.reserve(bytes + 64 * 1024);
  detail::reply_writer w(s, seed);
  while (s.bytes.size() < bytes) w.session();
  return s;
}

}  // namespace mailwire_bench

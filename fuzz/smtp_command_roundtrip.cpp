// Fuzz target: every writer of smtp/command_writer.hpp, fed fields taken raw
// from the input, against smtp::server_parser.
//
// Input: a header, then the chosen writer's fields in the order of its
// signature.
//   byte 0     the writer (mod 25): 0-2 write_helo/ehlo/lhlo; 3-5 write_mail
//              with mailbox_parts, null_path, a path; 6-8 write_rcpt with
//              mailbox_parts, postmaster, a path; 9 write_data; 10 write_bdat;
//              11-13 write_rset/quit/starttls; 14-18 write_vrfy/expn/help/
//              noop/etrn; 19 write_auth; 20 write_auth with a raw initial
//              response; 21 write_auth_base64; 22 write_sasl_response;
//              23 write_sasl_response_base64; 24 write_sasl_cancel
//   byte 1     bit 0  five octets are already in the sinks (they must survive)
//              bit 2  feed the written bytes to the parser in two pieces
//   bytes 2-3  the capacity of a second, small sink (see below)
//   byte 4     where the two pieces are cut
// Fields (fuzz::field_reader in support.hpp): a number is 1, 2, 4 or 8
// octets, little-endian; a text field is a slice: a length octet b < 0xE0 and
// b raw octets; 0xE0-0xEF and one more octet: a 12-bit length and that many
// raw octets; 0xF0-0xFF: a 16-bit length, then a unit (a length octet 0-15 and
// its octets) repeated to that length. Slices may hold anything (CR, LF, NUL,
// SP, 8-bit); each lives in an exact-size heap block of its own, so a read
// past it is an ASan report. A missing octet reads as 0, a missing slice as
// empty. The fields of MAIL and RCPT parameters and of paths:
// mail_parameters_from, rcpt_parameters_from and path_from below (a presence
// mask, then each present field; enumerators may be out of range on purpose).
//
// Checked:
// - all or nothing (fuzz::sinks in roundtrip_support.hpp): each writer runs
//   into a growing appendable_sink (the reference), a fixed_sink of exactly
//   the reference's size, one of the capacity from bytes 2-3, and one whose
//   failed() latch is already set; an error leaves a sink exactly as it was
//   (size, prefix, failed() as before); the exact sink gives the same bytes;
//   the small one the reference's error, or, when the reference succeeded,
//   the same bytes if they fit and errc::buffer_too_small if not (errors come
//   before the sink, as command_writer.hpp documents); the failed one the
//   field error or buffer_too_small, and it stays failed;
// - a written line ends in exactly one CRLF and holds no other CR, LF or NUL,
//   and fits the limit of its verb (512, MAIL/RCPT 2048, SASL lines 12288);
// - a default server_parser<> (set_smtputf8 when rcpt_parameters say the
//   transaction has SMTPUTF8) reads it as exactly one command event, never an
//   error and never a second command, and consumes every octet: the same
//   verb (verb_text upper case) and the same values:
//     HELO/EHLO/LHLO, VRFY, EXPN, HELP, NOOP, ETRN  argument as given;
//     MAIL/RCPT  the path: kind; the local part written with the least
//                quoting of its content (RFC 5321 §4.1.2: as a Dot-string when
//                it is one, else DQUOTE with "\" before each DQUOTE and "\"
//                only), checked against a model written here, so its content
//                (for a relayed path: the content after unquoting) comes back;
//                domain as given; utf8 exactly when a path octet is >= 0x80;
//                no source route. The parameters: in order, typed fields first
//                (upper-case keywords) then the extensions as given; every
//                typed accessor gives the field's value (AUTH=, ENVID=, ORCPT=
//                after xtext decoding with a decoder written here), known
//                keywords given as extensions are present and valid, no other
//                known kind is present, has_unknown() exactly for unknown
//                extension keywords;
//     BDAT       chunk size and LAST; a chunk of 0 octets is followed by its
//                data_end (size 0, chunk, last as written), a longer one by
//                need_more (its octets are not there);
//     AUTH       the mechanism upper-cased (the writer upper-cases it, RFC
//                4422 §3.1 mech-char); the initial response base64 of the raw
//                octets (compared as text with an encoder written here, so it
//                must be canonical), "=" for an empty one, or the caller's
//                base64 text as given;
//     SASL lines after "AUTH X" and expect_sasl_response(): sasl_data pieces
//                whose concatenation is the base64 text, then one sasl_end
//                (cancelled for "*").
// The extension_list refuses a ninth parameter and stays as it was.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/smtp/command_writer.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "roundtrip_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using namespace mailwire::smtp;

// --- the input -------------------------------------------------------------------

void add_extensions(fuzz::field_reader& in, extension_list& list) {
  const std::size_t count = in.byte() % 10;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view keyword = in.slice();
    const std::string_view value = in.slice();
    const std::size_t before = list.size();
    const errc e = list.add(keyword, value);
    FUZZ_CHECK((e == errc{}) == (before < extension_list::capacity));
    FUZZ_CHECK(list.size() == before + (e == errc{} ? 1 : 0));
  }
}

mail_parameters mail_parameters_from(fuzz::field_reader& in) {
  mail_parameters p;
  const std::uint16_t present = in.u16();
  if (present & 0x001) p.size = in.u64();
  if (present & 0x002) p.body = static_cast<body_type>(in.byte() % 4);  // 3: no enumerator
  p.smtputf8 = (present & 0x004) != 0;
  p.requiretls = (present & 0x008) != 0;
  if (present & 0x010) p.auth = in.slice();
  if (present & 0x020) p.ret = static_cast<ret_type>(in.byte() % 3);  // 2: no enumerator
  if (present & 0x040) p.envid = in.slice();
  if (present & 0x080) p.mt_priority = static_cast<std::int8_t>(in.byte());
  if (present & 0x100) {
    deliver_by b;
    b.seconds = static_cast<std::int32_t>(in.u32());
    const std::uint8_t mode = in.byte();
    b.mode = static_cast<by_mode>((mode & 0x7F) % 3);  // 2: no enumerator
    b.trace = (mode & 0x80) != 0;
    p.by = b;
  }
  if (present & 0x200) p.holdfor = in.u32();
  if (present & 0x400) p.holduntil = in.slice();
  add_extensions(in, p.extensions);
  return p;
}

rcpt_parameters rcpt_parameters_from(fuzz::field_reader& in) {
  rcpt_parameters p;
  const std::uint8_t present = in.byte();
  if (present & 0x01) {
    const std::uint8_t f = in.byte();
    p.notify = notify_flags{(f & 1) != 0, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0};
  }
  if (present & 0x02) {
    const std::string_view type = in.slice();
    p.orcpt = original_recipient{type, in.slice()};
  }
  if (present & 0x04) {
    const std::string_view date_time = in.slice();
    p.rrvs = rrvs_value{date_time, static_cast<rrvs_mode>(in.byte() % 3)};  // 2: no enumerator
  }
  p.transaction_smtputf8 = (present & 0x08) != 0;
  add_extensions(in, p.extensions);
  return p;
}

/// A path as server_parser returns it (parsed from a slice) or made by hand.
path path_from(fuzz::field_reader& in) {
  const std::uint8_t m = in.byte();
  if (m & 1) {
    path_options o;
    o.allow_null = (m & 0x02) != 0;
    o.allow_postmaster = (m & 0x04) != 0;
    o.utf8 = (m & 0x08) != 0;
    o.allow_missing_brackets = (m & 0x10) != 0;
    o.enforce_length_limits = (m & 0x20) == 0;
    const path_result r = parse_path(in.slice(), o);
    if (r.ok()) return r.path;
    path none;
    none.kind = path_kind::mailbox;  // empty local part: the writer refuses it
    return none;
  }
  path p;
  p.kind = static_cast<path_kind>((m >> 1) % 3);
  p.local_part = in.slice();
  p.domain = in.slice();
  return p;
}

// --- models written from the RFCs --------------------------------------------------

bool model_atext(unsigned char c) {
  return ascii::is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
                                   std::string_view::npos;
}

/// Dot-string = Atom *("." Atom), Atom = 1*atext (RFC 5321 §4.1.2); octets >=
/// 0x80 count as atext (RFC 6531 §3.3: the writer has checked their UTF-8).
bool model_dot_string(std::string_view s) {
  bool atom_empty = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (atom_empty) return false;
      atom_empty = true;
    } else if (c >= 0x80 || model_atext(c)) {
      atom_empty = false;
    } else {
      return false;
    }
  }
  return !atom_empty;
}

/// The local part with the least quoting (RFC 5321 §4.1.2).
std::string model_least_quoted(std::string_view content) {
  if (model_dot_string(content)) return std::string(content);
  std::string out = "\"";
  for (const char c : content) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// The content of a received local part: DQUOTEs dropped, "\x" read as x.
std::string model_unquote(std::string_view lp) {
  if (lp.empty() || lp[0] != '"') return std::string(lp);
  std::string out;
  for (std::size_t i = 1; i + 1 < lp.size(); ++i) {
    if (lp[i] == '\\' && i + 2 < lp.size()) ++i;
    out += lp[i];
  }
  return out;
}

bool has_8bit(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// xtext (RFC 3461 §4): "+" and two hex digits stand for one octet; nullopt
/// for a "+" without them.
std::optional<std::string> model_xtext_decode(std::string_view x) {
  std::string out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] != '+') {
      out += x[i];
      continue;
    }
    if (i + 2 >= x.size()) return std::nullopt;
    const int hi = hex_value(x[i + 1]), lo = hex_value(x[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii::to_upper(c);
  return out;
}

// --- the checks ----------------------------------------------------------------

/// The path as written: `content` is the local part's content.
void check_mailbox(const path& got, std::string_view content, std::string_view domain) {
  const std::string local = model_least_quoted(content);
  FUZZ_CHECK(got.kind == path_kind::mailbox);
  FUZZ_CHECK(got.local_part == local);
  FUZZ_CHECK(got.quoted == (local[0] == '"'));
  FUZZ_CHECK(got.domain == domain);
  FUZZ_CHECK((got.domain_type == domain_kind::name) == (domain[0] != '['));
  FUZZ_CHECK(got.utf8 == (has_8bit(local) || has_8bit(domain)));
  FUZZ_CHECK(!got.source_route);
}

/// The written form of a path given to write_mail/write_rcpt(path).
void check_relayed_path(const path& got, const path& given) {
  switch (given.kind) {
    case path_kind::null:
      FUZZ_CHECK(got.kind == path_kind::null && got.local_part.empty() && got.domain.empty());
      return;
    case path_kind::postmaster:
      FUZZ_CHECK(got.kind == path_kind::postmaster && got.local_part == given.local_part);
      FUZZ_CHECK(got.domain.empty());
      return;
    case path_kind::mailbox:
      check_mailbox(got, model_unquote(given.local_part), given.domain);
      return;
  }
  FUZZ_CHECK(false);
}

/// One parameter expected in the list, in order.
struct expected_parameter {
  parameter_kind kind;
  std::string_view keyword;  // upper case for typed fields, as given for extensions
  bool has_value;
  std::optional<std::string_view> value;  // the exact text, where it is known
};

parameter_kind kind_of_keyword(std::string_view keyword) {
  for (const parameter_rule& r : parameter_rules)
    if (ascii::iequals(r.keyword, keyword)) return r.kind;
  return parameter_kind::unknown;
}

void expect_extensions(const extension_list& list, std::vector<expected_parameter>& out) {
  for (const extension_parameter& e : list)
    out.push_back({kind_of_keyword(e.keyword), e.keyword, !e.value.empty(), e.value});
}

/// The list holds exactly `expected`, in order; every known kind not expected
/// is absent; every known one is valid by its typed accessor.
void check_list(const parameter_list& list, const std::vector<expected_parameter>& expected) {
  FUZZ_CHECK(list.count() == expected.size());
  bool unknown = false;
  auto it = list.begin();
  for (const expected_parameter& x : expected) {
    FUZZ_CHECK(it != list.end());
    FUZZ_CHECK(it->kind == x.kind && it->keyword == x.keyword && it->has_value == x.has_value);
    if (x.value) FUZZ_CHECK(it->value == *x.value);
    unknown = unknown || x.kind == parameter_kind::unknown;
    ++it;
  }
  FUZZ_CHECK(it == list.end());
  FUZZ_CHECK(list.has_unknown() == unknown);
  for (int k = 0; k < static_cast<int>(parameter_kind::unknown); ++k) {
    const auto kind = static_cast<parameter_kind>(k);
    bool listed = false;
    for (const expected_parameter& x : expected) listed = listed || x.kind == kind;
    FUZZ_CHECK(list.contains(kind) == listed);
  }
}

template <class T>
void check_typed(const param_result<T>& r, bool typed_field) {
  // A known keyword given as an extension is present and valid too.
  if (typed_field) FUZZ_CHECK(r.present);
  if (r.present) FUZZ_CHECK(r.ok());
}

bool decodes_to(std::string_view xtext, std::string_view raw) {
  const std::optional<std::string> d = model_xtext_decode(xtext);
  return d && *d == raw;
}

void check_mail_list(const parameter_list& list, const mail_parameters& p) {
  std::vector<expected_parameter> x;
  if (p.size) x.push_back({parameter_kind::size, "SIZE", true, std::nullopt});
  if (p.body) x.push_back({parameter_kind::body, "BODY", true, std::nullopt});
  if (p.smtputf8) x.push_back({parameter_kind::smtputf8, "SMTPUTF8", false, std::string_view()});
  if (p.requiretls)
    x.push_back({parameter_kind::requiretls, "REQUIRETLS", false, std::string_view()});
  if (p.auth) x.push_back({parameter_kind::auth, "AUTH", true, std::nullopt});
  if (p.ret) x.push_back({parameter_kind::ret, "RET", true, std::nullopt});
  if (p.envid) x.push_back({parameter_kind::envid, "ENVID", true, std::nullopt});
  if (p.mt_priority) x.push_back({parameter_kind::mt_priority, "MT-PRIORITY", true, std::nullopt});
  if (p.by) x.push_back({parameter_kind::by, "BY", true, std::nullopt});
  if (p.holdfor) x.push_back({parameter_kind::holdfor, "HOLDFOR", true, std::nullopt});
  if (p.holduntil) x.push_back({parameter_kind::holduntil, "HOLDUNTIL", true, *p.holduntil});
  expect_extensions(p.extensions, x);
  check_list(list, x);

  const auto size = list.declared_size();
  check_typed(size, p.size.has_value());
  if (p.size) FUZZ_CHECK(size.value == *p.size);
  const auto body = list.body();
  check_typed(body, p.body.has_value());
  if (p.body) FUZZ_CHECK(body.value == *p.body);
  check_typed(list.smtputf8(), p.smtputf8);
  check_typed(list.requiretls(), p.requiretls);
  const auto auth = list.auth();
  check_typed(auth, p.auth.has_value());
  if (p.auth) FUZZ_CHECK(decodes_to(auth.value, *p.auth));
  const auto ret = list.ret();
  check_typed(ret, p.ret.has_value());
  if (p.ret) FUZZ_CHECK(ret.value == *p.ret);
  const auto envid = list.envid();
  check_typed(envid, p.envid.has_value());
  if (p.envid) FUZZ_CHECK(decodes_to(envid.value, *p.envid));
  const auto priority = list.mt_priority();
  check_typed(priority, p.mt_priority.has_value());
  if (p.mt_priority) FUZZ_CHECK(priority.value == *p.mt_priority);
  const auto by = list.by();
  check_typed(by, p.by.has_value());
  if (p.by) {
    FUZZ_CHECK(by.value.seconds == p.by->seconds && by.value.mode == p.by->mode);
    FUZZ_CHECK(by.value.trace == p.by->trace);
  }
  const auto holdfor = list.holdfor();
  check_typed(holdfor, p.holdfor.has_value());
  if (p.holdfor) FUZZ_CHECK(holdfor.value == *p.holdfor);
  const auto holduntil = list.holduntil();
  check_typed(holduntil, p.holduntil.has_value());
  if (p.holduntil) FUZZ_CHECK(holduntil.value == *p.holduntil);
  // The writer refuses known RCPT keywords in MAIL (the parser would take them).
  FUZZ_CHECK(!list.contains(parameter_kind::notify) && !list.contains(parameter_kind::orcpt));
  FUZZ_CHECK(!list.contains(parameter_kind::rrvs));
}

void check_rcpt_list(const parameter_list& list, const rcpt_parameters& p) {
  std::vector<expected_parameter> x;
  if (p.notify) x.push_back({parameter_kind::notify, "NOTIFY", true, std::nullopt});
  if (p.orcpt) x.push_back({parameter_kind::orcpt, "ORCPT", true, std::nullopt});
  if (p.rrvs) x.push_back({parameter_kind::rrvs, "RRVS", true, std::nullopt});
  expect_extensions(p.extensions, x);
  check_list(list, x);

  const auto notify = list.notify();
  check_typed(notify, p.notify.has_value());
  if (p.notify) {
    const notify_flags& a = notify.value;
    const notify_flags& b = *p.notify;
    FUZZ_CHECK(a.never == b.never && a.success == b.success && a.failure == b.failure &&
               a.delay == b.delay);
  }
  const auto orcpt = list.orcpt();
  check_typed(orcpt, p.orcpt.has_value());
  if (p.orcpt) {
    FUZZ_CHECK(orcpt.value.addr_type == p.orcpt->addr_type);
    FUZZ_CHECK(decodes_to(orcpt.value.address, p.orcpt->address));
  }
  const auto rrvs = list.rrvs();
  check_typed(rrvs, p.rrvs.has_value());
  if (p.rrvs) {
    FUZZ_CHECK(rrvs.value.date_time == p.rrvs->date_time && rrvs.value.mode == p.rrvs->mode);
  }
  for (int k = 0; k < static_cast<int>(parameter_kind::notify); ++k)
    FUZZ_CHECK(!list.contains(static_cast<parameter_kind>(k)));  // MAIL keywords are refused
}

// --- feeding the parser --------------------------------------------------------------

struct feed_plan {
  bool split = false;
  std::uint8_t cut = 0;
};

/// Feeds `bytes` to a default server_parser<> (whole, or in two pieces, each in
/// its own exact-size block) and calls on_event(parser, event) for every event
/// but need_more. Every octet must be consumed.
template <class OnEvent>
void drive(std::string_view bytes, const feed_plan& plan, bool smtputf8, OnEvent&& on_event) {
  const auto p = std::make_unique<server_parser<>>();
  p->set_smtputf8(smtputf8);
  std::size_t events = 0;
  fuzz::for_each_piece(bytes, fuzz::two_pieces(bytes.size(), plan.split, plan.cut),
                       [&](std::string_view piece, std::size_t at, bool) {
                         p->feed(piece);
                         for (;;) {
                           const server_event& ev = p->next();
                           if (ev.kind == server_event_kind::need_more) {
                             FUZZ_CHECK(ev.offset == at + piece.size() && p->rest().empty());
                             return true;
                           }
                           FUZZ_CHECK(++events <= 16);
                           on_event(*p, ev);
                         }
                       });
  FUZZ_CHECK(p->offset() == bytes.size());
}

/// What follows the command in the same stream: nothing, or (BDAT 0) the
/// end of its empty chunk.
struct after {
  bool empty_chunk = false;
  bool last = false;  ///< the chunk's LAST
};

/// `bytes` must be one command that `check` accepts, and nothing else.
template <class Check>
void expect_one_command(std::string_view bytes, const feed_plan& plan, bool smtputf8,
                        const after& then, Check&& check) {
  int commands = 0, chunk_ends = 0;
  drive(bytes, plan, smtputf8, [&](server_parser<>&, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::command:
        FUZZ_CHECK(++commands == 1);
        FUZZ_CHECK(ev.offset == 0 && ev.error == errc{});
        FUZZ_CHECK(ev.command.verb_text == name(ev.command.verb));
        check(ev.command);
        return;
      case server_event_kind::data_end:
        FUZZ_CHECK(commands == 1 && then.empty_chunk && ++chunk_ends == 1);
        FUZZ_CHECK(ev.chunk && ev.size == 0 && ev.last == then.last && ev.error == errc{});
        FUZZ_CHECK(ev.offset == bytes.size());
        return;
      case server_event_kind::need_more:
      case server_event_kind::data:
      case server_event_kind::sasl_data:
      case server_event_kind::sasl_end:
      case server_event_kind::error: break;
    }
    FUZZ_CHECK(false);  // an error, a second element, or data that was never sent
  });
  FUZZ_CHECK(commands == 1);
  FUZZ_CHECK(chunk_ends == (then.empty_chunk ? 1 : 0));
}

/// `line` (a written SASL response line) after "AUTH X": its base64 text, or
/// the cancel when `text` is nullopt.
void expect_sasl_line(std::string_view line, const feed_plan& plan,
                      std::optional<std::string_view> text) {
  const std::string bytes = "AUTH X\r\n" + std::string(line);
  int commands = 0, ends = 0;
  std::string got;
  drive(bytes, plan, false, [&](server_parser<>& p, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::command:
        FUZZ_CHECK(++commands == 1 && ev.command.verb == verb::auth);
        FUZZ_CHECK(p.expect_sasl_response());
        return;
      case server_event_kind::sasl_data:
        FUZZ_CHECK(commands == 1 && ends == 0);
        got.append(ev.bytes.data(), ev.bytes.size());
        return;
      case server_event_kind::sasl_end:
        FUZZ_CHECK(commands == 1 && ++ends == 1);
        FUZZ_CHECK(ev.cancelled == !text.has_value());
        FUZZ_CHECK(ev.offset == 8);
        return;
      case server_event_kind::need_more:
      case server_event_kind::data:
      case server_event_kind::data_end:
      case server_event_kind::error: break;
    }
    FUZZ_CHECK(false);  // an error, or more than one command and one line
  });
  FUZZ_CHECK(commands == 1 && ends == 1);
  FUZZ_CHECK(got == (text ? *text : std::string_view()));
}

// --- the writers ------------------------------------------------------------------

constexpr std::size_t kWriters = 25;
/// Runs `write` into the four sinks; on success checks that it wrote one line
/// within `limit` and hands its bytes to on_success.
template <class Write, class OnSuccess>
void roundtrip(const fuzz::sinks& out, const Write& write, std::size_t limit,
               OnSuccess&& on_success) {
  const fuzz::sink_run ref = out.run(write);
  if (ref.error != errc{}) return;
  const std::string& b = ref.bytes;
  fuzz::check_line(b, limit);
  on_success(std::string_view(b));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::field_reader in(data, size);
  const std::size_t which = in.byte() % kWriters;
  const std::uint8_t flags = in.byte();
  fuzz::sinks out;
  out.options.prefix = (flags & 1) != 0;
  out.small = in.u16();
  const feed_plan plan{(flags & 4) != 0, in.byte()};

  const auto one = [&](std::string_view bytes, bool smtputf8, const after& then,
                       const auto& check) {
    expect_one_command(bytes, plan, smtputf8, then, check);
  };
  const auto bare = [&](verb v) {
    return [&, v](std::string_view bytes) {
      FUZZ_CHECK(bytes == std::string(name(v)) + "\r\n");
      one(bytes, false, after{},
          [&](const command& c) { FUZZ_CHECK(c.verb == v && c.argument.empty()); });
    };
  };

  switch (which) {
    case 0:
    case 1:
    case 2: {
      const std::string_view domain = in.slice();
      const verb v = which == 0 ? verb::helo : which == 1 ? verb::ehlo : verb::lhlo;
      roundtrip(
          out,
          [&](auto& s) {
            return which == 0   ? write_helo(s, domain)
                   : which == 1 ? write_ehlo(s, domain)
                                : write_lhlo(s, domain);
          },
          max_command_line,
          [&](std::string_view bytes) {
            one(bytes, false, after{},
                [&](const command& c) { FUZZ_CHECK(c.verb == v && c.argument == domain); });
          });
      break;
    }
    case 3:
    case 4:
    case 5: {
      mailbox_parts parts;
      path relayed;
      if (which == 3) {
        parts.local_part = in.slice();
        parts.domain = in.slice();
      } else if (which == 5) {
        relayed = path_from(in);
      }
      const mail_parameters params = mail_parameters_from(in);
      roundtrip(
          out,
          [&](auto& s) {
            return which == 3   ? write_mail(s, parts, params)
                   : which == 4 ? write_mail(s, null_path, params)
                                : write_mail(s, relayed, params);
          },
          max_address_command_line,
          [&](std::string_view bytes) {
            one(bytes, false, after{}, [&](const command& c) {
              FUZZ_CHECK(c.verb == verb::mail);
              FUZZ_CHECK(c.argument == bytes.substr(10, bytes.size() - 12));
              if (which == 3) {
                check_mailbox(c.path, parts.local_part, parts.domain);
              } else if (which == 4) {
                FUZZ_CHECK(c.path.kind == path_kind::null);
              } else {
                check_relayed_path(c.path, relayed);
              }
              check_mail_list(c.parameters, params);
            });
          });
      break;
    }
    case 6:
    case 7:
    case 8: {
      mailbox_parts parts;
      path relayed;
      if (which == 6) {
        parts.local_part = in.slice();
        parts.domain = in.slice();
      } else if (which == 8) {
        relayed = path_from(in);
      }
      const rcpt_parameters params = rcpt_parameters_from(in);
      roundtrip(
          out,
          [&](auto& s) {
            return which == 6   ? write_rcpt(s, parts, params)
                   : which == 7 ? write_rcpt(s, postmaster, params)
                                : write_rcpt(s, relayed, params);
          },
          max_address_command_line,
          [&](std::string_view bytes) {
            one(bytes, params.transaction_smtputf8, after{}, [&](const command& c) {
              FUZZ_CHECK(c.verb == verb::rcpt);
              FUZZ_CHECK(c.argument == bytes.substr(8, bytes.size() - 10));
              if (which == 6) {
                check_mailbox(c.path, parts.local_part, parts.domain);
              } else if (which == 7) {
                FUZZ_CHECK(c.path.kind == path_kind::postmaster);
                FUZZ_CHECK(c.path.local_part == "Postmaster");
              } else {
                check_relayed_path(c.path, relayed);
              }
              check_rcpt_list(c.parameters, params);
            });
          });
      break;
    }
    case 9:
      roundtrip(
          out, [](auto& s) { return write_data(s); }, max_command_line, bare(verb::data));
      break;
    case 10: {
      const std::uint64_t chunk = in.u64();
      const bool last = (in.byte() & 1) != 0;
      roundtrip(
          out, [&](auto& s) { return write_bdat(s, chunk, last); }, max_command_line,
          [&](std::string_view bytes) {
            one(bytes, false, after{chunk == 0, last}, [&](const command& c) {
              FUZZ_CHECK(c.verb == verb::bdat && c.chunk_size == chunk && c.last == last);
            });
          });
      break;
    }
    case 11:
      roundtrip(
          out, [](auto& s) { return write_rset(s); }, max_command_line, bare(verb::rset));
      break;
    case 12:
      roundtrip(
          out, [](auto& s) { return write_quit(s); }, max_command_line, bare(verb::quit));
      break;
    case 13:
      roundtrip(
          out, [](auto& s) { return write_starttls(s); }, max_command_line, bare(verb::starttls));
      break;
    case 14:
    case 15:
    case 16:
    case 17:
    case 18: {
      const std::string_view argument = in.slice();
      static constexpr verb verbs[] = {verb::vrfy, verb::expn, verb::help, verb::noop, verb::etrn};
      const verb v = verbs[which - 14];
      roundtrip(
          out,
          [&](auto& s) {
            if (v == verb::vrfy) return write_vrfy(s, argument);
            if (v == verb::expn) return write_expn(s, argument);
            if (v == verb::help) return write_help(s, argument);
            if (v == verb::noop) return write_noop(s, argument);
            return write_etrn(s, argument);
          },
          max_command_line,
          [&](std::string_view bytes) {
            one(bytes, false, after{},
                [&](const command& c) { FUZZ_CHECK(c.verb == v && c.argument == argument); });
          });
      break;
    }
    case 19:
    case 20:
    case 21: {
      const std::string_view mechanism = in.slice();
      const std::string_view response = which == 19 ? std::string_view() : in.slice();
      roundtrip(
          out,
          [&](auto& s) {
            return which == 19   ? write_auth(s, mechanism)
                   : which == 20 ? write_auth(s, mechanism, response)
                                 : write_auth_base64(s, mechanism, response);
          },
          max_command_line,
          [&](std::string_view bytes) {
            // The writer upper-cases the name (RFC 4422 §3.1: mech-char is
            // upper case); names compare case-insensitively.
            std::string argument = upper(mechanism);
            std::string text;
            if (which != 19) {
              text = which == 20 ? fuzz::base64_model(response) : std::string(response);
              argument += " " + (text.empty() ? std::string("=") : text);
            }
            one(bytes, false, after{}, [&](const command& c) {
              FUZZ_CHECK(c.verb == verb::auth && c.argument == argument);
              FUZZ_CHECK(c.mechanism == upper(mechanism));
              FUZZ_CHECK(c.has_initial_response == (which != 19));
              FUZZ_CHECK(c.initial_response == text);
            });
          });
      break;
    }
    case 22:
    case 23: {
      const std::string_view response = in.slice();
      roundtrip(
          out,
          [&](auto& s) {
            return which == 22 ? write_sasl_response(s, response)
                               : write_sasl_response_base64(s, response);
          },
          max_sasl_response_line,
          [&](std::string_view bytes) {
            const std::string text =
                which == 22 ? fuzz::base64_model(response) : std::string(response);
            FUZZ_CHECK(bytes == text + "\r\n");
            expect_sasl_line(bytes, plan, std::string_view(text));
          });
      break;
    }
    default:
      roundtrip(
          out, [](auto& s) { return write_sasl_cancel(s); }, max_command_line,
          [&](std::string_view bytes) {
            FUZZ_CHECK(bytes == "*\r\n");
            expect_sasl_line(bytes, plan, std::nullopt);
          });
      break;
  }
  return 0;
}

// Fuzz target: split invariance of pop3::server_parser.
//
// Input: the header of fuzz/pop3_server.cpp (the same seeds serve both):
//   byte 0         the parser options (fuzz::pop3_server_config_from)
//   byte 1  bit 0  no SASL (never expect_sasl_response() after AUTH)
//           bit 1  SASL exchanges go on after every response until "*" (else:
//                  LOGIN two responses, others one, an initial response
//                  counting as one)
//           bit 2  keep the STLS barrier (else reset() and go on with the bytes
//                  after the STLS line, as after the handshake)
//           bit 4  the split run calls feed_eof() before draining its last
//                  piece (the whole run after need_more)
//           bits 3, 5-7 unused here
//   byte 2         the split (fuzz::split_plan; cuts around CR, LF and SP)
// The rest is the client's byte stream. It goes through a parser whole, then
// through a fresh parser in pieces as byte 2 says, and, for streams of at most
// 64 octets, through a third one byte by byte; all under the same server
// policy. Every piece lives in its own exact-size heap block, scribbled over
// and freed once the parser says need_more (fuzz::for_each_piece).
//
// Checked (a violation is __builtin_trap): every run gives the same canonical
// event log. In it, consecutive sasl_data events are joined into one (the
// offset of the first, the concatenated bytes); every other event is written
// with all its fields (kind, offset, the whole command, error, detail, reason,
// reply(), cancelled) and where the parser stands after it (offset(), except
// after the STLS barrier's error, which drops the rest of the current feed).
// The final offset() agrees too. Each run ends in need_more within a bounded
// number of next() calls.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/pop3/server_parser.hpp"
#include "pop3_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using fuzz::field;  // the log's encoding (support.hpp)
using pop3::server_event;
using pop3::server_event_kind;
using pop3::verb;

struct session_policy {
  bool sasl = true;
  bool sasl_forever = false;
  bool keep_barrier = false;
};

void command_fields(std::string& out, const pop3::command& c) {
  field(out, static_cast<std::uint64_t>(c.verb));
  field(out, c.verb_text);
  field(out, c.argument);
  field(out, c.name);
  field(out, c.password);
  field(out, c.digest);
  field(out, c.message);
  field(out, (c.has_message ? 1u : 0u) | (c.has_initial_response ? 2u : 0u));
  field(out, c.lines);
  field(out, c.mechanism);
  field(out, c.initial_response);
  field(out, c.language);
}

/// One run of the session over `input` as `plan` cuts it; returns the log.
template <class Parser>
class session {
 public:
  session(Parser& p, const session_policy& pol) : p_(p), pol_(pol) {}

  std::string run(std::string_view input, const std::vector<std::size_t>& plan, bool eof_early) {
    fuzz::feed_stream(
        p_, input, plan, eof_early, eof_, [](std::string_view, std::size_t) {},
        [&](std::size_t len) { drain(len); });
    flush();
    log_ += "end ";
    field(log_, reset_base_ + p_.offset());
    return log_;
  }

 private:
  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      FUZZ_CHECK(n <= 4 * len + 16);  // every event makes progress
      const server_event& ev = p_.next();
      const std::uint64_t at = reset_base_ + ev.offset;
      switch (ev.kind) {
        case server_event_kind::need_more: return;
        case server_event_kind::sasl_data:
          if (!sasl_open_) sasl_offset_ = at;
          sasl_open_ = true;
          sasl_.append(ev.bytes.data(), ev.bytes.size());
          continue;
        case server_event_kind::command:
        case server_event_kind::sasl_end:
        case server_event_kind::error: break;
      }
      flush();
      log_ += "event ";
      field(log_, static_cast<std::uint64_t>(ev.kind));
      field(log_, at);
      // The barrier's error drops the rest of the feed.
      if (ev.error != errc::data_after_starttls) field(log_, reset_base_ + p_.offset());
      command_fields(log_, ev.command);
      field(log_, name(ev.error));
      field(log_, ev.detail);
      field(log_, ev.reason);
      field(log_, ev.reply());
      field(log_, ev.cancelled ? 1u : 0u);
      log_ += '\n';
      respond(ev);
    }
  }

  /// The server's side: the same decisions in every run.
  void respond(const server_event& ev) {
    const pop3::command& c = ev.command;
    if (ev.kind == server_event_kind::sasl_end) {
      if (!ev.cancelled && (pol_.sasl_forever || --sasl_left_ > 0)) p_.expect_sasl_response();
      return;
    }
    if (ev.kind != server_event_kind::command) return;
    if (c.verb == verb::auth && !c.mechanism.empty() && pol_.sasl) {
      sasl_left_ = fuzz::pop3_model::iequal(c.mechanism, "LOGIN") ? 2 : 1;
      if (c.has_initial_response) --sasl_left_;
      if (pol_.sasl_forever || sasl_left_ > 0) p_.expect_sasl_response();
      return;
    }
    if (c.verb == verb::stls && !pol_.keep_barrier) fuzz::restart(p_, p_.rest(), reset_base_, eof_);
  }

  void flush() {
    if (!sasl_open_) return;
    log_ += "sasl ";
    field(log_, sasl_offset_);
    field(log_, sasl_);
    log_ += '\n';
    sasl_.clear();
    sasl_open_ = false;
  }

  Parser& p_;
  const session_policy pol_;
  std::string log_;
  std::uint64_t reset_base_ = 0;  // stream offset of the parser's offset 0
  bool eof_ = false;
  std::string sasl_;
  std::uint64_t sasl_offset_ = 0;
  bool sasl_open_ = false;
  int sasl_left_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = 3;
  if (size < header) return 0;
  const fuzz::pop3_server_config cfg = fuzz::pop3_server_config_from(data[0]);
  session_policy pol;
  pol.sasl = (data[1] & 0x01) == 0;
  pol.sasl_forever = (data[1] & 0x02) != 0;
  pol.keep_barrier = (data[1] & 0x04) != 0;
  const bool eof_early = (data[1] & 0x10) != 0;

  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == ' '; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[2], fuzz::fnv1a(data, size), cut_around);

  const auto run = [&](const std::vector<std::size_t>& p, bool early) {
    std::string log;
    fuzz::with_pop3_server(cfg, [&](auto& parser) {
      log = session<std::remove_reference_t<decltype(parser)>>(parser, pol).run(input, p, early);
    });
    return log;
  };
  const std::string whole = run({input.size()}, false);
  const std::string pieces = run(plan, eof_early);
  fuzz::check_same_log("pop3_server_split", "split", whole, pieces);
  if (input.size() <= 64) {
    const std::string bytes =
        run(fuzz::split_plan(input, 0, 0, [](char) { return false; }), eof_early);
    fuzz::check_same_log("pop3_server_split", "byte-by-byte", whole, bytes);
  }
  return 0;
}

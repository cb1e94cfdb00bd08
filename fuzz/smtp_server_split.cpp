// Fuzz target: split invariance of smtp::server_parser.
//
// Input: bytes 0-2 pick the parser options (fuzz::smtp_config_from in
// smtp_support.hpp), byte 3 the split; the rest is the client's byte stream.
// The stream goes through a parser whole, then through a fresh parser in
// pieces, under the same session policy:
//   byte 2 bit 6     SASL exchanges go on after every response until "*" (else
//                    as the trace tool: LOGIN two responses, others one, an
//                    initial response counting as one)
//   byte 2 bit 7     refuse DATA (else every DATA is accepted)
//   byte 3 bits 0-4, 7  the split (fuzz::split_plan; cuts around CR, LF, '.')
//   byte 3 bit 5     keep the STARTTLS barrier (else reset() and go on with the
//                    bytes after the STARTTLS line, as after the handshake)
//   byte 3 bit 6     the split run calls feed_eof() before draining its last
//                    piece (the whole run after need_more)
// SMTPUTF8 is set as the trace tool does (MAIL decides; RSET, HELO/EHLO/LHLO
// and the end of a message clear it). Every piece lives in its own exact-size
// heap block, scribbled over and freed once the parser says need_more
// (fuzz::for_each_piece).
//
// Checked (a violation is __builtin_trap): both runs give the same canonical
// event log. In it, consecutive data events are joined into one (the offset
// of the first, the concatenated bytes), and so are consecutive sasl_data
// events; every other event is written with all its fields (kind, offset, the
// whole command with its path and parameters, error, detail, fatal, size,
// last, chunk, body flags, error offset, cancelled) and where the parser
// stands after it (offset(), except after a fatal error or the STARTTLS
// barrier's error, which drop the rest of the current feed). The final
// offset() and failed() agree too. Each run ends in need_more within a bounded
// number of next() calls.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "smtp_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using fuzz::field;  // the log's encoding (support.hpp)
using smtp::server_event;
using smtp::server_event_kind;
using smtp::verb;

struct session_policy {
  bool accept_data = true;
  bool sasl_forever = false;
  bool keep_barrier = false;
};

void command_fields(std::string& out, const smtp::command& c) {
  field(out, static_cast<std::uint64_t>(c.verb));
  field(out, c.verb_text);
  field(out, c.argument);
  const smtp::path& p = c.path;
  field(out, static_cast<std::uint64_t>(p.kind));
  field(out, p.local_part);
  field(out, p.domain);
  field(out, static_cast<std::uint64_t>(p.domain_type));
  field(out, p.address);
  field(out, p.tag);
  field(out, (p.quoted ? 1u : 0u) | (p.utf8 ? 2u : 0u) | (p.source_route ? 4u : 0u));
  field(out, c.parameters.text());
  field(out, c.parameters.count());
  for (const smtp::parameter& prm : c.parameters) {
    field(out, prm.keyword);
    field(out, prm.value);
    field(out, (prm.has_value ? 16u : 0u) | static_cast<unsigned>(prm.kind));
  }
  field(out, c.chunk_size);
  field(out, (c.last ? 1u : 0u) | (c.has_initial_response ? 2u : 0u));
  field(out, c.mechanism);
  field(out, c.initial_response);
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
    field(log_, p_.failed() ? 1u : 0u);
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
        case server_event_kind::data:
          if (sasl_open_) flush();
          if (!data_open_) data_offset_ = at;
          data_open_ = true;
          data_.append(ev.bytes.data(), ev.bytes.size());
          continue;
        case server_event_kind::sasl_data:
          if (data_open_) flush();
          if (!sasl_open_) sasl_offset_ = at;
          sasl_open_ = true;
          sasl_.append(ev.bytes.data(), ev.bytes.size());
          continue;
        case server_event_kind::command:
        case server_event_kind::data_end:
        case server_event_kind::sasl_end:
        case server_event_kind::error: break;
      }
      flush();
      log_ += "event ";
      field(log_, static_cast<std::uint64_t>(ev.kind));
      field(log_, at);
      // A fatal error and the barrier's error drop the rest of the feed.
      const bool drops = ev.fatal || ev.error == errc::data_after_starttls;
      if (!drops) field(log_, reset_base_ + p_.offset());
      command_fields(log_, ev.command);
      field(log_, name(ev.error));
      field(log_, ev.detail);
      field(log_, (ev.fatal ? 1u : 0u) | (ev.last ? 2u : 0u) | (ev.chunk ? 4u : 0u) |
                      (ev.cancelled ? 8u : 0u));
      field(log_, ev.size);
      field(log_, fuzz::flag_bits(ev.flags));
      field(log_, ev.error_offset == 0 ? 0 : reset_base_ + ev.error_offset);
      log_ += '\n';
      respond(ev);
    }
  }

  /// The server's side: the same decisions in both runs.
  void respond(const server_event& ev) {
    const smtp::command& c = ev.command;
    if (ev.kind == server_event_kind::sasl_end) {
      if (!ev.cancelled && (pol_.sasl_forever || --sasl_left_ > 0)) p_.expect_sasl_response();
      return;
    }
    if (ev.kind == server_event_kind::data_end) {
      if (ev.last) p_.set_smtputf8(false);
      return;
    }
    if (ev.kind != server_event_kind::command) return;
    switch (c.verb) {
      case verb::data:
        if (pol_.accept_data) p_.accept_data();
        return;
      case verb::auth:
        sasl_left_ = ascii::iequals(c.mechanism, "LOGIN") ? 2 : 1;
        if (c.has_initial_response) --sasl_left_;
        if (pol_.sasl_forever || sasl_left_ > 0) p_.expect_sasl_response();
        return;
      case verb::mail: p_.set_smtputf8(c.parameters.contains("SMTPUTF8")); return;
      case verb::rset:
      case verb::helo:
      case verb::ehlo:
      case verb::lhlo: p_.set_smtputf8(false); return;
      case verb::starttls:
        if (!pol_.keep_barrier) fuzz::restart(p_, p_.rest(), reset_base_, eof_);
        return;
      case verb::unknown:
      case verb::rcpt:
      case verb::bdat:
      case verb::vrfy:
      case verb::expn:
      case verb::help:
      case verb::noop:
      case verb::quit:
      case verb::etrn: return;
    }
  }

  void flush() {
    if (data_open_) {
      log_ += "data ";
      field(log_, data_offset_);
      field(log_, data_);
      log_ += '\n';
      data_.clear();
      data_open_ = false;
    }
    if (sasl_open_) {
      log_ += "sasl ";
      field(log_, sasl_offset_);
      field(log_, sasl_);
      log_ += '\n';
      sasl_.clear();
      sasl_open_ = false;
    }
  }

  Parser& p_;
  const session_policy pol_;
  std::string log_;
  std::uint64_t reset_base_ = 0;  // stream offset of the parser's offset 0
  bool eof_ = false;
  std::string data_, sasl_;
  std::uint64_t data_offset_ = 0, sasl_offset_ = 0;
  bool data_open_ = false, sasl_open_ = false;
  int sasl_left_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = fuzz::kSmtpConfigBytes + 1;
  if (size < header) return 0;
  const fuzz::smtp_config cfg = fuzz::smtp_config_from(data);
  session_policy pol;
  pol.sasl_forever = (data[2] & 0x40) != 0;
  pol.accept_data = (data[2] & 0x80) == 0;
  const std::uint8_t split = data[3];
  pol.keep_barrier = (split & 0x20) != 0;
  const bool eof_early = (split & 0x40) != 0;

  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '.'; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, split, fuzz::fnv1a(data, size), cut_around);

  std::string whole, pieces;
  fuzz::with_parser(cfg, [&](auto& p) {
    whole = session<std::remove_reference_t<decltype(p)>>(p, pol).run(input, {input.size()}, false);
  });
  fuzz::with_parser(cfg, [&](auto& p) {
    pieces = session<std::remove_reference_t<decltype(p)>>(p, pol).run(input, plan, eof_early);
  });
  fuzz::check_same_log("smtp_server_split", "split", whole, pieces);
  return 0;
}

// Fuzz target: split invariance of pop3::client_parser.
//
// Input: the header of fuzz/pop3_client.cpp (the same seeds serve both):
//   bytes 0-1         the parser options (fuzz::pop3_client_config_from);
//                     byte 0 bit 7 keeps the STLS barrier (else, after +OK to
//                     STLS: reset() and go on with the bytes behind it);
//                     byte 1 bit 6: the split run calls feed_eof() before
//                     draining its last piece (the whole run after need_more)
//   byte 2            the split (fuzz::split_plan; cuts around CR, LF, '.');
//                     bits 5-6 max_challenge_length (fuzz::pop3_client_config_from)
//   byte 3            the command queue: bits 0-5 the number of command bytes
//                     that follow, bits 6-7 the window (1, 3, 32, all)
//                     (fuzz::pop3_queue_from)
//   command bytes     fuzz::pop3_expected_from
// The rest is the server's byte stream. It goes through a parser whole, then
// through a fresh parser in pieces as byte 2 says, and, for streams of at most
// 64 octets, through a third one byte by byte; the client writes (expect()s)
// commands up to its window before the first byte and after every event, so
// all runs queue the same commands if their events agree. Every piece lives in
// its own exact-size heap block, scribbled over and freed once the parser says
// need_more (fuzz::for_each_piece).
//
// Checked (a violation is __builtin_trap): every run gives the same event log.
// Consecutive data events are joined into one (the offset of the first, the
// concatenated bytes); every other event is written with all its fields (kind,
// error, verb, greeting, status, multi_line, response code, text, timestamp,
// number, size, uid, lines, body flags, error offset, offset) and where the
// parser stands after it (offset() and pending(), except offset() after
// data_after_starttls, which drops the rest of the current feed). At the end,
// offset(), pending() and capabilities() agree. Each run ends in need_more
// within a bounded number of next() calls.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "pop3_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using fuzz::field;  // the log's encoding (support.hpp)
using pop3::client_event;
using pop3::client_event_kind;
using pop3::expected;
using pop3::verb;

struct session_policy {
  bool keep_barrier = false;
  fuzz::pop3_queue_plan queue;  ///< the commands the client writes
};

template <class Parser>
class session {
 public:
  session(Parser& p, const session_policy& pol) : p_(p), pol_(pol) {}

  /// One run; returns the log and, in `caps`, the final capabilities.
  std::string run(std::string_view input, const std::vector<std::size_t>& plan, bool eof_early,
                  pop3::capabilities& caps) {
    top_up();
    fuzz::feed_stream(
        p_, input, plan, eof_early, eof_,
        [&](std::string_view piece, std::size_t) {
          piece_ = piece;
          piece_start_ = p_.offset();
        },
        [&](std::size_t len) { drain(len); });
    flush();
    log_ += "end ";
    field(log_, reset_base_ + p_.offset());
    field(log_, p_.pending());
    caps = p_.capabilities();
    return log_;
  }

 private:
  void top_up() {
    const fuzz::pop3_queue_plan& q = pol_.queue;
    while (next_ < q.commands.size() && p_.pending() < q.window) {
      if (p_.expect(q.commands[next_++]) != errc{}) log_ += "full\n";
    }
  }

  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      FUZZ_CHECK(n <= 2 * len + 8);
      const client_event& ev = p_.next();
      const std::uint64_t at = reset_base_ + ev.offset;
      if (ev.kind == client_event_kind::need_more) return;
      if (ev.kind == client_event_kind::data) {
        if (!data_open_) data_offset_ = at;
        data_open_ = true;
        data_.append(ev.text.data(), ev.text.size());
        continue;
      }
      flush();
      log_ += "event ";
      field(log_, static_cast<std::uint64_t>(ev.kind));
      field(log_, name(ev.error));
      field(log_, static_cast<std::uint64_t>(ev.verb));
      field(log_, (ev.greeting ? 1u : 0u) | (ev.multi_line ? 2u : 0u) |
                      (ev.status == pop3::response_status::err ? 4u : 0u));
      field(log_, static_cast<std::uint64_t>(ev.code.kind));
      field(log_, ev.code.text);
      field(log_, ev.text);
      field(log_, ev.timestamp);
      field(log_, ev.number);
      field(log_, ev.size);
      field(log_, ev.uid);
      field(log_, ev.lines);
      field(log_, fuzz::flag_bits(ev.flags));
      field(log_, ev.error_offset == 0 ? 0 : reset_base_ + ev.error_offset);
      field(log_, at);
      if (ev.error != errc::data_after_starttls) field(log_, reset_base_ + p_.offset());
      field(log_, p_.pending());
      log_ += '\n';
      if (ev.kind == client_event_kind::response && ev.verb == verb::stls && !ev.greeting &&
          ev.status == pop3::response_status::ok && !pol_.keep_barrier) {
        // The TLS handshake; the bytes behind the +OK are the rest of the
        // piece (pop3::client_parser has no public rest()).
        const std::string_view rest =
            piece_.substr(static_cast<std::size_t>(p_.offset() - piece_start_));
        fuzz::restart(p_, rest, reset_base_, eof_);
        piece_ = rest;
        piece_start_ = 0;
      }
      top_up();
    }
  }

  void flush() {
    if (!data_open_) return;
    log_ += "data ";
    field(log_, data_offset_);
    field(log_, data_);
    log_ += '\n';
    data_.clear();
    data_open_ = false;
  }

  Parser& p_;
  const session_policy& pol_;
  std::string log_;
  std::uint64_t reset_base_ = 0;
  std::string_view piece_;
  std::uint64_t piece_start_ = 0;  // parser offset of piece_[0]
  std::size_t next_ = 0;
  bool eof_ = false;
  std::string data_;
  std::uint64_t data_offset_ = 0;
  bool data_open_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  session_policy pol;
  const std::size_t header = fuzz::pop3_queue_from(data, size, pol.queue);
  if (header == 0) return 0;
  const fuzz::pop3_client_config cfg = fuzz::pop3_client_config_from(data);
  pol.keep_barrier = (data[0] & 0x80) != 0;
  const bool eof_early = (data[1] & 0x40) != 0;

  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '.'; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[2], fuzz::fnv1a(data, size), cut_around);

  const auto run = [&](const std::vector<std::size_t>& p, bool early, pop3::capabilities& caps) {
    std::string log;
    fuzz::with_pop3_client(cfg, [&](auto& parser) {
      log = session<std::remove_reference_t<decltype(parser)>>(parser, pol)
                .run(input, p, early, caps);
    });
    return log;
  };
  pop3::capabilities whole_caps, split_caps;
  const std::string whole = run({input.size()}, false, whole_caps);
  const std::string pieces = run(plan, eof_early, split_caps);
  fuzz::check_same_log("pop3_client_split", "split", whole, pieces);
  FUZZ_CHECK(whole_caps == split_caps);
  if (input.size() <= 64) {
    pop3::capabilities byte_caps;
    const std::string bytes =
        run(fuzz::split_plan(input, 0, 0, [](char) { return false; }), eof_early, byte_caps);
    fuzz::check_same_log("pop3_client_split", "byte-by-byte", whole, bytes);
    FUZZ_CHECK(whole_caps == byte_caps);
  }
  return 0;
}

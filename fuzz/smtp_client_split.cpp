// Fuzz target: split invariance of smtp::client_parser.
//
// Input: the header of fuzz/smtp_client.cpp (the same seeds serve both):
//   byte 0            Capacity and limits (fuzz::smtp_client_config_from)
//   byte 1  bits 0-1  allow_control, parse_enhanced_codes off
//           bit 2     keep the STARTTLS barrier (else, after a 2xx answer:
//                     reset() and go on with the bytes behind it, as after a
//                     TLS handshake)
//           bit 3     the split run calls feed_eof() before draining its last
//                     piece (the whole run after need_more)
//           bits 4-7  unused
//   byte 2  bits 0-6  call expect_starttls_reply() after that many events (0:
//                     before the first feed); bit 7: never
//   byte 3            the split (fuzz::split_plan: bits 0-1 kind, 2-4 random
//                     piece size, bit 7 empty feeds; cuts around CR, LF, SP,
//                     '-' and '.')
// The rest is the server's byte stream. It goes through a parser whole, then
// through a fresh parser in pieces, under the same client policy. Every piece
// lives in its own exact-size heap block, scribbled over and freed once the
// parser says need_more (fuzz::for_each_piece).
//
// Checked (a violation is __builtin_trap): both runs give the same event log.
// Every event is written with all its fields (kind, error, last, code,
// enhanced code, offset, lines, and the text copied out) and where the parser
// stands after it (offset(), except after data_after_starttls, which drops the
// rest of the current feed); then the final offset(). Each run ends in
// need_more within a bounded number of next() calls.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "smtp_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using fuzz::field;  // the log's encoding (support.hpp)
using smtp::client_event;
using smtp::client_event_kind;

constexpr std::size_t kHeader = 4;

struct session_policy {
  bool keep_barrier = false;
  int starttls_at = -1;  // events before expect_starttls_reply(); -1: never
};

/// One run of the client over `input` as `plan` cuts it; returns the log.
template <class Parser>
class session {
 public:
  session(Parser& p, const session_policy& pol) : p_(p), pol_(pol) {}

  std::string run(std::string_view input, const std::vector<std::size_t>& plan, bool eof_early) {
    if (pol_.starttls_at == 0) expect_starttls();
    fuzz::feed_stream(
        p_, input, plan, eof_early, eof_, [](std::string_view, std::size_t) {},
        [&](std::size_t len) { drain(len); });
    log_ += "end ";
    field(log_, reset_base_ + p_.offset());
    return log_;
  }

 private:
  void expect_starttls() {
    p_.expect_starttls_reply();
    expecting_ = true;
  }

  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      FUZZ_CHECK(n <= 2 * len + 8);  // every event but an outcome consumes octets
      const client_event ev = p_.next();
      if (ev.kind == client_event_kind::need_more) return;
      log_ += "event ";
      field(log_, static_cast<std::uint64_t>(ev.kind));
      field(log_, name(ev.error));
      field(log_, ev.last ? 1u : 0u);
      field(log_, ev.code);
      char buf[smtp::enhanced_code::max_size];
      field(log_, std::string_view(buf, ev.enhanced.to_chars(buf)));
      field(log_, reset_base_ + ev.offset);
      field(log_, ev.lines);
      field(log_, ev.text);
      // The barrier's error drops the rest of the feed.
      if (ev.error != errc::data_after_starttls) field(log_, reset_base_ + p_.offset());
      log_ += '\n';
      respond(ev);
      if (++events_ == pol_.starttls_at) expect_starttls();
    }
  }

  /// The client's side: the same decisions in both runs.
  void respond(const client_event& ev) {
    const bool outcome =
        ev.kind == client_event_kind::reply ||
        (ev.kind == client_event_kind::error && ev.error == errc::reply_code_mismatch);
    if (!outcome || !expecting_) return;
    expecting_ = false;
    if (ev.code / 100 != 2 || pol_.keep_barrier) return;
    // The TLS handshake: a fresh parser state for the bytes behind the answer.
    fuzz::restart(p_, p_.rest(), reset_base_, eof_);
  }

  Parser& p_;
  const session_policy pol_;
  std::string log_;
  std::uint64_t reset_base_ = 0;  // stream offset of the parser's offset 0
  bool eof_ = false;
  bool expecting_ = false;
  int events_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeader) return 0;
  const fuzz::smtp_client_config cfg = fuzz::smtp_client_config_from(data);
  session_policy pol;
  pol.keep_barrier = (data[1] & 0x04) != 0;
  const bool eof_early = (data[1] & 0x08) != 0;
  pol.starttls_at = (data[2] & 0x80) != 0 ? -1 : data[2];

  const std::string input(reinterpret_cast<const char*>(data) + kHeader, size - kHeader);
  const auto cut_around = [](char c) {
    return c == '\r' || c == '\n' || c == ' ' || c == '-' || c == '.';
  };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[3], fuzz::fnv1a(data, size), cut_around);

  std::string whole, pieces;
  fuzz::with_smtp_client(cfg, [&](auto& p) {
    using parser = std::remove_reference_t<decltype(p)>;
    whole = session<parser>(p, pol).run(input, {input.size()}, false);
  });
  fuzz::with_smtp_client(cfg, [&](auto& p) {
    using parser = std::remove_reference_t<decltype(p)>;
    pieces = session<parser>(p, pol).run(input, plan, eof_early);
  });
  fuzz::check_same_log("smtp_client_split", "split", whole, pieces);
  return 0;
}

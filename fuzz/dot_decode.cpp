// Fuzz target: dot::decoder over one feed.
//
// Input: byte 0 picks the options, the rest is the dot-stuffed body (in an
// exact-size heap block).
//   bits 0-1  policy: 0 and 3 reject (the default), 1 normalize, 2 allow
//   bits 2-3  max_size:        0 (off), 1, 7, 100
//   bits 4-5  max_line_length: 0 (off), 1, 8, 1000
//             (bits 0-5: fuzz::decoder_options_from, shared with dot_split)
//   bit 6     feed_eof() before the first next() instead of after need_more
//   bit 7     feed an empty buffer first
//
// Checked (a violation is __builtin_trap):
// - every data view is non-empty and lies inside the fed buffer, in stream
//   order and without overlap, with ev.offset matching its position; or it is
//   one of the decoder's own literals ("\r", "\n", "\r\n", only the ones the
//   policy can produce) standing for the input byte at its offset
//   (fuzz::data_view_checker, shared with dot_split);
// - the sum of data sizes is end.size; end.consumed() <= input size;
//   rest() is exactly input[consumed, n); after end, next() repeats it;
// - the consumed bytes end in "\r\n.\r\n", or are exactly ".\r\n";
// - everything agrees with a plain byte-at-a-time reference model (end or
//   not, consumed, decoded content, the set of flags);
// - round trip, reject policy: when neither body_bare_cr nor body_bare_lf was
//   raised, encoding the decoded content with dot::encoder gives back
//   input[0, consumed) except for redundant stuffing dots. The decoder drops
//   the dot of every line that starts with '.' (RFC 5321 §4.5.2), also a
//   needless one before a byte other than '.', and the encoder only adds one
//   before a '.'; so what is asserted is
//       encode(decode(x)) == x without the line-start dots that are followed
//                            by a byte other than '.' (the terminator's dot
//                            excepted),
//   and therefore encode(decode(x)) == x exactly when x has no such dot.
//   NUL, max_size and max_line_length flags do not change the content, so
//   they do not exempt the input from this check.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dot_support.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/dot/encoder.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;

struct model_flags {
  bool bare_cr = false, bare_lf = false, nul = false, too_long = false, too_large = false;
  bool has(errc e) const {
    if (e == errc::body_bare_cr) return bare_cr;
    if (e == errc::body_bare_lf) return bare_lf;
    if (e == errc::body_nul) return nul;
    if (e == errc::body_line_too_long) return too_long;
    if (e == errc::message_too_large) return too_large;
    return false;
  }
};

struct model_result {
  bool ended = false;
  std::size_t consumed = 0;  // when ended
  std::string content;       // decoded (what the decoder has emitted at the end / at eof)
  model_flags flags;
};

// Reference decoder: the rules of decoder.hpp written as directly as possible,
// one byte at a time, on the whole input.
model_result reference_decode(std::string_view in, const dot::decoder_options& o) {
  model_result m;
  const std::size_t n = in.size();
  const bool reject = o.policy == dot::line_end_policy::reject;
  const bool normalize = o.policy == dot::line_end_policy::normalize;
  std::size_t i = 0, line_begin = 0;
  bool at_line_start = true, line_dot = false;
  while (i < n) {
    if (at_line_start) {
      at_line_start = false;
      if (in[i] == '.') {
        if (i + 1 == n) break;                         // "." withheld
        if (in[i + 1] == '\r' && i + 2 == n) break;    // ".\r" withheld
        if (in[i + 1] == '\r' && in[i + 2] == '\n') {  // the terminator
          m.ended = true;
          m.consumed = i + 3;
          break;
        }
        ++i;  // a stuffing dot, dropped
        line_dot = true;
        continue;
      }
    }
    const char c = in[i];
    if (c == '\r') {
      if (i + 1 == n) {  // its LF may still come: emitted, not judged
        m.content += c;
        ++i;
        break;
      }
      if (in[i + 1] == '\n') {
        m.content += "\r\n";
        i += 2;
        const std::size_t len = i - line_begin - (line_dot ? 1 : 0);
        if (o.max_line_length != 0 && len > o.max_line_length) m.flags.too_long = true;
        line_begin = i;
        line_dot = false;
        at_line_start = true;
        continue;
      }
      m.content += normalize ? "\r\n" : "\r";
      if (reject) m.flags.bare_cr = true;
      ++i;
      continue;
    }
    if (c == '\n') {  // a CR before it would have been consumed with it
      m.content += normalize ? "\r\n" : "\n";
      if (reject) m.flags.bare_lf = true;
      ++i;
      continue;
    }
    if (c == '\0' && o.policy != dot::line_end_policy::allow) m.flags.nul = true;
    m.content += c;
    ++i;
  }
  if (o.max_size != 0 && m.content.size() > o.max_size) m.flags.too_large = true;
  return m;
}

// input[0, consumed) without the redundant stuffing dots (see the header).
std::string canonical_wire(std::string_view in) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    const bool terminator = i + 3 == in.size();
    if (line_start && c == '.' && !terminator && i + 1 < in.size() && in[i + 1] != '.') {
      line_start = false;
      continue;
    }
    out += c;
    line_start = c == '\n' && i != 0 && in[i - 1] == '\r';
  }
  return out;
}

std::string encode_all(std::string_view content) {
  dot::encoder e;
  std::string out(dot::max_encoded_size(content.size()), '\0');
  const auto r = e.encode(content, out.data(), out.size());
  FUZZ_CHECK(r.error == errc{});
  FUZZ_CHECK(r.consumed == content.size());
  const auto f = e.finish(out.data() + r.written, out.size() - r.written);
  FUZZ_CHECK(f.error == errc{});
  FUZZ_CHECK(e.finished());
  out.resize(r.written + f.written);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t cfg = data[0];
  const dot::decoder_options opt = fuzz::decoder_options_from(cfg);
  const bool eof_first = (cfg & 0x40) != 0;
  const bool empty_first = (cfg & 0x80) != 0;

  // The body in an exact-size heap block: any read outside it is an ASan report.
  const std::size_t n = size - 1;
  const std::unique_ptr<char[]> block =
      fuzz::exact_copy(reinterpret_cast<const char*>(data) + 1, n);
  const char* const buf = block.get();
  const std::string_view input(buf, n);

  dot::decoder d(opt);
  if (empty_first) {
    d.feed(std::string_view());
    FUZZ_CHECK(d.next().kind == dot::event_kind::need_more);
    FUZZ_CHECK(d.consumed() == 0);
  }
  d.feed(input);
  if (eof_first) d.feed_eof();

  std::string content;
  std::uint64_t data_total = 0;
  fuzz::data_view_checker views(input, opt.policy);
  bool ended = false, failed = false, eof_sent = eof_first;
  dot::decoder_event end_ev;
  std::size_t events = 0;
  for (;;) {
    FUZZ_CHECK(++events <= 4 * n + 16);  // every event makes progress
    const dot::decoder_event ev = d.next();
    if (ev.kind == dot::event_kind::data) {
      views.check(ev, input, 0);  // in the buffer, in order, or a literal
      content.append(ev.bytes.data(), ev.bytes.size());
      data_total += ev.bytes.size();
      continue;
    }
    if (ev.kind == dot::event_kind::end) {
      end_ev = ev;
      ended = true;
      break;
    }
    if (ev.kind == dot::event_kind::error) {
      FUZZ_CHECK(eof_sent);
      FUZZ_CHECK(ev.error == errc::unexpected_eof);
      FUZZ_CHECK(ev.offset == n && ev.error_offset == n);
      FUZZ_CHECK(d.next().kind == dot::event_kind::need_more);  // and stays so
      FUZZ_CHECK(d.next().kind == dot::event_kind::need_more);
      failed = true;
      break;
    }
    // need_more: everything fed was used.
    FUZZ_CHECK(d.consumed() == n);
    FUZZ_CHECK(d.rest().empty());
    if (eof_sent) FUZZ_CHECK(false);  // eof must turn need_more into an error
    d.feed_eof();
    eof_sent = true;
  }

  const model_result model = reference_decode(input, opt);
  FUZZ_CHECK(model.ended == ended);
  FUZZ_CHECK(ended || failed);
  FUZZ_CHECK(content == model.content);
  FUZZ_CHECK(fuzz::flag_bits(d.flags()) == fuzz::flag_bits(model.flags));

  if (!ended) return 0;

  // The end event.
  const std::uint64_t consumed = end_ev.consumed();
  FUZZ_CHECK(consumed == model.consumed);
  FUZZ_CHECK(consumed <= n && consumed >= 3);
  FUZZ_CHECK(end_ev.size == data_total);
  FUZZ_CHECK(d.done());
  FUZZ_CHECK(d.consumed() == consumed);
  FUZZ_CHECK(views.input_end() <= consumed);
  FUZZ_CHECK(fuzz::flag_bits(end_ev.flags) == fuzz::flag_bits(d.flags()));
  if (end_ev.flags.any()) {
    FUZZ_CHECK(end_ev.flags.has(end_ev.error));
    FUZZ_CHECK(end_ev.error_offset < consumed);
  } else {
    FUZZ_CHECK(end_ev.error == errc{});
  }
  const std::string_view rest = d.rest();
  FUZZ_CHECK(rest.data() == buf + consumed);
  FUZZ_CHECK(rest.size() == n - consumed);
  FUZZ_CHECK(fuzz::same_event(d.next(), end_ev));  // end repeats
  FUZZ_CHECK(fuzz::same_event(d.next(), end_ev));
  FUZZ_CHECK(d.rest().data() == rest.data() && d.rest().size() == rest.size());

  const std::string_view wire = input.substr(0, consumed);
  if (consumed == 3) {
    FUZZ_CHECK(wire == ".\r\n");
    FUZZ_CHECK(content.empty());
  } else {
    FUZZ_CHECK(wire.substr(consumed - 5) == "\r\n.\r\n");
  }

  // Round trip through the encoder (see the header for what exactly holds).
  if (opt.policy == dot::line_end_policy::reject && !end_ev.flags.has(errc::body_bare_cr) &&
      !end_ev.flags.has(errc::body_bare_lf)) {
    const std::string canon = canonical_wire(wire);
    FUZZ_CHECK(encode_all(content) == canon);
    if (canon.size() == wire.size()) FUZZ_CHECK(encode_all(content) == wire);
  }
  return 0;
}

// Fuzz target: EHLO reply lines folded into smtp::capabilities (add_line,
// ehlo_folder), written back with write_ehlo_reply and read again through
// client_parser.
//
// Input:
//   byte 0  the separator octet: the rest of the input is cut into lines at
//           each one (so a line may hold CR, LF or NUL when it is not one of
//           them); the part after the last separator is a line too
//   byte 1  bit 0  fold through an ehlo_folder (the first line is the
//                  domain and greeting, and is skipped), else add_line() on
//                  the value directly
//           bit 1  first apply setter calls: a count octet, then each an
//                  opcode and its arguments (fuzz::apply_setter in
//                  smtp_support.hpp, as in smtp_reply_roundtrip, but a text
//                  argument is a length octet and the octets:
//                  fuzz::field_reader::short_slice); the lines follow
//           bit 2  feed the written reply to the parser in two pieces, cut
//                  where byte 2 says
//   byte 2  the cut
//
// Checked:
// - a setter or line that is refused leaves the value exactly as it was (a
//   copy compares equal), and the folder's first_error() is the first refusal;
// - a line that is accepted sets what it names (its known extension, or its
//   unknown keyword; "AUTH=" also the legacy flag) and, fed again, is accepted
//   again and changes nothing (add_line: a line repeated is no error);
// - the value lists line_count() lines, each at most max_keyword_line octets;
// - write_ehlo_reply refuses it exactly when validate() does (with that errc),
//   the only refusal documented for a valid domain and greeting;
// - otherwise the reply, read by client_parser (no enhanced codes, no reply
//   limits) and folded by a new ehlo_folder, gives the value back with no
//   error, except the legacy "AUTH=" flag, which is never written; and that
//   value writes the very same bytes, so folding is idempotent.

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
#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "mailwire/smtp/reply_writer.hpp"
#include "smtp_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using namespace mailwire::smtp;

// --- the checks -----------------------------------------------------------------

/// The first item of a received line: runs of SP and HT separate items
/// (capabilities::add_line).
std::string_view first_item(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && ascii::is_wsp(static_cast<unsigned char>(line[i]))) ++i;
  std::size_t j = i;
  while (j < line.size() && !ascii::is_wsp(static_cast<unsigned char>(line[j]))) ++j;
  return line.substr(i, j - i);
}

/// An accepted line: what it names is set, and it is accepted again without
/// a change.
void check_accepted(const capabilities& caps, std::string_view line) {
  const std::string_view kw = first_item(line);
  if (ascii::istarts_with(kw, "AUTH=")) {
    FUZZ_CHECK(caps.has(extension::auth) && caps.legacy_auth_equals());
  } else if (const std::optional<extension> e = extension_from_keyword(kw)) {
    FUZZ_CHECK(caps.has(*e));
  } else {
    FUZZ_CHECK(caps.find_keyword(kw).has_value());
  }
  capabilities again = caps;
  FUZZ_CHECK(again.add_line(line) == errc{});
  FUZZ_CHECK(again == caps);
}

constexpr std::string_view kDomain = "mx.example.org";
constexpr std::string_view kGreeting = "hello";

/// The EHLO reply for `caps`, or the writer's error.
errc write(const capabilities& caps, std::string& out) {
  out.clear();
  appendable_sink<std::string> sink(out);
  return write_ehlo_reply(sink, kDomain, kGreeting, caps);
}

/// Reads `reply` (whole, or cut in two at `cut`) and folds its lines.
capabilities fold(std::string_view reply, bool split, std::uint8_t cut, std::size_t lines) {
  client_parser_options o;
  o.max_reply_lines = SIZE_MAX;
  o.max_reply_length = SIZE_MAX;
  o.parse_enhanced_codes = false;  // none in an EHLO reply (RFC 2034 §3)
  const auto p = std::make_unique<client_parser<>>(o);
  ehlo_folder folder;
  std::size_t replies = 0;
  fuzz::for_each_piece(
      reply, fuzz::two_pieces(reply.size(), split, cut),
      [&](std::string_view piece, std::size_t at, bool) {
        p->feed(piece);
        for (;;) {
          const client_event ev = p->next();
          switch (ev.kind) {
            case client_event_kind::need_more:
              FUZZ_CHECK(ev.offset == at + piece.size());
              return true;
            case client_event_kind::line:
              FUZZ_CHECK(replies == 0 && ev.code == 250 && ev.lines == folder.lines() + 1);
              FUZZ_CHECK(!ev.enhanced.present());
              if (folder.lines() == 0)
                FUZZ_CHECK(ev.text == std::string(kDomain) + " " + std::string(kGreeting));
              FUZZ_CHECK(folder.add(ev.text) == errc{});
              break;
            case client_event_kind::reply:
              FUZZ_CHECK(++replies == 1 && ev.code == 250 && ev.lines == lines && ev.offset == 0);
              break;
            case client_event_kind::error: FUZZ_CHECK(false); break;
          }
        }
      });
  FUZZ_CHECK(replies == 1 && folder.lines() == lines && folder.first_error() == errc{});
  return folder.result();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::field_reader in(data, size);
  const char separator = static_cast<char>(in.byte());
  const std::uint8_t flags = in.byte();
  const bool use_folder = (flags & 1) != 0;
  const bool split = (flags & 4) != 0;
  const std::uint8_t cut = in.byte();

  capabilities caps;
  if (flags & 2)
    for (std::size_t n = in.byte(); n > 0; --n)
      fuzz::apply_setter(
          in, [&] { return in.short_slice(); }, caps);

  ehlo_folder folder;
  errc first_error{};
  std::size_t lines = 0;
  const std::string_view text = in.rest();
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    const std::string_view piece =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const auto block = fuzz::exact_copy(piece.data(), piece.size());
    const std::string_view line(block.get(), piece.size());
    ++lines;
    if (use_folder) {
      const capabilities before = folder.result();
      const errc e = folder.add(line);
      if (e != errc{} && first_error == errc{}) first_error = e;
      FUZZ_CHECK(folder.lines() == lines && folder.first_error() == first_error);
      if (lines == 1 || e != errc{}) {
        FUZZ_CHECK(e == errc{} || lines > 1);
        FUZZ_CHECK(folder.result() == before);
      } else {
        check_accepted(folder.result(), line);
      }
    } else {
      const capabilities before = caps;
      if (caps.add_line(line) != errc{}) {
        FUZZ_CHECK(caps == before);
      } else {
        check_accepted(caps, line);
      }
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  // A folder starts empty: the setter calls go to the direct value only.
  const capabilities value = use_folder ? folder.result() : caps;

  std::size_t listed = 0;
  value.for_each_line([&](std::string_view line) {
    ++listed;
    FUZZ_CHECK(line.size() <= capabilities::max_keyword_line);
  });
  FUZZ_CHECK(listed == value.line_count());

  std::string reply;
  const errc e = write(value, reply);
  FUZZ_CHECK(e == value.validate());
  if (e != errc{}) return 0;

  capabilities expected = value;
  expected.set_legacy_auth_equals(false);  // never written
  const capabilities folded = fold(reply, split, cut, 1 + listed);
  FUZZ_CHECK(folded == expected);
  std::string again;
  FUZZ_CHECK(write(folded, again) == errc{});
  FUZZ_CHECK(again == reply);
  FUZZ_CHECK(fold(again, !split, cut, 1 + listed) == folded);
  return 0;
}

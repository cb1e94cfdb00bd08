// Fuzz target: every scan kernel against the scalar reference.
//
// The input is the buffer. For several windows [first, last) of it (start
// offsets around the 16/32/64-byte strides, end trimmed by 0, 1 or 17 bytes)
// the window is copied into an exact-size heap block that starts one byte
// before `first` when the mode reads q[-1] (the kernels' contract: nothing
// before first-1 and nothing at or after last is read), so any over-read is an
// ASan report. In each window, for each mode, the first match is found (in the
// whole-buffer windows every match in turn, restarting just after the previous
// one as the codecs do, which also varies the alignment) with
// scan::scalar::find, with every kernel scan::available() reports, and with
// the dispatching scan::find; all must agree, and the scalar result must agree
// with the mode's definition written out here independently.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "mailwire/core/scan.hpp"
#include "support.hpp"

namespace {

namespace scan = mailwire::scan;

/// The mode's conditions, spelled out independently of scan.hpp.
bool match(unsigned mode, const char* q, const char* last) {
  const char c = q[0];
  if ((mode & scan::cr) && c == '\r') return true;
  if ((mode & scan::lf) && c == '\n') return true;
  if ((mode & scan::nul) && c == '\0') return true;
  if ((mode & scan::bare_cr) && c == '\r' && (q + 1 == last || q[1] != '\n')) return true;
  if ((mode & scan::bare_lf) && c == '\n' && q[-1] != '\r') return true;
  if ((mode & scan::dot_after_lf) && c == '.' && q[-1] == '\n') return true;
  return false;
}

template <unsigned Mode>
void check_mode(const char* first, const char* last, bool chain) {
  for (const char* p = first; p <= last;) {
    const char* ref = scan::scalar::find<Mode>(p, last);
    FUZZ_CHECK(ref >= p && ref <= last);
    for (const char* q = p; q < ref; ++q) FUZZ_CHECK(!match(Mode, q, last));
    if (ref != last) FUZZ_CHECK(match(Mode, ref, last));
    for (scan::kernel k : scan::all_kernels) {
      if (!scan::available(k)) continue;
      const char* got = scan::find_with<Mode>(k, p, last);
      if (got != ref) {
        std::fprintf(stderr, "scan_diff: mode %#x kernel %d: %td, scalar %td (from %td, len %td)\n",
                     Mode, static_cast<int>(k), got - first, ref - first, p - first, last - p);
        FUZZ_CHECK(got == ref);
      }
    }
    FUZZ_CHECK(scan::find<Mode>(p, last) == ref);
    if (ref == last || !chain) break;
    p = ref + 1;
  }
}

void check_window(const char* data, std::size_t start, std::size_t stop, bool chain) {
  // Block = [start - 1, stop) when start > 0, else [start, stop).
  const std::size_t lead = start != 0 ? 1 : 0;
  const std::size_t len = stop - start + lead;
  const std::unique_ptr<char[]> block = fuzz::exact_copy(data + start - lead, len);
  const char* first = block.get() + lead;
  const char* last = block.get() + len;

  // Modes that only look at q[0] (and q[1] for bare_cr).
  check_mode<scan::cr | scan::lf | scan::nul>(first, last, chain);
  check_mode<scan::bare_cr>(first, last, chain);
  if (lead == 0) return;
  // Modes that read q[-1]: first - 1 is the block's first byte.
  check_mode<scan::bare_cr | scan::bare_lf | scan::nul | scan::dot_after_lf>(first, last, chain);
  check_mode<scan::dot_after_lf>(first, last, chain);
  check_mode<scan::lf | scan::dot_after_lf>(first, last, chain);
  check_mode<scan::bare_cr | scan::bare_lf | scan::dot_after_lf>(first, last, chain);
  check_mode<scan::bare_cr | scan::bare_lf | scan::nul | scan::dot_after_lf | scan::lf>(first, last,
                                                                                        chain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const char* data = reinterpret_cast<const char*>(bytes);
  static constexpr std::size_t kStarts[] = {0, 1, 2, 3, 15, 16, 17, 31, 33, 63, 64, 65};
  static constexpr std::size_t kTrims[] = {0, 1, 17};
  for (std::size_t start : kStarts) {
    if (start > size) break;
    for (std::size_t trim : kTrims) {
      if (trim > size - start) break;
      check_window(data, start, size - trim, start <= 1 && trim == 0);
    }
  }
  return 0;
}

#pragma once
// Fixed-size storage for the text parts of capability values (SMTP EHLO,
// POP3 CAPA): entries packed into an arena, lines built from stored
// parameters, and the items of a received line. Internal to the capability
// headers; nothing here allocates.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "mailwire/core/ascii.hpp"

namespace mailwire {

/// A forward range of text entries stored in a capability value (mechanism
/// names, unknown lines), each a std::string_view. It borrows the value it
/// came from: valid until that value changes or is destroyed.
class text_range {
 public:
  class iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using reference = std::string_view;
    using pointer = void;
    using iterator_category = std::forward_iterator_tag;

    constexpr iterator() noexcept = default;
    constexpr std::string_view operator*() const noexcept { return {p_, length()}; }
    constexpr iterator& operator++() noexcept {
      p_ += length() + 1;
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend constexpr bool operator==(iterator a, iterator b) noexcept { return a.p_ == b.p_; }
    friend constexpr bool operator!=(iterator a, iterator b) noexcept { return a.p_ != b.p_; }

   private:
    friend class text_range;
    constexpr explicit iterator(const char* p) noexcept : p_(p) {}
    constexpr std::size_t length() const noexcept {
      std::size_t n = 0;
      while (p_[n] != '\0') ++n;
      return n;
    }
    const char* p_ = nullptr;
  };

  /// The entries between `first` and `last`: each followed by a NUL.
  constexpr text_range(const char* first, const char* last) noexcept : first_(first), last_(last) {}

  constexpr iterator begin() const noexcept { return iterator(first_); }
  constexpr iterator end() const noexcept { return iterator(last_); }
  constexpr bool empty() const noexcept { return first_ == last_; }
  /// Number of entries (linear in the bytes stored).
  constexpr std::size_t size() const noexcept {
    std::size_t n = 0;
    for (const char* p = first_; p != last_; ++p) n += *p == '\0';
    return n;
  }

 private:
  const char* first_;
  const char* last_;
};

}  // namespace mailwire

namespace mailwire::detail {

/// Writes `v` in decimal at `out` (room for 20 digits); returns the length.
constexpr std::size_t format_decimal(std::uint64_t v, char* out) noexcept {
  char rev[20] = {};
  std::size_t n = 0;
  do {
    rev[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = rev[n - 1 - i];
  return n;
}

/// Entries of text, each followed by a NUL (validated entries never contain
/// one), packed into N bytes in the order added.
template <std::size_t N>
class text_arena {
  static_assert(N > 0 && N <= 0xFFFF, "arena offsets are 16-bit");

 public:
  constexpr bool push(std::string_view s, bool upper = false) noexcept {
    if (s.size() >= N - used_) return false;
    for (const char c : s) data_[used_++] = upper ? ascii::to_upper(c) : c;
    data_[used_++] = '\0';
    return true;
  }
  constexpr void clear() noexcept {
    for (auto& c : data_) c = '\0';
    used_ = 0;
  }
  constexpr const char* begin() const noexcept { return data_; }
  constexpr const char* end() const noexcept { return data_ + used_; }
  constexpr bool empty() const noexcept { return used_ == 0; }
  constexpr text_range range() const noexcept { return {begin(), end()}; }
  constexpr std::size_t used() const noexcept { return used_; }

  constexpr bool contains_icase(std::string_view s) const noexcept;

  friend constexpr bool operator==(const text_arena& a, const text_arena& b) noexcept {
    if (a.used_ != b.used_) return false;
    for (std::size_t i = 0; i < a.used_; ++i)
      if (a.data_[i] != b.data_[i]) return false;
    return true;
  }

 private:
  char data_[N] = {};
  std::uint16_t used_ = 0;
};

/// The entry that starts at `p` (which must point at an entry's first byte).
constexpr std::string_view entry_at(const char* p) noexcept {
  std::size_t n = 0;
  while (p[n] != '\0') ++n;
  return {p, n};
}

template <std::size_t N>
constexpr bool text_arena<N>::contains_icase(std::string_view s) const noexcept {
  for (const char* p = begin(); p != end();) {
    const std::string_view e = entry_at(p);
    if (ascii::iequals(e, s)) return true;
    p += e.size() + 1;
  }
  return false;
}

/// A capability line being put together from stored parameters. Such lines
/// are at most a few hundred octets (the capability values bound what they
/// store), so `append` never has to refuse; octets past the capacity are
/// dropped.
struct line_builder {
  static constexpr std::size_t capacity = 512;
  char data[capacity] = {};
  std::size_t size = 0;

  constexpr void append(std::string_view s) noexcept {
    for (const char c : s)
      if (size < capacity) data[size++] = c;
  }
  constexpr void append_number(std::uint64_t v) noexcept {
    char digits[20] = {};
    append({digits, format_decimal(v, digits)});
  }
  constexpr std::string_view view() const noexcept { return {data, size}; }
};

/// The items of a received capability line (EHLO, CAPA). Runs of SP and HT
/// separate them and leading or trailing runs are ignored, because servers
/// pad their lines (no item of either grammar can contain SP or HT).
class item_reader {
 public:
  constexpr explicit item_reader(std::string_view line) noexcept : line_(line) {}
  /// The next item; empty once the line is used up.
  constexpr std::string_view next() noexcept {
    while (pos_ < line_.size() && ascii::is_wsp(static_cast<unsigned char>(line_[pos_]))) ++pos_;
    const std::size_t start = pos_;
    while (pos_ < line_.size() && !ascii::is_wsp(static_cast<unsigned char>(line_[pos_]))) ++pos_;
    return {line_.data() + start, pos_ - start};
  }

 private:
  std::string_view line_;
  std::size_t pos_ = 0;
};

}  // namespace mailwire::detail

#pragma once
// Output sinks for serializers.
//
// Writers never own memory: they append bytes to a sink the caller provides.
//   fixed_sink              a caller buffer of fixed capacity; reports overflow
//   appendable_sink<C>      a contiguous char container (std::string,
//                           std::vector<char>); the container may allocate (the
//                           caller's choice), the sink itself never does
//   write_all_or_nothing()  how a writer leaves nothing partial behind
//
// The sink interface, all a writer may rely on (is_sink_v checks it):
//   bool        append(std::string_view bytes)  all of `bytes`, or nothing
//   std::size_t size() const                    bytes held
//   void        truncate(std::size_t n)         shrink to n; never grows
//   bool        failed() const                  an append has been refused
//   void        clear_failed()                  accept appends again
// failed() is a latch: once an append is refused, every later append is
// refused too (until clear() or clear_failed()), so a run of appends checked
// once at the end yields either all of its bytes or a failure, never output
// with a hole in it.

#include <cstddef>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "mailwire/core/error.hpp"

namespace mailwire {

/// Sink over a caller buffer of fixed capacity. It never allocates and never
/// writes outside the buffer; an append that does not fit writes nothing,
/// returns false and sets failed().
class fixed_sink {
 public:
  /// Borrows [buffer, buffer + buffer_capacity) for the sink's lifetime.
  /// `buffer` may be null when `buffer_capacity` is 0.
  constexpr fixed_sink(char* buffer, std::size_t buffer_capacity) noexcept
      : buf_(buffer), cap_(buffer_capacity) {}

  /// Borrows the whole array for the sink's lifetime.
  template <std::size_t N>
  constexpr explicit fixed_sink(char (&buffer)[N]) noexcept : fixed_sink(buffer, N) {}

  /// Appends all of `bytes`, or nothing: returns false and sets failed() when
  /// they do not fit or the sink has already failed. `bytes` is only read
  /// during the call and may point anywhere, even into this sink's buffer.
  bool append(std::string_view bytes) noexcept {
    if (failed_ || bytes.size() > cap_ - size_) {
      failed_ = true;
      return false;
    }
    if (!bytes.empty()) std::memmove(buf_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
    return true;
  }

  /// Bytes written so far.
  constexpr std::size_t size() const noexcept { return size_; }
  /// The capacity given at construction.
  constexpr std::size_t capacity() const noexcept { return cap_; }
  /// capacity() - size().
  constexpr std::size_t remaining() const noexcept { return cap_ - size_; }
  /// The start of the caller's buffer.
  constexpr const char* data() const noexcept { return buf_; }
  /// The bytes written so far; valid until the next truncate/clear or until
  /// the caller's buffer goes away (appends do not move them).
  constexpr std::string_view view() const noexcept { return {buf_, size_}; }

  /// Has an append been refused since construction or the last clear?
  constexpr bool failed() const noexcept { return failed_; }

  /// Shrinks to `n` bytes (a no-op if n >= size()). Leaves failed() alone.
  constexpr void truncate(std::size_t n) noexcept {
    if (n < size_) size_ = n;
  }
  /// Empties the sink and clears failed(), e.g. after flushing view().
  constexpr void clear() noexcept {
    size_ = 0;
    failed_ = false;
  }
  /// Clears failed() and keeps the bytes, so appends are accepted again.
  constexpr void clear_failed() noexcept { failed_ = false; }

 private:
  char* buf_;
  std::size_t cap_;
  std::size_t size_ = 0;
  bool failed_ = false;
};

namespace detail {
template <class C, class = void>
struct has_pointer_append : std::false_type {};
template <class C>
struct has_pointer_append<
    C, std::void_t<decltype(std::declval<C&>().append(std::declval<const char*>(), std::size_t{}))>>
    : std::true_type {};

template <class S, class = void>
struct is_sink : std::false_type {};
template <class S>
struct is_sink<
    S, std::void_t<decltype(static_cast<bool>(std::declval<S&>().append(std::string_view{}))),
                   decltype(std::size_t{std::declval<const S&>().size()}),
                   decltype(std::declval<S&>().truncate(std::size_t{})),
                   decltype(static_cast<bool>(std::declval<const S&>().failed())),
                   decltype(std::declval<S&>().clear_failed())>> : std::true_type {};
}  // namespace detail

/// Does S provide the sink interface described at the top of this header?
template <class S>
inline constexpr bool is_sink_v = detail::is_sink<S>::value;

/// Does S's append() promise not to throw?
template <class S>
inline constexpr bool is_nothrow_sink_v = noexcept(std::declval<S&>().append(std::string_view{}));

/// Sink that appends to a caller's container of char with contiguous storage
/// and either `append(const char*, size_t)` (std::string) or
/// `insert(end, first, last)` (std::vector<char>), plus `resize` for
/// truncate(). Bytes already in the container stay and count in size().
/// The container allocates as it grows; in builds with exceptions, append()
/// lets its std::bad_alloc through (without exceptions that aborts).
template <class Container>
class appendable_sink {
  static_assert(std::is_same_v<typename Container::value_type, char>,
                "appendable_sink needs a container of char");

 public:
  /// Borrows `container` for the sink's lifetime.
  explicit appendable_sink(Container& container) noexcept : c_(&container) {}

  /// Appends all of `bytes`, or nothing: returns false and sets failed() when
  /// the container would exceed max_size() or the sink has already failed.
  /// `bytes` must not point into the container (growing may move it).
  bool append(std::string_view bytes) {
    if (failed_ || bytes.size() > c_->max_size() - c_->size()) {
      failed_ = true;
      return false;
    }
    if constexpr (detail::has_pointer_append<Container>::value)
      c_->append(bytes.data(), bytes.size());
    else
      c_->insert(c_->end(), bytes.begin(), bytes.end());
    return true;
  }

  /// The container's size, including bytes it held before the sink.
  std::size_t size() const noexcept { return c_->size(); }
  /// No fixed limit: the container's max_size().
  std::size_t capacity() const noexcept { return c_->max_size(); }
  /// The container's bytes; valid until the next append (growth may move
  /// them) or truncate.
  const char* data() const noexcept { return c_->data(); }
  std::string_view view() const noexcept { return {c_->data(), c_->size()}; }

  bool failed() const noexcept { return failed_; }

  /// Shrinks the container to `n` bytes (a no-op if n >= size()); shrinking
  /// never allocates. Leaves failed() alone.
  void truncate(std::size_t n) noexcept {
    if (n < c_->size()) c_->resize(n);
  }
  /// Empties the container and clears failed().
  void clear() noexcept {
    c_->resize(0);
    failed_ = false;
  }
  /// Clears failed() and keeps the bytes.
  void clear_failed() noexcept { failed_ = false; }

 private:
  Container* c_;
  bool failed_ = false;
};

/// "Nothing partial" for writers (docs/security.md §3). Runs `write(sink)`;
/// `write` returns void or errc. If it reports an error, or any append made
/// the sink fail, the sink is restored exactly as it was on entry (its size,
/// and its failed() latch cleared again) and the error is returned
/// (errc::buffer_too_small for a refused append, unless `write` reported its
/// own error). Returns errc{} when everything was written.
///
/// Because the latch is sticky, a writer may append piece by piece without
/// checking each append. A sink that had already failed on entry refuses the
/// whole write (buffer_too_small) and stays as it was, failed.
/// If `write` throws (only possible with exceptions enabled and an
/// allocating container), nothing is rolled back.
template <class Sink, class F>
constexpr errc write_all_or_nothing(Sink& sink,
                                    F&& write) noexcept(std::is_nothrow_invocable_v<F&&, Sink&>) {
  static_assert(is_sink_v<Sink>, "write_all_or_nothing needs a sink");
  using R = std::invoke_result_t<F&&, Sink&>;
  static_assert(std::is_void_v<R> || std::is_same_v<R, errc>,
                "the writer must return void or mailwire::errc");
  const std::size_t mark = sink.size();
  const bool failed_before = sink.failed();
  errc e{};
  if constexpr (std::is_void_v<R>)
    std::forward<F>(write)(sink);
  else
    e = std::forward<F>(write)(sink);
  if (e == errc{} && sink.failed()) e = errc::buffer_too_small;
  if (e != errc{}) {
    sink.truncate(mark);
    if (!failed_before) sink.clear_failed();
  }
  return e;
}

}  // namespace mailwire

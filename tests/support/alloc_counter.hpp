#pragma once
// Counts heap allocations made by this process while a scope is active.
// alloc_counter.cpp replaces the global operator new/delete family and, on
// glibc, malloc/calloc/realloc/aligned_alloc/posix_memalign, so both C and C++
// allocations are seen (C++ ones only under ASan, which owns malloc). Linked only into the
// allocation test binary.

#include <cstddef>

namespace mailwire::test {

std::size_t allocation_count() noexcept;

/// Allocations counted between construction and count().
class allocation_scope {
 public:
  allocation_scope() noexcept : start_(allocation_count()) {}
  std::size_t count() const noexcept { return allocation_count() - start_; }

 private:
  std::size_t start_;
};

}  // namespace mailwire::test

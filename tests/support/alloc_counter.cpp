// Global allocator replacement that counts every allocation (see alloc_counter.hpp).
// Under a sanitizer, which owns malloc, only the operator new family is counted.
#include "support/alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> g_allocations{0};
}

std::size_t mailwire::test::allocation_count() noexcept {
  return g_allocations.load(std::memory_order_relaxed);
}

#if defined(__SANITIZE_ADDRESS__)
#define MAILWIRE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define MAILWIRE_SANITIZED 1
#endif
#endif

#if defined(__GLIBC__) && !defined(MAILWIRE_SANITIZED)
// glibc exports its allocator under these names, so the C entry points can be
// interposed here and forwarded without recursion.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  *out = __libc_memalign(align, n);
  return *out ? 0 : 12;  // ENOMEM
}
void free(void* p) { __libc_free(p); }
}
#define MAILWIRE_RAW_ALLOC(n) __libc_malloc(n)
#define MAILWIRE_RAW_FREE(p) __libc_free(p)
#else
#define MAILWIRE_RAW_ALLOC(n) std::malloc(n)
#define MAILWIRE_RAW_FREE(p) std::free(p)
#endif

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = MAILWIRE_RAW_ALLOC(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return MAILWIRE_RAW_ALLOC(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { MAILWIRE_RAW_FREE(p); }
void operator delete[](void* p) noexcept { MAILWIRE_RAW_FREE(p); }
void operator delete(void* p, std::size_t) noexcept { MAILWIRE_RAW_FREE(p); }
void operator delete[](void* p, std::size_t) noexcept { MAILWIRE_RAW_FREE(p); }

// Zero heap allocation is a tested property: every codec runs inside an
// allocation_scope and the count must stay at zero.
#include <mailwire/mailwire.hpp>

#include <string>

#include "catch.hpp"
#include "support/alloc_counter.hpp"

using mailwire::test::allocation_scope;

TEST_CASE("allocation counter sees allocations", "[alloc]") {
  allocation_scope scope;
  auto* p = new std::string(100, 'x');  // the harness itself must count this
  delete p;
  CHECK(scope.count() >= 1);
}

TEST_CASE("scan kernels allocate nothing", "[alloc]") {
  const std::string text(4096, 'a');
  allocation_scope scope;
  const char* hit = mailwire::scan::find<mailwire::scan::cr | mailwire::scan::lf>(
      text.data(), text.data() + text.size());
  CHECK(scope.count() == 0);
  CHECK(hit == text.data() + text.size());
}

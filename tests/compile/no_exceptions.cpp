// Built with -fno-exceptions -fno-rtti: the whole library must compile and run so.
#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstring>

int main() {
  const char text[] = "abc\r\n.def\r\n";
  const char* hit =
      mailwire::scan::find<mailwire::scan::dot_after_lf>(text + 1, text + sizeof text - 1);
  if (hit != text + 5) {
    std::puts("scan failed");
    return 1;
  }
  std::puts("ok");
  return 0;
}

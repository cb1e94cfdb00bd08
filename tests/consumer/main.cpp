// A downstream program: it only includes the umbrella header and links
// mailwire::mailwire. If this builds and prints the expected lines, the package
// works for the way it was consumed (see CMakeLists.txt next to this file).

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstring>
#include <string_view>

int main() {
  const std::string_view bare_lf = mailwire::name(mailwire::errc::bare_lf);
  std::printf("mailwire %s\n", mailwire::version_string);
  std::printf("errc::bare_lf is \"%.*s\"\n", static_cast<int>(bare_lf.size()), bare_lf.data());
#ifdef MAILWIRE_CONSUMER_EXPECT_VERSION
  if (std::strcmp(mailwire::version_string, MAILWIRE_CONSUMER_EXPECT_VERSION) != 0) {
    std::printf("version_string does not match the package version %s\n",
                MAILWIRE_CONSUMER_EXPECT_VERSION);
    return 1;
  }
#endif
  return bare_lf == "bare_lf" ? 0 : 1;
}

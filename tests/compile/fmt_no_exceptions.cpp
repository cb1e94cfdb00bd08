// mailwire/fmt.hpp built with -fno-exceptions -fno-rtti and the strictest
// warnings (the formatters are header code in the user's build, like the
// rest of the library).
#include <mailwire/fmt.hpp>
#include <mailwire/mailwire.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <string>

int main() {
  using namespace mailwire;
  smtp::server_parser<> p;
  p.feed("MAIL FROM:<a@b.example> SIZE=1\r\nAUTH PLAIN AGFAYg==\r\nRCPT TO:<x\x01y@c>\r\n");
  std::string log;
  for (;;) {
    const smtp::server_event& ev = p.next();
    if (ev.kind == smtp::server_event_kind::need_more) break;
    log += fmt::format("{}|", ev);
  }
  log += fmt::format("{:>6}", escaped("\x7f"));
  const std::string want =
      "command @0: MAIL FROM:<a@b.example> SIZE=1|command @32: AUTH PLAIN [hidden]|"
      "error @53: invalid_local_part (501 5.1.3): <x\\x01y@c>|  \\x7F";
  if (log != want) {
    std::printf("FAILED:\n got %s\nwant %s\n", log.c_str(), want.c_str());
    return 1;
  }
  return 0;
}

// The test runner's main(). Debian 12 ships Catch2 v2 (single header); Catch2 v3
// is used when the build defines MAILWIRE_CATCH2_V3 (see tests/catch.hpp).
#define CATCH_CONFIG_RUNNER
#include "catch.hpp"

int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }

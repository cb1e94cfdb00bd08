// main() for builds without libFuzzer: runs LLVMFuzzerTestOneInput over files.
//
//   <target>_replay [path...]
//
// Each path is a file or a directory (its regular files, recursively, in name
// order). With no paths, the target's own fuzz/corpus/<target>/ and
// fuzz/regressions/<target>/ are used (compiled in as MAILWIRE_FUZZ_CORPUS_DIR
// and MAILWIRE_FUZZ_REGRESSIONS_DIR). A path that does not exist is skipped
// with a note (a target may have no regressions yet), but at least one input
// must be found. Every input is handed over in an exact-size heap block, as
// libFuzzer does. A failed check in the target traps; the name of the input
// being replayed is printed first.

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define MAILWIRE_REPLAY_POSIX 1
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The input being replayed, for the crash message (read by a signal handler).
char g_current[4096];

#if defined(MAILWIRE_REPLAY_POSIX)
extern "C" void on_fatal_signal(int sig) {
  static const char msg[] = "\nreplay: crashed on input: ";
  (void)!write(2, msg, sizeof msg - 1);
  (void)!write(2, g_current, std::strlen(g_current));
  (void)!write(2, "\n", 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}
#endif

bool read_file(const fs::path& p, std::vector<std::uint8_t>& out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

void collect(const fs::path& p, std::vector<fs::path>& files) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(p, ec))
      if (entry.is_regular_file(ec)) found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  } else if (fs::is_regular_file(p, ec)) {
    files.push_back(p);
  } else {
    std::fprintf(stderr, "replay: %s: not found, skipped\n", p.string().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
#if defined(MAILWIRE_REPLAY_POSIX)
  for (int sig : {SIGILL, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP})
    std::signal(sig, on_fatal_signal);
#endif
  std::vector<fs::path> files;
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) collect(argv[i], files);
  } else {
#if defined(MAILWIRE_FUZZ_CORPUS_DIR)
    collect(MAILWIRE_FUZZ_CORPUS_DIR, files);
#endif
#if defined(MAILWIRE_FUZZ_REGRESSIONS_DIR)
    collect(MAILWIRE_FUZZ_REGRESSIONS_DIR, files);
#endif
  }
  if (files.empty()) {
    std::fprintf(stderr, "replay: no inputs found\n");
    return 2;
  }
  std::vector<std::uint8_t> bytes;
  for (const fs::path& p : files) {
    const std::string name = p.string();
    std::snprintf(g_current, sizeof g_current, "%s", name.c_str());
    if (!read_file(p, bytes)) {
      std::fprintf(stderr, "replay: %s: cannot read\n", name.c_str());
      return 2;
    }
    const std::unique_ptr<std::uint8_t[]> block(new std::uint8_t[bytes.size()]);
    if (!bytes.empty()) std::memcpy(block.get(), bytes.data(), bytes.size());
    LLVMFuzzerTestOneInput(block.get(), bytes.size());
  }
  std::printf("replay: %zu inputs ok\n", files.size());
  return 0;
}

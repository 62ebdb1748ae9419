// jiesu: wiring only. Every subcommand lives in cli/.
#include <malloc.h>

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"

namespace {

// The long-running commands start again with glibc's per-thread cache (tcache) off. Each of the
// server's 64 workers otherwise keeps up to 7 freed chunks of every small size for itself: in the
// soak, memory in use grew 11 → 45 MiB over ten minutes as the workers filled their caches, and
// with the cache off it stayed at 6 → 23 MiB with RSS flat over the last half
// (docs/reliability.md, "Soak"). Tunables are read only when a process starts, hence the exec.
// A GLIBC_TUNABLES already set is the operator's choice and is left alone (and ends the loop).
void RestartWithoutThreadCaches(char** argv) {
  const std::string_view command = argv[1] ? argv[1] : "";
  if ((command != "serve" && command != "demo") || std::getenv("GLIBC_TUNABLES")) return;
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
  ::execv("/proc/self/exe", argv);  // returns only when it fails: then go on as we are
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) RestartWithoutThreadCaches(argv);
  // glibc gives each of the server's worker threads a malloc arena of its own (up to 8 per core)
  // and adapts its mmap threshold upwards; together they kept freed memory from going back to
  // the system: RSS grew 21 MiB a minute in the soak (docs/reliability.md, "Soak") with 30 MiB
  // in use. Two arenas and a fixed 128 KiB threshold brought that to +4.5 MiB a minute; the rest
  // was the thread caches (above), overlapping monthly figures (http/server.hpp) and free pages
  // inside the heaps (the housekeeper's malloc_trim, cli/serve.cpp).
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  try {
    return jiesu::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "jiesu: " << e.what() << "\n";
    return 1;
  }
}

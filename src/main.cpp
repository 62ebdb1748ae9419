// jiesu: wiring only. Every subcommand lives in cli/.
#include <malloc.h>

#include <exception>
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // glibc gives each of the server's worker threads a malloc arena of its own (up to 8 per core)
  // and adapts its mmap threshold upwards; together they kept freed memory from going back to
  // the system: RSS grew 21 MiB a minute in the soak (docs/reliability.md, "Soak") with 30 MiB
  // in use. Two arenas and a fixed 128 KiB threshold keep it flat.
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  try {
    return jiesu::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "jiesu: " << e.what() << "\n";
    return 1;
  }
}

// jiesu: wiring only. Every subcommand lives in cli/.
#include <exception>
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  try {
    return jiesu::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "jiesu: " << e.what() << "\n";
    return 1;
  }
}

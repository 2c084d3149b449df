// Entry point of the `switchboard` executable.
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  return switchboard::cli::run(argc, argv, nullptr);
}

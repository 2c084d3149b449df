// switchboard-loadclient: the benchmark's receiving side (and a rate-limited sender). See
// options.cpp.
#include <csignal>
#include <iostream>

#include "options.hpp"
#include "runner.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    lc::Runner runner(lc::parse_options(argc, argv));
    return runner.run();
  } catch (const std::exception& e) {
    std::cerr << "loadclient: " << e.what() << std::endl;
    return 1;
  }
}

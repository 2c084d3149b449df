// See temp_app.hpp.
#include "temp_app.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>

namespace switchboard::functions {

namespace fs = std::filesystem;

TempApp::TempApp() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  // One parent folder per process: ctest runs tests in parallel processes, and a shared
  // parent removed by one while another creates in it fails.
  root_ = fs::temp_directory_path() / ("switchboard-unit-tests-" + std::to_string(::getpid())) /
          ("app-" + std::to_string(rd()) + "-" + std::to_string(counter++));
  fs::create_directories(root_);
}

TempApp::~TempApp() {
  std::error_code ec;
  fs::remove_all(root_, ec);
  fs::remove(root_.parent_path(), ec);  // only when empty
}

void TempApp::write(const fs::path& relative, std::string_view text) const {
  fs::path path = root_ / relative;
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace switchboard::functions

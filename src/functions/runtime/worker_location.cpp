// Finding the language workers at run time: see worker_location.hpp.
#include "functions/runtime/worker_location.hpp"

#include <cstdlib>
#include <string>

namespace switchboard::functions {

namespace fs = std::filesystem;

std::vector<fs::path> worker_candidates(const fs::path& executable) {
  auto bin = executable.parent_path();
  return {(bin / ".." / "share" / "switchboard" / "workers").lexically_normal(),
          (bin / "workers").lexically_normal(), (bin / ".." / "workers").lexically_normal()};
}

bool holds_workers(const fs::path& directory) {
  std::error_code ec;
  return fs::is_regular_file(directory / "node" / "worker.mjs", ec) ||
         fs::is_regular_file(directory / "python" / "worker.py", ec);
}

fs::path locate_workers(const char* override_dir, const fs::path& executable) {
  if (override_dir && *override_dir) {
    if (holds_workers(override_dir)) return override_dir;
    throw WorkerLocationError(std::string("SWITCHBOARD_WORKERS_DIR is ") + override_dir +
                              ", which holds neither node/worker.mjs nor python/worker.py");
  }
  std::string tried;
  for (const auto& candidate : worker_candidates(executable)) {
    if (holds_workers(candidate)) return candidate;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
  }
  throw WorkerLocationError("no language workers (node/worker.mjs, python/worker.py) next to " +
                            executable.string() + " (tried " + tried +
                            "); set SWITCHBOARD_WORKERS_DIR to the folder holding node/ and "
                            "python/");
}

fs::path current_executable() {
  std::error_code ec;
  auto path = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw WorkerLocationError("cannot read /proc/self/exe: " + ec.message());
  return path;
}

fs::path workers_directory() {
  return locate_workers(std::getenv("SWITCHBOARD_WORKERS_DIR"), current_executable());
}

}  // namespace switchboard::functions

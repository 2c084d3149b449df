// Where the language workers (node/worker.mjs, python/worker.py) are at run time: the folder that
// $SWITCHBOARD_WORKERS_DIR names, else one found relative to the running executable, so that an
// installed switchboard and one run from its build tree both find theirs without the source tree.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace switchboard::functions {

// No folder with workers was found; the message names what was tried.
class WorkerLocationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The folders tried for an executable at `executable`, in order:
//   <bin>/../share/switchboard/workers  installed: <prefix>/bin/switchboard
//   <bin>/workers                       build tree: build/switchboard (the build links
//   build/workers) <bin>/../workers                    build tree: build/examples/seeds-cpp
std::vector<std::filesystem::path> worker_candidates(const std::filesystem::path& executable);

// Does `directory` hold a language worker (node/worker.mjs or python/worker.py)?
bool holds_workers(const std::filesystem::path& directory);

// `override_dir` (from $SWITCHBOARD_WORKERS_DIR; null or empty: none) when it holds workers, else
// the first of worker_candidates(executable) that does. Throws WorkerLocationError when the
// override does not hold workers (it is never passed over silently) or no candidate does.
std::filesystem::path locate_workers(const char* override_dir,
                                     const std::filesystem::path& executable);

// The running executable's path (/proc/self/exe).
std::filesystem::path current_executable();

// locate_workers($SWITCHBOARD_WORKERS_DIR, current_executable()).
std::filesystem::path workers_directory();

}  // namespace switchboard::functions

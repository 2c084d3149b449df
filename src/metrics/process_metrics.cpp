// process_* metrics from /proc/self: see process_metrics.hpp.
#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace switchboard::metrics {

namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces), so that field
// 3 (state) is [0].
std::vector<std::string> stat_fields() {
  std::ifstream file("/proc/self/stat");
  std::string line;
  std::getline(file, line);
  std::vector<std::string> fields;
  auto close = line.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 1));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// The boot time in seconds since the epoch (/proc/stat's btime), or 0.
double boot_time() {
  std::ifstream file("/proc/stat");
  for (std::string line; std::getline(file, line);)
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return 0;
}

}  // namespace

void write_process_metrics(Exposition& out) {
  const auto fields = stat_fields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // stat fields (proc(5)), numbered from 1: utime 14, stime 15, starttime 22, rss 24.
  auto field = [&](std::size_t number) -> double {
    const std::size_t index = number - 3;
    return index < fields.size() ? std::stod(fields[index]) : 0.0;
  };
  if (fields.size() > 21) {
    out.family("process_cpu_seconds_total", "counter",
               "User and system CPU time spent, in seconds.");
    out.sample("process_cpu_seconds_total", {}, (field(14) + field(15)) / ticks);
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {}, field(24) * page);
    out.family("process_start_time_seconds", "gauge",
               "Start time of the process since the Unix epoch, in seconds.");
    out.sample("process_start_time_seconds", {}, boot_time() + field(22) / ticks);
  }
  std::error_code ec;
  std::uint64_t open = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++open;
  out.family("process_open_fds", "gauge", "Open file descriptors.");
  out.sample("process_open_fds", {}, open);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.family("process_max_fds", "gauge", "The open-file limit (ulimit -n).");
    out.sample("process_max_fds", {}, static_cast<std::uint64_t>(limit.rlim_cur));
  }
}

}  // namespace switchboard::metrics

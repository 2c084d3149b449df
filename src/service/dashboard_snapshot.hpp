// What the dashboard shows, as the JSON argument of the `snapshot` message its page receives
// (docs/dashboard.md): hubs, connections, users and groups with their members (from this node's
// directory), message rates and the last errors. Pure: built from copies, no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "backplane/local_directory.hpp"
#include "service/recent_errors.hpp"

namespace switchboard::service {

// Per second, over the time since the previous snapshot.
struct DashboardRates {
  double messages_in = 0;   // hub messages received from clients
  double messages_out = 0;  // messages delivered to clients
};

struct DashboardInputs {
  std::chrono::system_clock::time_point now;
  std::string node_id;  // empty: not a cluster node
  std::vector<backplane::ConnectionRecord> connections;
  std::optional<DashboardRates> rates;  // nullopt: no rates yet (the first snapshot)
  std::vector<LogLine> errors;
  std::uint64_t errors_total = 0;
  // At most this many connections, users and groups are listed (and this many members of
  // each); the totals always count them all.
  std::size_t max_listed = 500;
};

// The snapshot as one JSON object (text). Sorted: hubs by name; connections, users and groups by
// hub and then id / name.
std::string dashboard_snapshot_json(DashboardInputs inputs);

}  // namespace switchboard::service

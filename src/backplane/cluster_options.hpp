// How a node joins a cluster: the Redis it shares with the other nodes, its name, the address
// its clients use, and whether negotiate spreads clients. Empty redis_url: a single node.
#pragma once

#include <chrono>
#include <string>

namespace switchboard::backplane {

enum class Balance { LeastLoaded, Off };

struct ClusterOptions {
  std::string redis_url;   // redis://[[user]:password@]host[:port][/db]; empty: no cluster
  std::string node_id;     // empty: generated at start
  std::string public_url;  // e.g. http://10.0.0.5:8888; empty: from the bind address and port
  Balance balance = Balance::LeastLoaded;
  // How long a node waits for Redis at start before it gives up.
  std::chrono::milliseconds connect_timeout{30000};
};

}  // namespace switchboard::backplane

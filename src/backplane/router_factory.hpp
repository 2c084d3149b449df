// Which HubRouter a service runs, from its cluster options: the one place that names the
// implementations (the in-process LocalRouter, or the RedisRouter of a cluster node).
#pragma once

#include <memory>
#include <vector>

#include "backplane/cluster_options.hpp"
#include "backplane/hub_router.hpp"

namespace switchboard::backplane {

std::unique_ptr<HubRouter> make_hub_router(const ClusterOptions& options,
                                           const std::vector<exec::Shard*>& shards);

}  // namespace switchboard::backplane

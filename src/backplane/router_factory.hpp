// Which HubRouter a service runs, from its options: the one place that names the
// implementations (today the in-process LocalRouter; a Redis router for a cluster joins here).
#pragma once

#include <memory>
#include <vector>

#include "backplane/hub_router.hpp"
#include "service/options.hpp"

namespace switchboard::backplane {

std::unique_ptr<HubRouter> make_hub_router(const service::ServiceOptions& options,
                                           std::vector<service::Shard*> shards);

}  // namespace switchboard::backplane

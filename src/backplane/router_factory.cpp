// The router factory: see router_factory.hpp.
#include "backplane/router_factory.hpp"

#include "backplane/local_router.hpp"

namespace switchboard::backplane {

std::unique_ptr<HubRouter> make_hub_router(const ClusterOptions&,
                                           const std::vector<exec::Shard*>& shards) {
  return std::make_unique<LocalRouter>(shards);
}

}  // namespace switchboard::backplane

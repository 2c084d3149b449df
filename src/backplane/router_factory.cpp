// The router factory: see router_factory.hpp.
#include "backplane/router_factory.hpp"

#include "backplane/local_router.hpp"

namespace switchboard::backplane {

std::unique_ptr<HubRouter> make_hub_router(const service::ServiceOptions&,
                                           std::vector<service::Shard*> shards) {
  return std::make_unique<LocalRouter>(std::move(shards));
}

}  // namespace switchboard::backplane

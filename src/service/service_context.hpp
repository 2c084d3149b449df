// What every part of the running service shares: options, keys, the router, the shards and the
// connection-token codec. Owned by Service; everything else holds a reference.
#pragma once

#include <memory>
#include <vector>

#include "auth/connection_token.hpp"
#include "backplane/hub_router.hpp"
#include "service/options.hpp"
#include "service/shard.hpp"

namespace switchboard::service {

struct ServiceContext {
  ServiceOptions options;
  std::vector<std::unique_ptr<Shard>> shards;
  std::unique_ptr<backplane::HubRouter> router;
  std::unique_ptr<auth::ConnectionTokenCodec> tokens;
};

}  // namespace switchboard::service

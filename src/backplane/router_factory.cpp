// The router factory: see router_factory.hpp.
#include "backplane/router_factory.hpp"

#include <stdexcept>

#include "backplane/local_router.hpp"
#include "backplane/redis_router.hpp"

namespace switchboard::backplane {

std::unique_ptr<HubRouter> make_hub_router(const ClusterOptions& options,
                                           const std::vector<exec::Shard*>& shards) {
  if (options.redis_url.empty()) return std::make_unique<LocalRouter>(shards);
  std::string error;
  auto url = redis::parse_redis_url(options.redis_url, &error);
  if (!url) throw std::invalid_argument("--redis: " + error);
  return std::make_unique<RedisRouter>(options, std::move(*url), options.public_url, shards);
}

}  // namespace switchboard::backplane

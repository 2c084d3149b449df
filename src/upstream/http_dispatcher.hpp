// The default upstream dispatcher: POSTs each call over HTTP(S) with the service's HTTP client,
// one client (and so one pool of keep-alive connections) per shard, used only by that shard's
// thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exec/shard.hpp"
#include "net/http_client.hpp"
#include "upstream/dispatcher.hpp"

namespace switchboard::upstream {

class HttpDispatcher final : public Dispatcher {
 public:
  // `pins`: host:port authorities whose HTTPS certificate must be exactly the given one.
  explicit HttpDispatcher(
      const std::vector<exec::Shard*>& shards,
      const std::map<std::string, std::shared_ptr<net::TlsCertificate>>& pins = {});
  ~HttpDispatcher() override;
  boost::asio::awaitable<Reply> dispatch(Call call) override;

 private:
  std::vector<std::unique_ptr<net::HttpClient>> clients_;  // by shard index
};

}  // namespace switchboard::upstream

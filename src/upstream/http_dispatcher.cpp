// Upstream calls over HTTP: see http_dispatcher.hpp.
#include "upstream/http_dispatcher.hpp"

namespace switchboard::upstream {

namespace http = net::http;

HttpDispatcher::HttpDispatcher(
    const std::vector<exec::Shard*>& shards,
    const std::map<std::string, std::shared_ptr<net::TlsCertificate>>& pins) {
  for (auto* shard : shards) {
    clients_.push_back(std::make_unique<net::HttpClient>(shard->io()));
    for (const auto& [authority, certificate] : pins) clients_.back()->pin(authority, certificate);
  }
}

HttpDispatcher::~HttpDispatcher() = default;

boost::asio::awaitable<Reply> HttpDispatcher::dispatch(Call call) {
  Reply reply;
  auto* shard = exec::Shard::current();
  if (!shard || shard->index() >= clients_.size()) {
    reply.failure = Reply::Failure::Unreachable;
    reply.detail = "upstream call made outside a shard thread";
    co_return reply;
  }
  net::Request request;
  try {
    auto [endpoint, target] = net::split_http_url(call.url);
    request.method(http::verb::post);
    request.target(target);
    for (const auto& [name, value] : call.headers) request.set(name, value);
    request.set(http::field::content_type, call.content_type);
    request.body() = std::move(call.body);
    auto response = co_await clients_[shard->index()]->send(endpoint, std::move(request),
                                                            call.timeout, call.max_answer_bytes);
    reply.status = static_cast<int>(response.result_int());
    reply.body = std::move(response.body());
  } catch (const net::HttpClientError& e) {
    reply.failure = e.kind() == net::HttpClientError::Kind::Timeout ? Reply::Failure::Timeout
                    : e.kind() == net::HttpClientError::Kind::TooLarge
                        ? Reply::Failure::TooLarge
                        : Reply::Failure::Unreachable;
    reply.detail = e.what();
  } catch (const std::exception& e) {  // a URL the client cannot use
    reply.failure = Reply::Failure::Unreachable;
    reply.detail = e.what();
  }
  co_return reply;
}

}  // namespace switchboard::upstream

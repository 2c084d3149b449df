// A connection's upstream events, in order: see upstream_session.hpp.
#include "service/upstream_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "service/service_context.hpp"
#include "upstream/dispatcher.hpp"
#include "util/throttle.hpp"

namespace switchboard::service {

using protocol::MessageType;
using upstream::Reply;

namespace {

std::string_view content_type_of(upstream::Protocol protocol) {
  return protocol == upstream::Protocol::Json ? upstream::kJsonContentType
                                              : upstream::kMessagePackContentType;
}

bool succeeded(const Reply& reply) {
  return reply.failure == Reply::Failure::None && reply.status >= 200 && reply.status < 300;
}

std::string describe(const Reply& reply) {
  if (reply.failure == Reply::Failure::None) return fmt::format("status code {}", reply.status);
  return reply.detail;
}

// Failed calls are logged at most once per 10 s per shard thread, with the count since the last
// line: a dead upstream with thousands of clients costs a few lines, not one per event.
void log_failure(const std::string& connection_id, const std::string& what, const Reply& reply) {
  thread_local util::ThrottledCounter failures(std::chrono::seconds(10));
  if (auto count = failures.add(); count > 0)
    spdlog::warn("connection {}: upstream {} failed: {}{}", connection_id, what, describe(reply),
                 count > 1 ? fmt::format(" ({} failed upstream calls on this thread since the "
                                         "last such line)",
                                         count)
                           : std::string());
}

}  // namespace

UpstreamSession::UpstreamSession(const ServiceContext& context, upstream::ConnectionFacts facts,
                                 upstream::Protocol protocol, Hooks hooks)
    : settings_(context.options.upstream),
      dispatcher_(context.upstream),
      timeout_(context.options.upstream_timeout),
      max_pending_(context.options.upstream_max_pending),
      facts_(std::move(facts)),
      protocol_(protocol),
      hooks_(std::move(hooks)) {}

UpstreamSession::Pending UpstreamSession::event(std::string_view category, std::string_view event,
                                                std::string_view content_type, std::string body,
                                                const upstream::Template& target) {
  Pending pending;
  pending.call =
      upstream::build_call(target, facts_, category, event, content_type, std::move(body));
  pending.call.timeout = timeout_;
  pending.what = fmt::format("{}/{}", category, event);
  return pending;
}

bool UpstreamSession::wants_connect() const {
  return settings_.wants_connect(facts_.hub);
}

boost::asio::awaitable<upstream::ConnectVerdict> UpstreamSession::connect() {
  auto self = shared_from_this();
  const auto* target = settings_.match(facts_.hub, upstream::kConnections, upstream::kConnect);
  if (!target) co_return upstream::ConnectVerdict{true, {}};
  auto pending = event(upstream::kConnections, upstream::kConnect, upstream::kJsonContentType,
                       upstream::connect_body(), *target);
  auto op = dispatcher_->dispatch(std::move(pending.call));
  Reply reply = co_await std::move(op);
  auto verdict = upstream::connect_verdict(reply, timeout_);
  if (!verdict.accepted)
    spdlog::info("connection {}: rejected by the upstream's connect event ({})",
                 facts_.connection_id, describe(reply));
  co_return verdict;
}

void UpstreamSession::opened() {
  if (opened_ || closed_) return;
  opened_ = true;
  if (const auto* target =
          settings_.match(facts_.hub, upstream::kConnections, upstream::kConnected))
    enqueue(event(upstream::kConnections, upstream::kConnected, upstream::kJsonContentType,
                  upstream::connected_body(), *target),
            true);
  start_draining();
}

void UpstreamSession::message(const protocol::HubMessage& message, std::string_view record) {
  if (closed_) return;
  const bool has_id = message.has_invocation_id && !message.invocation_id.empty();
  if (pending_messages_ >= max_pending_) {
    hooks_.close(fmt::format("Too many messages are waiting for the upstream (more than {}).",
                             max_pending_));
    return;
  }
  Pending pending;
  pending.is_message = true;
  pending.has_id = has_id;
  pending.invocation_id = message.invocation_id;
  pending.what = fmt::format("messages/{}", message.target);
  const auto* target = settings_.match(facts_.hub, upstream::kMessages, message.target);
  if (message.type == MessageType::StreamInvocation) {
    pending.has_id = true;
    pending.immediate_error = fmt::format(
        "Invocation failed: streaming invocations ('{}') are not supported in serverless mode.",
        message.target);
  } else if (!message.stream_ids.empty()) {
    pending.immediate_error = fmt::format(
        "Invocation failed: client streams ('{}') are not supported in serverless mode.",
        message.target);
  } else if (!target) {
    pending.immediate_error = fmt::format(
        "Invocation failed: no upstream template matches hub '{}', category '{}', "
        "event '{}'.",
        facts_.hub, upstream::kMessages, message.target);
  } else {
    auto what = std::move(pending.what);
    pending = event(upstream::kMessages, message.target, content_type_of(protocol_),
                    std::string(record), *target);
    pending.is_message = true;
    pending.has_id = has_id;
    pending.invocation_id = message.invocation_id;
    pending.what = std::move(what);
  }
  if (!pending.has_id && !pending.immediate_error.empty()) {
    spdlog::debug("connection {}: {} dropped: {}", facts_.connection_id, pending.what,
                  pending.immediate_error);
    return;  // a send gets nothing back in any case
  }
  ++pending_messages_;
  enqueue(std::move(pending));
  if (opened_) start_draining();
}

void UpstreamSession::closed(std::string_view error) {
  if (closed_) return;
  closed_ = true;
  if (!opened_) {
    queue_.clear();
    pending_messages_ = 0;
    return;
  }
  if (const auto* target =
          settings_.match(facts_.hub, upstream::kConnections, upstream::kDisconnected))
    enqueue(event(upstream::kConnections, upstream::kDisconnected, upstream::kJsonContentType,
                  upstream::disconnected_body(error), *target));
  start_draining();
}

void UpstreamSession::enqueue(Pending pending, bool front) {
  if (front)
    queue_.push_front(std::move(pending));
  else
    queue_.push_back(std::move(pending));
}

void UpstreamSession::start_draining() {
  if (draining_ || queue_.empty()) return;
  draining_ = true;
  // On the current (the connection's) shard thread.
  auto* shard = exec::Shard::current();
  if (!shard) {
    draining_ = false;
    return;
  }
  boost::asio::co_spawn(shard->io(), drain(shared_from_this()), boost::asio::detached);
}

boost::asio::awaitable<void> UpstreamSession::drain(
    [[maybe_unused]] std::shared_ptr<UpstreamSession> self) {
  while (!queue_.empty()) {
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    if (!pending.immediate_error.empty()) {
      if (pending.is_message) --pending_messages_;
      hooks_.deliver(
          upstream::completion_error(protocol_, pending.invocation_id, pending.immediate_error));
      continue;
    }
    auto op = dispatcher_->dispatch(std::move(pending.call));
    Reply reply = co_await std::move(op);
    if (pending.is_message) --pending_messages_;
    if (!succeeded(reply)) log_failure(facts_.connection_id, pending.what, reply);
    if (pending.has_id)
      hooks_.deliver(
          upstream::invocation_completion(reply, protocol_, pending.invocation_id, timeout_));
  }
  draining_ = false;
}

}  // namespace switchboard::service

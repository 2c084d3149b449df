// Upstream answers: see answer.hpp.
#include "upstream/answer.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"
#include "util/duration.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace switchboard::upstream {

namespace {

// The longest answer body quoted in a rejection.
constexpr std::size_t kMaxReasonBytes = 512;

std::string failure_text(const Reply& reply, std::chrono::milliseconds timeout) {
  switch (reply.failure) {
    case Reply::Failure::Timeout:
      return "the upstream did not answer within " + util::format_seconds(timeout);
    case Reply::Failure::Unreachable:
      return "the upstream could not be reached";
    default:
      return "the upstream failed";
  }
}

}  // namespace

std::string completion_error(Protocol protocol, std::string_view invocation_id,
                             std::string_view error) {
  return protocol == Protocol::Json
             ? protocol::encode_completion_error(invocation_id, error)
             : protocol::encode_messagepack_completion_error(invocation_id, error);
}

bool is_completion_for(std::string_view body, Protocol protocol, std::string_view invocation_id) {
  std::string_view record;
  if (protocol == Protocol::Json) {
    if (body.empty() || body.back() != protocol::kRecordSeparator) return false;
    record = body.substr(0, body.size() - 1);
    if (record.find(protocol::kRecordSeparator) != std::string_view::npos) return false;
    auto parsed = protocol::parse_json_message(record);
    return parsed.message && parsed.message->type == protocol::MessageType::Completion &&
           parsed.message->invocation_id == invocation_id;
  }
  protocol::MessagePackRecordReader reader(body.size());
  if (!reader.append(body)) return false;
  auto first = reader.next();
  if (!first || reader.pending_bytes() != 0) return false;
  auto parsed = protocol::parse_messagepack_message(*first);
  return parsed.message && parsed.message->type == protocol::MessageType::Completion &&
         parsed.message->invocation_id == invocation_id;
}

std::string invocation_completion(const Reply& reply, Protocol protocol,
                                  std::string_view invocation_id,
                                  std::chrono::milliseconds timeout) {
  if (reply.failure == Reply::Failure::TooLarge)
    return completion_error(protocol, invocation_id, "Invocation failed, response too large.");
  if (reply.failure != Reply::Failure::None)
    return completion_error(
        protocol, invocation_id,
        "Invocation failed, status code 500: " + failure_text(reply, timeout) + ".");
  if ((reply.status == 200 && reply.body.empty()) || reply.status == 204)
    return protocol == Protocol::Json ? protocol::encode_completion_void(invocation_id)
                                      : protocol::encode_messagepack_completion_void(invocation_id);
  if (reply.status == 200) {
    if (is_completion_for(reply.body, protocol, invocation_id)) return reply.body;
    return completion_error(protocol, invocation_id,
                            std::string("Invocation failed: the upstream's answer was not a ") +
                                (protocol == Protocol::Json ? "JSON" : "MessagePack") +
                                " completion message for this invocation.");
  }
  return completion_error(protocol, invocation_id,
                          fmt::format("Invocation failed, status code {}", reply.status));
}

ConnectVerdict connect_verdict(const Reply& reply, std::chrono::milliseconds timeout) {
  ConnectVerdict verdict;
  if (reply.failure == Reply::Failure::None && reply.status >= 200 && reply.status < 300) {
    verdict.accepted = true;
    return verdict;
  }
  if (reply.failure == Reply::Failure::None) {
    verdict.reason =
        fmt::format("Connection rejected by the upstream, status code {}", reply.status);
    std::string text(util::trim(reply.body));
    // A Functions host answers a failed connect function with {"error": "<its message>"}: the
    // message is the reason.
    if (auto json = nlohmann::json::parse(text, nullptr, false);
        json.is_object() && json.contains("error") && json["error"].is_string()) {
      const auto& error = json["error"].get_ref<const std::string&>();
      text = std::string(util::trim(error));
    }
    if (!text.empty() && text.size() <= kMaxReasonBytes && util::is_valid_utf8(text) &&
        !util::first_control_byte(text))
      verdict.reason += fmt::format(": {}", text);
    verdict.reason += '.';
    if (verdict.reason.ends_with("..")) verdict.reason.pop_back();
    return verdict;
  }
  if (reply.failure == Reply::Failure::TooLarge) {
    verdict.reason = "Connection rejected: the upstream's answer was too large.";
    return verdict;
  }
  verdict.reason = "Connection rejected: " + failure_text(reply, timeout) + ".";
  return verdict;
}

}  // namespace switchboard::upstream

// The SignalR hub protocol's message model, independent of the wire format (JSON or MessagePack).
// Argument, item and result payloads are kept as raw JSON text so that they can be forwarded
// verbatim.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace switchboard::protocol {

enum class MessageType : int {
  Invocation = 1,
  StreamItem = 2,
  Completion = 3,
  StreamInvocation = 4,
  CancelInvocation = 5,
  Ping = 6,
  Close = 7,
  Ack = 8,
  Sequence = 9,
};

struct HubMessage {
  MessageType type = MessageType::Ping;
  std::map<std::string, std::string> headers;
  bool has_invocation_id = false;
  std::string invocation_id;
  std::string target;                   // Invocation, StreamInvocation
  std::string arguments_json = "[]";    // Invocation, StreamInvocation: a JSON array, minified
  std::vector<std::string> stream_ids;  // Invocation, StreamInvocation
  std::string item_json;                // StreamItem: JSON value, minified ("null" allowed)
  bool has_result = false;
  std::string result_json;  // Completion: JSON value, minified
  bool has_error = false;
  std::string error;             // Completion, Close
  bool allow_reconnect = false;  // Close
  std::int64_t sequence_id = 0;  // Ack, Sequence
};

}  // namespace switchboard::protocol

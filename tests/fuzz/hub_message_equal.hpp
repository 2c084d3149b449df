// Field-by-field comparison of two parsed hub messages, for the round-trip checks of the hub
// protocol fuzz targets (parse, encode, parse again: the same message).
#pragma once

#include "protocol/hub_message.hpp"

// Headers only count for the types that carry them: a JSON Ping, Close, Ack or Sequence may come
// with a "headers" member, which the parser reads and the encoder (rightly) does not write.
inline bool same_hub_message(const switchboard::protocol::HubMessage& a,
                             const switchboard::protocol::HubMessage& b) {
  using switchboard::protocol::MessageType;
  bool headers_carried = a.type != MessageType::Ping && a.type != MessageType::Close &&
                         a.type != MessageType::Ack && a.type != MessageType::Sequence;
  return a.type == b.type && (!headers_carried || a.headers == b.headers) &&
         a.invocation_id == b.invocation_id && a.target == b.target &&
         a.arguments_json == b.arguments_json && a.stream_ids == b.stream_ids &&
         a.item_json == b.item_json && a.has_result == b.has_result &&
         a.result_json == b.result_json && a.has_error == b.has_error && a.error == b.error &&
         a.allow_reconnect == b.allow_reconnect && a.sequence_id == b.sequence_id;
}

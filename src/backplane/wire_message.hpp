// What one node tells the others through Redis: a send (the message already encoded for both hub
// protocols, and the ids it leaves out), a membership change of this node's connections, or a
// close. Encoded once by the sender, decoded once by each receiving node; a message from a newer
// format or a garbled one decodes to an error, never to a guess.
//
// Format: "SB", a version byte, kind, then length-prefixed fields (LEB128 lengths) in a fixed
// order: hub, target, group, reason, json frame, MessagePack frame, then a count and the excluded
// connection ids. Version 2 adds one more field at the end: where the receiving node acknowledges
// the change (see RedisRouter); a message without one is written as version 1, so sends stay
// readable by nodes of the previous version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::backplane {

enum class WireKind : std::uint8_t {
  SendAll = 1,           // hub, json, messagepack, excluded
  SendUser = 2,          // hub, target = user
  SendGroup = 3,         // hub, target = group, excluded
  SendConnection = 4,    // hub, target = connection id
  Join = 5,              // hub, target = connection id, group
  Leave = 6,             // hub, target = connection id, group
  LeaveAll = 7,          // hub, target = connection id
  JoinUser = 8,          // hub, target = user, group: the user's connections on the node join
  LeaveUser = 9,         // hub, target = user, group
  LeaveUserAll = 10,     // hub, target = user
  CloseConnection = 11,  // hub, target = connection id, reason
  CloseAll = 12,         // hub, excluded, reason
  CloseGroup = 13,       // hub, target = group, excluded, reason
  CloseUser = 14,        // hub, target = user, excluded, reason
  Ack = 15,              // hub, target = the acknowledged change's id (to the node that asked)
};

struct WireMessage {
  WireKind kind = WireKind::SendAll;
  std::string hub;
  std::string target;
  std::string group;
  std::string reason;
  std::string json_frame;
  std::string messagepack_frame;
  std::vector<std::string> excluded;
  // Version 2: "node \0 id" of the node waiting for an Ack of this change; empty: none.
  std::string ack;
};

constexpr std::uint8_t kWireVersion = 2;  // the newest version this node reads and writes

std::string encode_wire_message(const WireMessage& message);
// nullopt and *error set ("format version 7 is newer than this node's 2", "truncated field 3",
// "unknown kind 99", ...) when `bytes` is not a message this node understands.
std::optional<WireMessage> decode_wire_message(std::string_view bytes, std::string* error);

}  // namespace switchboard::backplane

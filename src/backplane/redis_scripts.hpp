// The Lua scripts that keep the cluster's directory in Redis. Each change that touches several
// keys is one script, so it is atomic and costs one round trip; scripts that must tell a node
// something publish on that node's channel in the same step, so the notice is ordered with every
// other message of the cluster. Keys and channels are described in docs/cluster.md.
#pragma once

#include <string>

#include "redis/redis_connection.hpp"

namespace switchboard::backplane::scripts {

// Every script reads Redis's clock (TIME), so nodes need not agree on the time.
// ARGV: node, hub, connection id, user, "1" to join the user's stored groups, groups... ->
// {the groups the connection joined, the user's stored groups as group, spec pairs ('p' or
// 't<expiry ms>')}.
const redis::Script& open_connection();
// ARGV: node, hub, connection ids... -> how many of them were this node's and are forgotten.
const redis::Script& close_connections();
// ARGV: node -> how many connections of the node were forgotten.
const redis::Script& forget_node();
// ARGV: hub, connection id / user / group, payload -> how many nodes it was published to.
const redis::Script& send_to_connection();
const redis::Script& send_to_user();
const redis::Script& send_to_group();
// Changes that nodes must acknowledge take one more ARGV first: where the nodes that receive a
// notice acknowledge it ("node \0 id", or "" for nobody), and answer {result, how many nodes
// received a notice}; `result` is what is listed here.
// ARGV: ack, hub, connection id, group -> 0 when there is no such connection.
const redis::Script& join_group();
const redis::Script& leave_group();
// ARGV: ack, hub, connection id -> 0 when there is no such connection.
const redis::Script& leave_all_groups();
// ARGV: ack, hub, user, group, mode ("permanent", "ttl" or "now"), ttl ms, most permanent groups.
const redis::Script& add_user_to_group();
// ARGV: ack, hub, user, group.
const redis::Script& remove_user_from_group();
// ARGV: ack, hub, user.
const redis::Script& remove_user_from_all_groups();
// ARGV: hub, user, group -> 1 or 0.
const redis::Script& user_in_group();
// ARGV: most to expire in one go -> how many expired.
const redis::Script& expire_user_groups();
// ARGV: ack, hub, connection id, reason -> 0 when there is no such connection.
const redis::Script& close_connection_everywhere();
// ARGV: ack, hub, user / group, reason, excluded ids...
const redis::Script& close_user();
const redis::Script& close_group();
// ARGV: channel, payload (a notice that carries its own acknowledgement address) -> how many
// nodes subscribe to the channel (pattern subscribers not counted).
const redis::Script& publish_notice();
// ARGV: hub, user, then group, spec pairs (as open_connection gives them): puts back the stored
// memberships Redis no longer has (one another node restored first stays), and makes the user's
// connections leave those that expired meanwhile -> how many were put back.
const redis::Script& restore_user_groups();
// ARGV: a new random value -> the value of sb:epoch, set to the new one when there was none: a
// change tells a node that Redis lost its data since it last asked.
const redis::Script& epoch();
// ARGV: node, public url, connections, liveness ms -> {was registered (0/1), then node, url,
// connections for every live node}. Forgets the nodes whose liveness key has expired.
const redis::Script& heartbeat();

}  // namespace switchboard::backplane::scripts

namespace switchboard::backplane::keys {

// The few keys and channels read with plain commands (the scripts build the same names).
inline std::string connections(const std::string& hub) {
  return "sb:c:" + hub;
}
inline std::string user(const std::string& hub, const std::string& user) {
  return "sb:u:" + hub + ":" + user;
}
inline std::string group(const std::string& hub, const std::string& group) {
  return "sb:g:" + hub + ":" + group;
}
inline std::string hub_channel(const std::string& hub) {
  return "sb:h:" + hub;
}
inline std::string node_channel(const std::string& node) {
  return "sb:n:" + node;
}

}  // namespace switchboard::backplane::keys

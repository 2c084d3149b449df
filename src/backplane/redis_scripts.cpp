// The cluster directory's Lua scripts: see redis_scripts.hpp. Each script is the shared prelude
// (key names, the backplane message encoder, the steps several scripts share) and its own body.
#include "backplane/redis_scripts.hpp"

#include <string>

namespace switchboard::backplane::scripts {

namespace {

// Keys (hub names are lower-case letters, digits and underscores; users, groups and connection
// ids come last in a key, so any text is safe there):
//   sb:c:HUB            hash  connection id -> node .. "\0" .. user
//   sb:cg:HUB:CONN      set   the connection's groups
//   sb:u:HUB:USER       hash  node -> number of the user's connections on it
//   sb:uc:HUB:USER      set   the user's connection ids
//   sb:g:HUB:GROUP      hash  node -> number of the group's connections on it
//   sb:ugp:HUB:USER     zset  permanent user groups, scored by update order (sb:seq)
//   sb:ugt:HUB:USER     zset  user groups with a ttl, scored by expiry (ms)
//   sb:exp              zset  HUB\0USER\0GROUP scored by expiry, for the sweep
//   sb:nc:NODE          set   HUB\0CONN of every connection on the node
//   sb:nodes / sb:load  hash  node -> public url / connections
//   sb:epoch            string  random, set when missing: a new value means Redis lost its data
//   sb:alive:NODE       string with an expiry, refreshed by the node's heartbeat
// Channels: sb:h:HUB (broadcasts), sb:n:NODE (everything for one node).
constexpr const char* kPrelude = R"LUA(
local P = 'sb:'
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function conn_key(hub) return P .. 'c:' .. hub end
local function cg_key(hub, conn) return P .. 'cg:' .. hub .. ':' .. conn end
local function user_key(hub, user) return P .. 'u:' .. hub .. ':' .. user end
local function uc_key(hub, user) return P .. 'uc:' .. hub .. ':' .. user end
local function group_key(hub, group) return P .. 'g:' .. hub .. ':' .. group end
local function ugp_key(hub, user) return P .. 'ugp:' .. hub .. ':' .. user end
local function ugt_key(hub, user) return P .. 'ugt:' .. hub .. ':' .. user end
local function nc_key(node) return P .. 'nc:' .. node end
local function node_channel(node) return P .. 'n:' .. node end
local EXP = P .. 'exp'

-- The backplane message format (see wire_message.hpp), for the notices scripts publish.
local function leb(n)
  local s = ''
  while n >= 128 do
    s = s .. string.char(n % 128 + 128)
    n = math.floor(n / 128)
  end
  return s .. string.char(n)
end
local function field(x) return leb(#x) .. x end

-- A change the calling node waits for: the script's first ARGV is where the nodes that hear of it
-- acknowledge it ('' for nobody), every notice carries that address (format version 2), and the
-- script answers {its result, how many nodes received a notice}.
local ACK, RECEIVED = '', 0
local function take_ack() ACK = table.remove(ARGV, 1) end
local function answer(result) return {result, RECEIVED} end

local function wire(kind, hub, target, group, reason, excluded)
  local s = string.char(kind) .. field(hub) .. field(target) .. field(group) ..
            field(reason or '') .. field('') .. field('')
  excluded = excluded or {}
  s = s .. leb(#excluded)
  for _, id in ipairs(excluded) do s = s .. field(id) end
  if ACK ~= '' then return 'SB\2' .. s .. field(ACK) end
  return 'SB\1' .. s
end
-- Publishes a notice and counts the nodes that receive it: the channel's subscribers, not
-- PUBLISH's answer, which also counts pattern subscribers (a PSUBSCRIBE * while debugging) that
-- acknowledge nothing.
local function publish_counted(channel, message)
  RECEIVED = RECEIVED + redis.call('PUBSUB', 'NUMSUB', channel)[2]
  redis.call('PUBLISH', channel, message)
end
local function notify(node, message) publish_counted(node_channel(node), message) end

local function decrement(key, member)
  if redis.call('HINCRBY', key, member, -1) <= 0 then redis.call('HDEL', key, member) end
end
local function split2(v)
  local i = string.find(v, '\0', 1, true)
  return string.sub(v, 1, i - 1), string.sub(v, i + 1)
end
-- node, user of a connection, or nil
local function owner(hub, conn)
  local v = redis.call('HGET', conn_key(hub), conn)
  if not v then return nil end
  return split2(v)
end
-- Forgets a connection everywhere; its node, or nil when unknown.
local function forget(hub, conn)
  local node, user = owner(hub, conn)
  if not node then return nil end
  redis.call('HDEL', conn_key(hub), conn)
  redis.call('SREM', nc_key(node), hub .. '\0' .. conn)
  for _, g in ipairs(redis.call('SMEMBERS', cg_key(hub, conn))) do
    decrement(group_key(hub, g), node)
  end
  redis.call('DEL', cg_key(hub, conn))
  if user ~= '' then
    decrement(user_key(hub, user), node)
    redis.call('SREM', uc_key(hub, user), conn)
  end
  return node
end
-- Forgets every connection of a node; how many.
local function forget_node(node)
  local n = 0
  for _, member in ipairs(redis.call('SMEMBERS', nc_key(node))) do
    local hub, conn = split2(member)
    if owner(hub, conn) == node then forget(hub, conn) end
    n = n + 1
  end
  redis.call('DEL', nc_key(node))
  return n
end
-- The user's connections join / leave; every node holding one is told (also when its
-- connections were already in the group or already out of it), so that each knows the user's
-- stored memberships (`spec`: 'p' permanent, 't<expiry ms>' with a ttl, 'n' none stored) and can
-- put them back if Redis loses its data.
local function join_user(hub, user, group, spec)
  local nodes = {}
  for _, conn in ipairs(redis.call('SMEMBERS', uc_key(hub, user))) do
    local node = owner(hub, conn)
    if node then
      nodes[node] = true
      if redis.call('SADD', cg_key(hub, conn), group) == 1 then
        redis.call('HINCRBY', group_key(hub, group), node, 1)
      end
    end
  end
  for node in pairs(nodes) do notify(node, wire(8, hub, user, group, spec)) end
end
local function leave_user(hub, user, group)
  local nodes = {}
  for _, conn in ipairs(redis.call('SMEMBERS', uc_key(hub, user))) do
    local node = owner(hub, conn)
    if node then
      nodes[node] = true
      if redis.call('SREM', cg_key(hub, conn), group) == 1 then decrement(group_key(hub, group), node) end
    end
  end
  for node in pairs(nodes) do notify(node, wire(9, hub, user, group)) end
end
local function excluded_from(first)
  local ids, set = {}, {}
  for i = first, #ARGV do
    ids[#ids + 1] = ARGV[i]
    set[ARGV[i]] = true
  end
  return ids, set
end
)LUA";

redis::Script make(const char* body) {
  return redis::Script(std::string(kPrelude) + body);
}

}  // namespace

const redis::Script& open_connection() {
  static const redis::Script script = make(R"LUA(
local node, hub, conn, user, stored = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
forget(hub, conn)
redis.call('HSET', conn_key(hub), conn, node .. '\0' .. user)
redis.call('SADD', nc_key(node), hub .. '\0' .. conn)
local groups, specs = {}, {}
for i = 6, #ARGV do groups[#groups + 1] = ARGV[i] end
if user ~= '' then
  redis.call('HINCRBY', user_key(hub, user), node, 1)
  redis.call('SADD', uc_key(hub, user), conn)
  if stored == '1' then
    for _, g in ipairs(redis.call('ZRANGE', ugp_key(hub, user), 0, -1)) do
      groups[#groups + 1] = g
      specs[#specs + 1] = g
      specs[#specs + 1] = 'p'
    end
    local timed = redis.call('ZRANGEBYSCORE', ugt_key(hub, user), '(' .. now_ms(), '+inf', 'WITHSCORES')
    for i = 1, #timed, 2 do
      groups[#groups + 1] = timed[i]
      specs[#specs + 1] = timed[i]
      specs[#specs + 1] = 't' .. timed[i + 1]
    end
  end
end
local joined = {}
for _, g in ipairs(groups) do
  if redis.call('SADD', cg_key(hub, conn), g) == 1 then
    redis.call('HINCRBY', group_key(hub, g), node, 1)
    joined[#joined + 1] = g
  end
end
return {joined, specs}
)LUA");
  return script;
}

const redis::Script& close_connections() {
  static const redis::Script script = make(R"LUA(
local node, hub, n = ARGV[1], ARGV[2], 0
for i = 3, #ARGV do
  if owner(hub, ARGV[i]) == node then
    forget(hub, ARGV[i])
    n = n + 1
  end
end
return n
)LUA");
  return script;
}

const redis::Script& forget_node() {
  static const redis::Script script = make(R"LUA(
return forget_node(ARGV[1])
)LUA");
  return script;
}

const redis::Script& send_to_connection() {
  static const redis::Script script = make(R"LUA(
local node = owner(ARGV[1], ARGV[2])
if not node then return 0 end
redis.call('PUBLISH', node_channel(node), ARGV[3])
return 1
)LUA");
  return script;
}

const redis::Script& send_to_user() {
  static const redis::Script script = make(R"LUA(
local nodes = redis.call('HKEYS', user_key(ARGV[1], ARGV[2]))
for _, node in ipairs(nodes) do redis.call('PUBLISH', node_channel(node), ARGV[3]) end
return #nodes
)LUA");
  return script;
}

const redis::Script& send_to_group() {
  static const redis::Script script = make(R"LUA(
local nodes = redis.call('HKEYS', group_key(ARGV[1], ARGV[2]))
for _, node in ipairs(nodes) do redis.call('PUBLISH', node_channel(node), ARGV[3]) end
return #nodes
)LUA");
  return script;
}

const redis::Script& join_group() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, conn, group = ARGV[1], ARGV[2], ARGV[3]
local node = owner(hub, conn)
if not node then return answer(0) end
if redis.call('SADD', cg_key(hub, conn), group) == 1 then
  redis.call('HINCRBY', group_key(hub, group), node, 1)
  notify(node, wire(5, hub, conn, group))
end
return answer(1)
)LUA");
  return script;
}

const redis::Script& leave_group() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, conn, group = ARGV[1], ARGV[2], ARGV[3]
local node = owner(hub, conn)
if not node then return answer(0) end
if redis.call('SREM', cg_key(hub, conn), group) == 1 then
  decrement(group_key(hub, group), node)
  notify(node, wire(6, hub, conn, group))
end
return answer(1)
)LUA");
  return script;
}

const redis::Script& leave_all_groups() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, conn = ARGV[1], ARGV[2]
local node = owner(hub, conn)
if not node then return answer(0) end
for _, g in ipairs(redis.call('SMEMBERS', cg_key(hub, conn))) do decrement(group_key(hub, g), node) end
redis.call('DEL', cg_key(hub, conn))
notify(node, wire(7, hub, conn, ''))
return answer(1)
)LUA");
  return script;
}

const redis::Script& add_user_to_group() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, user, group, mode, ttl, most = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local member = hub .. '\0' .. user .. '\0' .. group
local pkey, tkey = ugp_key(hub, user), ugt_key(hub, user)
local spec = 'n'
if mode == 'permanent' then
  spec = 'p'
  redis.call('ZREM', tkey, group)
  redis.call('ZREM', EXP, member)
  redis.call('ZADD', pkey, redis.call('INCR', P .. 'seq'), group)
  local n = redis.call('ZCARD', pkey)
  if n > most then
    for _, g in ipairs(redis.call('ZRANGE', pkey, 0, n - most - 1)) do
      redis.call('ZREM', pkey, g)
      leave_user(hub, user, g)
    end
  end
elseif mode == 'ttl' then
  local expires = now_ms() + ttl
  spec = 't' .. expires
  redis.call('ZREM', pkey, group)
  redis.call('ZADD', tkey, expires, group)
  redis.call('ZADD', EXP, expires, member)
else
  redis.call('ZREM', pkey, group)
  redis.call('ZREM', tkey, group)
  redis.call('ZREM', EXP, member)
end
join_user(hub, user, group, spec)
return answer(1)
)LUA");
  return script;
}

const redis::Script& remove_user_from_group() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, user, group = ARGV[1], ARGV[2], ARGV[3]
redis.call('ZREM', ugp_key(hub, user), group)
redis.call('ZREM', ugt_key(hub, user), group)
redis.call('ZREM', EXP, hub .. '\0' .. user .. '\0' .. group)
leave_user(hub, user, group)
return answer(1)
)LUA");
  return script;
}

const redis::Script& remove_user_from_all_groups() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, user = ARGV[1], ARGV[2]
for _, g in ipairs(redis.call('ZRANGE', ugt_key(hub, user), 0, -1)) do
  redis.call('ZREM', EXP, hub .. '\0' .. user .. '\0' .. g)
end
redis.call('DEL', ugp_key(hub, user), ugt_key(hub, user))
local nodes = {}
for _, conn in ipairs(redis.call('SMEMBERS', uc_key(hub, user))) do
  local node = owner(hub, conn)
  if node then
    for _, g in ipairs(redis.call('SMEMBERS', cg_key(hub, conn))) do decrement(group_key(hub, g), node) end
    redis.call('DEL', cg_key(hub, conn))
    nodes[node] = true
  end
end
for node in pairs(nodes) do notify(node, wire(10, hub, user, '')) end
return answer(1)
)LUA");
  return script;
}

const redis::Script& user_in_group() {
  static const redis::Script script = make(R"LUA(
local hub, user, group = ARGV[1], ARGV[2], ARGV[3]
if redis.call('ZSCORE', ugp_key(hub, user), group) then return 1 end
local expires = redis.call('ZSCORE', ugt_key(hub, user), group)
if expires and tonumber(expires) > now_ms() then return 1 end
for _, conn in ipairs(redis.call('SMEMBERS', uc_key(hub, user))) do
  if redis.call('SISMEMBER', cg_key(hub, conn), group) == 1 then return 1 end
end
return 0
)LUA");
  return script;
}

const redis::Script& expire_user_groups() {
  static const redis::Script script = make(R"LUA(
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', EXP, '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  redis.call('ZREM', EXP, member)
  local i = string.find(member, '\0', 1, true)
  local j = string.find(member, '\0', i + 1, true)
  local hub, user, group = string.sub(member, 1, i - 1), string.sub(member, i + 1, j - 1), string.sub(member, j + 1)
  local expires = redis.call('ZSCORE', ugt_key(hub, user), group)
  if expires and tonumber(expires) <= now then
    redis.call('ZREM', ugt_key(hub, user), group)
    leave_user(hub, user, group)
  end
end
return #due
)LUA");
  return script;
}

const redis::Script& close_connection_everywhere() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, conn, reason = ARGV[1], ARGV[2], ARGV[3]
local node = forget(hub, conn)
if not node then return answer(0) end
notify(node, wire(11, hub, conn, '', reason))
return answer(1)
)LUA");
  return script;
}

const redis::Script& close_user() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, user, reason = ARGV[1], ARGV[2], ARGV[3]
local excluded, skip = excluded_from(4)
local nodes = {}
for _, conn in ipairs(redis.call('SMEMBERS', uc_key(hub, user))) do
  if not skip[conn] then
    local node = forget(hub, conn)
    if node then nodes[node] = true end
  end
end
for node in pairs(nodes) do notify(node, wire(14, hub, user, '', reason, excluded)) end
return answer(1)
)LUA");
  return script;
}

const redis::Script& close_group() {
  static const redis::Script script = make(R"LUA(
take_ack()
local hub, group, reason = ARGV[1], ARGV[2], ARGV[3]
local excluded = excluded_from(4)
for _, node in ipairs(redis.call('HKEYS', group_key(hub, group))) do
  notify(node, wire(13, hub, group, '', reason, excluded))
end
return answer(1)
)LUA");
  return script;
}

const redis::Script& publish_notice() {
  static const redis::Script script = make(R"LUA(
publish_counted(ARGV[1], ARGV[2])
return RECEIVED
)LUA");
  return script;
}

const redis::Script& restore_user_groups() {
  static const redis::Script script = make(R"LUA(
local hub, user = ARGV[1], ARGV[2]
local pkey, tkey = ugp_key(hub, user), ugt_key(hub, user)
local now, restored = now_ms(), 0
for i = 3, #ARGV - 1, 2 do
  local group, spec = ARGV[i], ARGV[i + 1]
  if not redis.call('ZSCORE', pkey, group) and not redis.call('ZSCORE', tkey, group) then
    if spec == 'p' then
      redis.call('ZADD', pkey, redis.call('INCR', P .. 'seq'), group)
      restored = restored + 1
    else
      local expires = tonumber(string.sub(spec, 2)) or 0
      if expires > now then
        redis.call('ZADD', tkey, expires, group)
        redis.call('ZADD', EXP, expires, hub .. '\0' .. user .. '\0' .. group)
        restored = restored + 1
      else
        leave_user(hub, user, group)  -- expired while Redis was away
      end
    end
  end
end
return restored
)LUA");
  return script;
}

const redis::Script& epoch() {
  static const redis::Script script = make(R"LUA(
local current = redis.call('GET', P .. 'epoch')
if not current then
  current = ARGV[1]
  redis.call('SET', P .. 'epoch', current)
end
return current
)LUA");
  return script;
}

const redis::Script& heartbeat() {
  static const redis::Script script = make(R"LUA(
local node, url, load, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local known = redis.call('HEXISTS', P .. 'nodes', node)
redis.call('SET', P .. 'alive:' .. node, '1', 'PX', ttl)
redis.call('HSET', P .. 'nodes', node, url)
redis.call('HSET', P .. 'load', node, load)
local result = {known}
local all = redis.call('HGETALL', P .. 'nodes')
for i = 1, #all, 2 do
  local other, other_url = all[i], all[i + 1]
  if redis.call('EXISTS', P .. 'alive:' .. other) == 1 then
    result[#result + 1] = other
    result[#result + 1] = other_url
    result[#result + 1] = redis.call('HGET', P .. 'load', other) or '0'
  else
    forget_node(other)
    redis.call('HDEL', P .. 'nodes', other)
    redis.call('HDEL', P .. 'load', other)
  end
end
return result
)LUA");
  return script;
}

}  // namespace switchboard::backplane::scripts

// Copies a hiredis reply tree into an owned Reply (internal to src/redis; the caller includes
// hiredis, this header does not).
#pragma once

#include "redis/redis_reply.hpp"

struct redisReply;

namespace switchboard::redis::detail {

Reply to_reply(const redisReply& reply);

}  // namespace switchboard::redis::detail

// Conversion of hiredis's reply tree (every REDIS_REPLY_* type) into the owned Reply.
#include "redis/hiredis_reply.hpp"

#include <hiredis/hiredis.h>

namespace switchboard::redis::detail {

Reply to_reply(const redisReply& reply) {
  Reply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::String;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::Status;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::Error;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::Integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::Array;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i)
        if (reply.element[i]) out.elements.push_back(to_reply(*reply.element[i]));
      break;
    case REDIS_REPLY_NIL:
    default:
      out.type = Reply::Type::Nil;
      break;
  }
  return out;
}

}  // namespace switchboard::redis::detail

// A Redis reply copied out of hiredis's reply tree: owned, movable, safe to keep after the
// callback that produced it.
#pragma once

#include <string>
#include <vector>

namespace switchboard::redis {

struct Reply {
  enum class Type { Nil, Integer, String, Status, Error, Array };
  Type type = Type::Nil;
  long long integer = 0;
  std::string str;  // String, Status and Error
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::Error; }
  bool is_nil() const { return type == Type::Nil; }
};

}  // namespace switchboard::redis

// Script: a Lua source and its SHA-1 (lower-case hex), the name EVALSHA knows it by.
#include <openssl/sha.h>

#include "redis/redis_connection.hpp"

namespace switchboard::redis {

Script::Script(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  sha1_.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    sha1_.push_back(kHex[byte >> 4]);
    sha1_.push_back(kHex[byte & 15]);
  }
}

}  // namespace switchboard::redis

// Upstream request signatures: see upstream_signature.hpp.
#include "auth/upstream_signature.hpp"

#include "auth/crypto.hpp"

namespace switchboard::auth {

std::string upstream_signature(std::string_view connection_id,
                               std::span<const std::string> access_keys) {
  std::string header;
  for (const auto& key : access_keys) {
    if (!header.empty()) header += ',';
    header += "sha256=";
    header += hex_upper(hmac_sha256(key, connection_id));
  }
  return header;
}

}  // namespace switchboard::auth

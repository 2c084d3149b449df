// Upstream request signatures: see upstream_signature.hpp.
#include "auth/upstream_signature.hpp"

#include "auth/crypto.hpp"
#include "util/text.hpp"

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

bool upstream_signature_matches(std::string_view header, std::string_view connection_id,
                                std::span<const std::string> access_keys) {
  if (access_keys.empty()) return true;
  std::vector<std::string> expected;
  for (const auto& key : access_keys)
    expected.push_back("sha256=" + hex_upper(hmac_sha256(key, connection_id)));
  while (true) {
    auto comma = header.find(',');
    std::string_view entry = util::trim(header.substr(0, comma));
    for (const auto& candidate : expected)
      if (!entry.empty() && util::iequals(entry, candidate)) return true;
    if (comma == std::string_view::npos) return false;
    header.remove_prefix(comma + 1);
  }
}

}  // namespace switchboard::auth

// The X-ASRS-Signature check: see signature.hpp.
#include "functions/trigger/signature.hpp"

#include "auth/crypto.hpp"
#include "util/text.hpp"

namespace switchboard::functions::trigger {

std::string connection_signature(std::string_view access_key, std::string_view connection_id) {
  return "sha256=" + auth::hex_upper(auth::hmac_sha256(access_key, connection_id));
}

bool signature_matches(std::string_view header, std::string_view connection_id,
                       const std::vector<std::string>& access_keys) {
  if (access_keys.empty()) return true;
  std::vector<std::string> expected;
  for (const auto& key : access_keys) expected.push_back(connection_signature(key, connection_id));
  while (true) {
    auto comma = header.find(',');
    std::string_view entry = util::trim(header.substr(0, comma));
    for (const auto& candidate : expected)
      if (!entry.empty() && util::iequals(entry, candidate)) return true;
    if (comma == std::string_view::npos) return false;
    header.remove_prefix(comma + 1);
  }
}

}  // namespace switchboard::functions::trigger

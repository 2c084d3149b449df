// Request ids: see request_id.hpp.
#include "net/request_id.hpp"

#include "auth/crypto.hpp"

namespace switchboard::net {

std::optional<std::string> accepted_request_id(std::string_view incoming) {
  if (incoming.empty() || incoming.size() > 128) return std::nullopt;
  for (char c : incoming) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' ||
                    c == '=';
    if (!ok) return std::nullopt;
  }
  return std::string(incoming);
}

std::string request_id_for(std::string_view incoming) {
  if (auto accepted = accepted_request_id(incoming)) return *accepted;
  return auth::random_uuid();
}

}  // namespace switchboard::net

// Bearer-token checks: see request_auth.hpp.
#include "service/request_auth.hpp"

#include <chrono>

namespace switchboard::service {

namespace {
std::string request_host(const net::Request& request) {
  auto it = request.find(net::http::field::host);
  if (it == request.end()) return {};
  return std::string(it->value());
}
}  // namespace

AuthResult authenticate(const net::Request& request, std::string_view token,
                        const ServiceOptions& options,
                        const std::vector<std::string>& audience_paths) {
  AuthResult result;
  if (token.empty()) {
    result.message =
        "Missing access token: send 'Authorization: Bearer <token>' (or the access_token query "
        "parameter on a client connection).";
    return result;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto verified = auth::verify_token(token, options.access_keys, {}, now);
  if (!verified.ok()) {
    result.message = verified.message;
    return result;
  }
  std::vector<std::string> hosts;
  if (auto host = request_host(request); !host.empty()) hosts.push_back(host);
  hosts.push_back(options.public_host);
  for (const auto& host : hosts) {
    for (const auto& path : audience_paths) {
      if (auth::audience_matches(verified.audience, "http://" + host + path)) {
        result.token = std::move(verified);
        return result;
      }
    }
  }
  result.message = "Token audience '" + verified.audience + "' does not match 'http://" +
                   hosts.front() + audience_paths.front() + "'.";
  return result;
}

}  // namespace switchboard::service

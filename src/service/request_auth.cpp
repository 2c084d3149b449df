// Bearer-token checks: see request_auth.hpp.
#include "service/request_auth.hpp"

#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "util/url.hpp"

namespace switchboard::service {

namespace {

// The request's Host header as `host[:port]`; empty when absent or not a bare authority (then
// `ignored` says why): a Host such as "h/client/?hub=chat#" must not re-shape the expected
// audience URL built from it.
std::string request_host(const net::Request& request, std::string& ignored) {
  auto it = request.find(net::http::field::host);
  if (it == request.end()) return {};
  std::string why;
  const auto authority = util::parse_authority(it->value(), &why);
  if (!authority) {
    ignored = "the Host header was ignored: " + why;
    return {};
  }
  return authority->authority();
}

// The tokens this thread verified, by their exact text (the signature covers every byte, so the
// same text verifies the same way). Only successes are kept; a full cache starts over.
constexpr std::size_t kVerifiedTokenCacheSize = 1024;

struct TokenHash {
  using is_transparent = void;  // look up by string_view: no copy of the token per request
  std::size_t operator()(std::string_view token) const {
    return std::hash<std::string_view>{}(token);
  }
};

std::shared_ptr<const auth::VerifiedToken> verify_cached(std::string_view token,
                                                         const ServiceOptions& options,
                                                         std::int64_t now, std::string& error) {
  thread_local std::unordered_map<std::string, std::shared_ptr<const auth::VerifiedToken>,
                                  TokenHash, std::equal_to<>>
      cache;
  thread_local std::vector<std::string> cache_keys;
  if (cache_keys != options.access_keys) {  // entries verified with other keys do not count
    cache.clear();
    cache_keys = options.access_keys;
  }
  if (auto it = cache.find(token); it != cache.end()) {
    if (!auth::token_expired(*it->second, now)) return it->second;
    cache.erase(it);  // expired: verify again, for the precise error
  }
  auto verified = auth::verify_token(token, options.access_keys, {}, now);
  if (!verified.ok()) {
    error = std::move(verified.message);
    return nullptr;
  }
  if (cache.size() >= kVerifiedTokenCacheSize) cache.clear();
  auto shared = std::make_shared<const auth::VerifiedToken>(std::move(verified));
  cache.emplace(std::string(token), shared);
  return shared;
}

// Audience comparisons parse two URLs; the same pairs come back call after call, so each thread
// remembers the pairs that matched ("<token audience>\x1f<expected audience>").
bool audience_matches_cached(const std::string& token_audience, const std::string& expected) {
  thread_local std::unordered_set<std::string> matched;
  std::string key;
  key.reserve(token_audience.size() + 1 + expected.size());
  key.append(token_audience).push_back('\x1f');
  key.append(expected);
  if (matched.contains(key)) return true;
  if (!auth::audience_matches(token_audience, expected)) return false;
  if (matched.size() >= kVerifiedTokenCacheSize) matched.clear();
  matched.insert(std::move(key));
  return true;
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
  auto verified = verify_cached(token, options, now, result.message);
  if (!verified) return result;
  std::vector<std::string> hosts;
  std::string host_ignored;
  if (auto host = request_host(request, host_ignored); !host.empty()) hosts.push_back(host);
  hosts.push_back(options.public_host);
  // A token may name several audiences (JWT `aud` array): any one of them naming this service
  // will do.
  for (const auto& audience : verified->audiences) {
    for (const auto& host : hosts) {
      for (const auto& path : audience_paths) {
        if (audience_matches_cached(audience, "http://" + host + path)) {
          result.token = std::move(verified);
          return result;
        }
      }
    }
  }
  result.message = "Token audience '" + auth::joined_audiences(*verified) + "' does not match '" +
                   (options.tls ? "https://" : "http://") + hosts.front() + audience_paths.front() +
                   "'" + (host_ignored.empty() ? "" : " (" + host_ignored + ")") + ".";
  return result;
}

}  // namespace switchboard::service

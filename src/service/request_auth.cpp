// Bearer-token checks: see request_auth.hpp.
#include "service/request_auth.hpp"

#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "util/url.hpp"

namespace switchboard::service {

namespace {

// The request's Host header (`host`, as found) as `host[:port]`; empty when absent or not a bare
// authority (then `ignored` says why): a Host such as "h/client/?hub=chat#" must not re-shape the
// expected audience URL built from it.
std::string request_host(std::optional<std::string_view> host, std::string& ignored) {
  if (!host) return {};
  std::string why;
  const auto authority = util::parse_authority(*host, &why);
  if (!authority) {
    ignored = "the Host header was ignored: " + why;
    return {};
  }
  return authority->authority();
}

// The tokens this thread verified, by their exact text (the signature covers every byte, so the
// same text verifies the same way), each with the expected audiences it was accepted for.
// Only successes are kept; a full cache starts over.
constexpr std::size_t kVerifiedTokenCacheSize = 1024;
constexpr std::size_t kAcceptedAudiencesPerToken = 8;

struct TokenHash {
  using is_transparent = void;  // look up by string_view: no copy of the token per request
  std::size_t operator()(std::string_view token) const {
    return std::hash<std::string_view>{}(token);
  }
};

// One expected audience, as the check below forms it, in a form that needs no parsing: where its
// host came from ('H': the Host header as sent; 'P': the public host), that text, and the path.
struct ExpectedAudience {
  char source;
  std::string host;
  std::string path;
  bool is(char other_source, std::string_view other_host, std::string_view other_path) const {
    return source == other_source && host == other_host && path == other_path;
  }
};

struct CachedToken {
  std::shared_ptr<const auth::VerifiedToken> token;
  // Expected audiences this token was accepted for.
  std::vector<ExpectedAudience> accepted;
};

using TokenCache = std::unordered_map<std::string, CachedToken, TokenHash, std::equal_to<>>;

CachedToken* verify_cached(std::string_view token, const ServiceOptions& options, std::int64_t now,
                           std::string& error) {
  thread_local TokenCache cache;
  thread_local std::vector<std::string> cache_keys;
  // The entry found last: a caller sends the same token call after call, and comparing its bytes
  // costs less than hashing them. (Map nodes stay put until erased; reset wherever one is.)
  thread_local TokenCache::value_type* last = nullptr;
  if (cache_keys != options.access_keys) {  // entries verified with other keys do not count
    cache.clear();
    last = nullptr;
    cache_keys = options.access_keys;
  }
  if (last != nullptr && last->first == token && !auth::token_expired(*last->second.token, now))
    return &last->second;
  if (auto it = cache.find(token); it != cache.end()) {
    if (!auth::token_expired(*it->second.token, now)) {
      last = &*it;
      return &it->second;
    }
    last = nullptr;
    cache.erase(it);  // expired: verify again, for the precise error
  }
  auto verified = auth::verify_token(token, options.access_keys, {}, now);
  if (!verified.ok()) {
    error = std::move(verified.message);
    return nullptr;
  }
  if (cache.size() >= kVerifiedTokenCacheSize) cache.clear();
  auto shared = std::make_shared<const auth::VerifiedToken>(std::move(verified));
  last = &*cache.emplace(std::string(token), CachedToken{std::move(shared), {}}).first;
  return &last->second;
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

AuthResult authenticate(std::optional<std::string_view> host_header, std::string_view token,
                        const ServiceOptions& options,
                        std::initializer_list<std::string_view> audience_paths) {
  return authenticate(host_header, token, options, audience_paths,
                      std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count());
}

AuthResult authenticate(std::optional<std::string_view> host_header, std::string_view token,
                        const ServiceOptions& options,
                        std::initializer_list<std::string_view> audience_paths, std::int64_t now) {
  AuthResult result;
  if (token.empty()) {
    result.message =
        "Missing access token: send 'Authorization: Bearer <token>' (or the access_token query "
        "parameter on a client connection).";
    return result;
  }
  auto* cached = verify_cached(token, options, now, result.message);
  if (!cached) return result;
  // A token accepted before for one of these expected audiences is accepted again: the check
  // below depends on nothing else (the expiry, which does, was checked by verify_cached).
  for (const auto& path : audience_paths) {
    for (char source : {'H', 'P'}) {
      if (source == 'H' && !host_header) continue;
      const std::string_view host = source == 'H' ? *host_header : options.public_host;
      for (const auto& accepted : cached->accepted) {
        if (accepted.is(source, host, path)) {
          result.token = cached->token;
          return result;
        }
      }
    }
  }
  const auto& verified = cached->token;
  std::vector<std::string> hosts;
  std::string host_ignored;
  if (auto host = request_host(host_header, host_ignored); !host.empty()) hosts.push_back(host);
  const bool header_host = !hosts.empty();
  hosts.push_back(options.public_host);
  // A token may name several audiences (JWT `aud` array): any one of them naming this service
  // will do.
  for (const auto& audience : verified->audiences) {
    for (std::size_t h = 0; h < hosts.size(); ++h) {
      for (const auto& path : audience_paths) {
        std::string expected = "http://" + hosts[h];
        expected.append(path);
        if (audience_matches_cached(audience, expected)) {
          const bool from_header = header_host && h == 0;
          if (cached->accepted.size() >= kAcceptedAudiencesPerToken) cached->accepted.clear();
          cached->accepted.push_back(
              {from_header ? 'H' : 'P',
               std::string(from_header ? *host_header : std::string_view(options.public_host)),
               std::string(path)});
          result.token = verified;
          return result;
        }
      }
    }
  }
  result.message = "Token audience '" + auth::joined_audiences(*verified) + "' does not match '" +
                   (options.tls ? "https://" : "http://") + hosts.front() +
                   std::string(*audience_paths.begin()) + "'" +
                   (host_ignored.empty() ? "" : " (" + host_ignored + ")") + ".";
  return result;
}

}  // namespace switchboard::service

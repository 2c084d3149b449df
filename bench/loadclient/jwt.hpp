// HS256 access tokens signed with the service's access key (OpenSSL HMAC), as `switchboard token`
// mints them: client tokens (audience http://localhost/client/?hub=H, asrs.s.uid) and REST tokens.
#pragma once
#include <string>

namespace lc {
std::string base64url(const std::string& bytes);
std::string mint_token(const std::string& key, const std::string& audience, const std::string& user,
                       long long lifetime_s);
}  // namespace lc

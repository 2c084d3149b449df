// Feeds auth/jwt's verify_token (the access tokens of clients and REST callers, HS256 with the
// access keys) bearer tokens. The first byte picks the form of the rest of the input:
//   'T' token: the rest is the token as sent in Authorization / access_token;
//   'S' signed: "header JSON\npayload JSON\naudience", signed here with the second access key, so
//       that the claims reach the checks past the signature.
// A token signed with a configured key is never refused for its signature when its header says
// HS256; a verified token is not expired and matches the audience asked for.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/crypto.hpp"
#include "auth/jwt.hpp"
#include "fuzz_support.hpp"
#include "signed_jwt.hpp"

namespace auth = switchboard::auth;

namespace {

constexpr std::int64_t kNow = 1700000000;
const std::vector<std::string> kKeys = {"first-access-key-0123456789", "second-access-key-abcdef"};
constexpr const char* kAudience = "http://localhost/client/?hub=chat";

void check(const auth::VerifiedToken& token, std::string_view audience) {
  FUZZ_CHECK(token.ok() == token.message.empty(), "refused with a message, or accepted");
  if (!token.ok()) return;
  FUZZ_CHECK(!auth::token_expired(token, kNow), "an accepted token has not expired");
  if (audience.empty()) return;
  bool matched = false;
  for (const auto& a : token.audiences) matched = matched || auth::audience_matches(a, audience);
  FUZZ_CHECK(matched, "an accepted token has the audience asked for");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::bytes(data, size);
  if (input.empty()) return 0;
  char form = input[0];
  input.remove_prefix(1);
  if (form == 'S') {
    auto parts = fuzz::fields(input, 3);
    auto token = fuzz::signed_jwt(parts[0], parts[1], [](std::string_view signing_input) {
      return auth::hmac_sha256(kKeys[1], signing_input);
    });
    auto verified = auth::verify_token(token, kKeys, parts[2], kNow);
    check(verified, parts[2]);
    if (fuzz::signature_must_hold(parts[0], parts[1], "HS256"))
      FUZZ_CHECK(verified.error != auth::TokenError::BadSignature,
                 "a token signed with a configured key has a good signature");
  } else {
    check(auth::verify_token(input, kKeys, kAudience, kNow), kAudience);
    check(auth::verify_token(input, kKeys, "", kNow), "");
  }
  return 0;
}

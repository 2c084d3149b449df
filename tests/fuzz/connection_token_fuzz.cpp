// Feeds auth/connection_token's ConnectionTokenCodec the connection tokens clients present
// (`?id=` on /client/), with the hub and user of the access token they come with. The input is
// "hub\nuser\ntoken". A token resolves only for the owner it was minted for: every input's hub
// and user also get a token minted here, which must resolve to its connection id and issue time
// for them, and to nothing for another user, another hub, or with a byte of it changed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/connection_token.hpp"
#include "fuzz_support.hpp"

namespace auth = switchboard::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auth::ConnectionTokenCodec codec("connection-token-secret-for-fuzzing");
  auto parts = fuzz::fields(fuzz::bytes(data, size), 3);
  auth::TokenOwner owner{parts[0], parts[1]};

  if (auto resolved = codec.resolve(parts[2], owner))
    FUZZ_CHECK(!resolved->connection_id.empty(), "a resolved token has a connection id");

  const std::int64_t now = 1700000000 + static_cast<std::int64_t>(size);
  for (bool id_is_token : {false, true}) {
    auto minted = codec.mint(now, owner, id_is_token);
    auto resolved = codec.resolve(minted.connection_token, owner);
    FUZZ_CHECK(
        resolved && resolved->connection_id == minted.connection_id && resolved->issued_at == now,
        "a minted token resolves for its owner");
    if (id_is_token) FUZZ_CHECK(minted.connection_id == minted.connection_token, "v0: id is token");
    std::string other_user = std::string(parts[1]) + "x";
    std::string other_hub = std::string(parts[0]) + "x";
    FUZZ_CHECK(!codec.resolve(minted.connection_token, {parts[0], other_user}),
               "a token does not resolve for another user");
    FUZZ_CHECK(!codec.resolve(minted.connection_token, {other_hub, parts[1]}),
               "a token does not resolve for another hub");
    std::string changed = minted.connection_token;
    char& c = changed[size % changed.size()];
    c = c == 'A' ? 'B' : 'A';
    FUZZ_CHECK(!codec.resolve(changed, owner), "a changed token does not resolve");
  }
  return 0;
}

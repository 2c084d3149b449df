// Feeds negotiate what a client controls in it: the request target of POST /client/negotiate
// (e.g. "/client/negotiate?hub=chat&negotiateVersion=1&access_token=..."), read with util/url's
// parse_target, protocol/names' hub check and protocol/negotiate's parse_negotiate_version, and
// the answers of protocol/negotiate that quote it (the error naming a bad version, the redirect
// carrying the access token). Every answer is valid JSON that says what was put in it.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "protocol/names.hpp"
#include "protocol/negotiate.hpp"
#include "util/url.hpp"
#include "util/utf8.hpp"

namespace protocol = switchboard::protocol;
namespace util = switchboard::util;

namespace {

nlohmann::json parse_answer(const std::string& answer) {
  auto json = nlohmann::json::parse(answer, nullptr, false);
  FUZZ_CHECK(json.is_object(), "a negotiate answer is a JSON object");
  return json;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto target = util::parse_target(fuzz::bytes(data, size));
  std::string hub(target.get("hub").value_or(""));
  (void)protocol::validate_hub_name(hub);

  protocol::NegotiateResponse response;
  response.connection_id = "AAAAAAAAAAAAAAAAAAAAAA";
  response.connection_token = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
  if (auto version = target.get("negotiateVersion")) {
    auto parsed = protocol::parse_negotiate_version(*version);
    if (!parsed) {
      std::string error =
          "The client requested an invalid protocol version '" + std::string(*version) + "'";
      auto answer = parse_answer(protocol::encode_negotiate_error(error));
      if (util::is_valid_utf8(error))
        FUZZ_CHECK(answer["error"] == error, "the error answer carries the error");
      return 0;
    }
    FUZZ_CHECK(*parsed == 0 || *parsed == 1, "negotiate versions 0 and 1");
    response.negotiate_version = *parsed;
  }
  response.use_stateful_reconnect = target.get("useStatefulReconnect").has_value();
  auto answer = parse_answer(protocol::encode_negotiate_response(response));
  FUZZ_CHECK(answer["connectionId"] == response.connection_id, "the answer names the connection");

  std::string token(target.get("access_token").value_or(""));
  std::string url = "http://node-b:8888/client/?hub=" + util::percent_encode(hub);
  auto redirect = parse_answer(protocol::encode_negotiate_redirect(url, token));
  FUZZ_CHECK(redirect["url"] == url, "the redirect names the URL");
  if (util::is_valid_utf8(token))
    FUZZ_CHECK(redirect["accessToken"] == token, "the redirect carries the token");
  return 0;
}

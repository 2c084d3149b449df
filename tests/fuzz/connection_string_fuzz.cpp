// Feeds auth/connection_string's ConnectionString::parse the connection strings of apps and of
// the command line (`Endpoint=...;AccessKey=...;Version=1.0;[Port=...;]...`). A string parses or
// is refused with a ConfigError; a parsed one gives every URL derived from it, and its canonical
// text parses back to the same endpoint, key and port.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/connection_string.hpp"
#include "fuzz_support.hpp"

namespace auth = switchboard::auth;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auth::ConnectionString parsed;
  try {
    parsed = auth::ConnectionString::parse(fuzz::bytes(data, size));
  } catch (const auth::ConfigError& e) {
    FUZZ_CHECK(*e.what() != '\0', "an error says what is wrong");
    return 0;
  }
  FUZZ_CHECK(!parsed.endpoint.empty(), "an endpoint");
  FUZZ_CHECK(parsed.base_url().ends_with('/'), "a base URL ends with '/'");
  FUZZ_CHECK(parsed.audience_base().ends_with('/'), "an audience base ends with '/'");
  (void)parsed.client_url("Chat");
  (void)parsed.client_audience("Chat");
  (void)parsed.server_base_url();
  auth::ConnectionString again;
  try {
    again = auth::ConnectionString::parse(parsed.to_string());
  } catch (const auth::ConfigError& e) {
    FUZZ_CHECK(false, e.what());
  }
  FUZZ_CHECK(again.endpoint == parsed.endpoint && again.access_key == parsed.access_key &&
                 again.port == parsed.port,
             "the canonical text parses back to the same connection string");
  return 0;
}

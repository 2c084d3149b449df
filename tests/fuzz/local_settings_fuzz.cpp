// Feeds functions/config/local_settings' parse_local_settings the text of a function app's
// local.settings.json (Values, ConnectionStrings, Host: LocalHttpPort, CORS, CORSCredentials).
// A file is read or refused with an AppError naming the file; no other exception escapes.
#include <cstddef>
#include <cstdint>

#include "app_json.hpp"
#include "functions/config/local_settings.hpp"
#include "fuzz_support.hpp"

namespace functions = switchboard::functions;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = fuzz::parse_app_json(fuzz::bytes(data, size));
  if (doc.is_discarded()) return 0;
  try {
    auto settings = functions::config::parse_local_settings(doc, "local.settings.json");
    if (settings.local_http_port)
      FUZZ_CHECK(*settings.local_http_port >= 0 && *settings.local_http_port <= 65535,
                 "a port in range");
  } catch (const functions::AppError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("local.settings.json: "),
               "the error names the file");
  }
  return 0;
}

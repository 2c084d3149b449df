// Feeds functions/config/host_json's parse_host_json the text of a function app's host.json
// (version, extensions.http.routePrefix, customHandler / httpWorker, functionTimeout). A file is
// read or refused with an AppError naming the file; no other exception escapes.
#include <cstddef>
#include <cstdint>

#include "app_json.hpp"
#include "functions/config/host_json.hpp"
#include "fuzz_support.hpp"

namespace functions = switchboard::functions;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = fuzz::parse_app_json(fuzz::bytes(data, size));
  if (doc.is_discarded()) return 0;
  functions::FunctionApp app;
  app.root = "/app";
  app.settings.values = {{"HANDLER", "handler.exe"}, {"PORT_ARG", "--port"}};
  app.environment = [](const std::string&) { return std::nullopt; };
  try {
    auto host = functions::config::parse_host_json(doc, app, "host.json");
    FUZZ_CHECK(host.version == "2.0", "an accepted host.json is version 2.0");
    FUZZ_CHECK(host.function_timeout.count() >= 0, "a timeout is not negative");
  } catch (const functions::AppError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("host.json: "), "the error names the file");
  }
  return 0;
}

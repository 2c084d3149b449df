// Feeds upstream/settings_file's parse_settings the text of an upstream settings file
// (`--upstream-settings FILE`: an array of templates, or one under "templates", "upstream" or
// "UpstreamSettings"), and the templates it gives to matching and URL expansion
// (upstream/settings). A file parses or is refused with a SettingsError naming the file; a
// template's URL expands to a URL that is still usable.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "upstream/settings.hpp"
#include "upstream/settings_file.hpp"

namespace upstream = switchboard::upstream;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<upstream::Template> templates;
  try {
    templates = upstream::parse_settings(fuzz::bytes(data, size), "settings.json");
  } catch (const upstream::SettingsError& e) {
    FUZZ_CHECK(std::string_view(e.what()).find("settings.json") != std::string_view::npos,
               "the error names the file");
    return 0;
  }
  upstream::Settings settings{templates};
  for (const auto& t : templates) {
    FUZZ_CHECK(upstream::check_url_template(t.url_template).empty(), "only usable templates");
    auto url = upstream::expand_url(t.url_template, "Chat Room", "messages", "send/x");
    FUZZ_CHECK(upstream::check_url_template(url).empty(), "an expanded URL is usable");
  }
  if (const auto* t = settings.match("chat", "connections", "connect"))
    FUZZ_CHECK(t->event_pattern.names("connect"), "`connect` goes only where it is named");
  (void)settings.wants_connect("chat");
  return 0;
}

// The embedded host's webhook as the embedded service's upstream: see embedded_upstream.hpp.
#include "cli/embedded_upstream.hpp"

namespace switchboard::cli {

EmbeddedUpstream embedded_upstream(const functions::FunctionApp& app,
                                   const std::string& host_address, unsigned short host_port,
                                   const std::string& system_key, bool tls) {
  EmbeddedUpstream result;
  auto& settings = result.settings;
  // A host listening on every address is reached over loopback.
  std::string address = host_address;
  if (address.empty() || address == "0.0.0.0") address = "127.0.0.1";
  if (address == "::") address = "::1";
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  result.authority = address + ":" + std::to_string(host_port);
  const std::string url = (tls ? "https://" : "http://") + result.authority +
                          "/runtime/webhooks/signalr?code=" + system_key;
  for (const auto& function : app.functions) {
    if (!function.signalr_trigger || function.disabled) continue;
    const auto& trigger = *function.signalr_trigger;
    upstream::Template t;
    t.url_template = url;
    t.hub_pattern = upstream::Pattern(trigger.hub_name);
    t.category_pattern = upstream::Pattern(trigger.category);
    t.event_pattern = upstream::Pattern(trigger.event);
    settings.templates.push_back(std::move(t));
  }
  return result;
}

}  // namespace switchboard::cli

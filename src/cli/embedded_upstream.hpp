// `switchboard start`: the embedded service's upstream, pointed at the embedded host's own SignalR
// webhook, one template per signalRTrigger function, so that only events some function handles
// are sent (a client's invoke of an event no function handles is answered at once, by the
// service, with an error naming it).
#pragma once

#include <string>

#include "functions/app_config.hpp"
#include "upstream/settings.hpp"

namespace switchboard::cli {

struct EmbeddedUpstream {
  upstream::Settings settings;
  std::string authority;  // host:port the calls go to (for pinning the host's TLS certificate)
};

// The templates for the app's trigger functions (none when it has none). `host_address` and
// `host_port` are where the host listens; `system_key` is its signalr_extension key; `tls`: the
// host serves HTTPS.
EmbeddedUpstream embedded_upstream(const functions::FunctionApp& app,
                                   const std::string& host_address, unsigned short host_port,
                                   const std::string& system_key, bool tls);

}  // namespace switchboard::cli

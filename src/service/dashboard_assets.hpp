// The dashboard's static files, embedded in the binary at build time
// (cmake/embed_dashboard_assets.cmake writes their definitions): the page and its script and
// style (src/service/dashboard/), and the official SignalR browser client from npm's
// @microsoft/signalr (dist/browser/signalr.min.js).
#pragma once

#include <string_view>

namespace switchboard::service::dashboard_assets {

std::string_view page();    // index.html
std::string_view script();  // dashboard.js
std::string_view style();   // dashboard.css
// Empty when the build found no @microsoft/signalr (run `npm ci`, then build again).
std::string_view signalr_client();

}  // namespace switchboard::service::dashboard_assets

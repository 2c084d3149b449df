// `GET /metrics`: checks the scrape token (when one is set: `Authorization: Bearer TOKEN` or
// `?token=TOKEN`, else 401) and answers the text of every registered writer, in the order they
// were added, as text/plain version 0.0.4. Other methods: 405.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.hpp"
#include "net/http_types.hpp"

namespace switchboard::metrics {

class ScrapeEndpoint {
 public:
  using Writer = std::function<void(Exposition&)>;
  // `token`: empty: open, as exporters are.
  explicit ScrapeEndpoint(std::string token = {}) : token_(std::move(token)) {}
  void add(Writer writer) { writers_.push_back(std::move(writer)); }

  // Whether a request target's path is /metrics.
  static bool matches(std::string_view target);
  net::Response answer(const net::Request& request) const;

 private:
  bool authorized(const net::Request& request) const;
  std::string token_;
  std::vector<Writer> writers_;
};

}  // namespace switchboard::metrics

// Transfer-Encoding and Content-Length checks: see request_framing.hpp.
#include "net/request_framing.hpp"

#include <string_view>
#include <vector>

#include "util/text.hpp"

namespace switchboard::net {

namespace {

// The transfer codings named by every Transfer-Encoding field, in order, without parameters.
std::vector<std::string_view> transfer_codings(const Request& header) {
  std::vector<std::string_view> codings;
  for (const auto& field : header) {  // in order (equal_range() would not keep it)
    if (field.name() != http::field::transfer_encoding) continue;
    std::string_view value = field.value();
    while (!value.empty()) {
      auto comma = value.find(',');
      std::string_view item = value.substr(0, comma);
      item = util::trim(item.substr(0, item.find(';')));
      if (!item.empty()) codings.push_back(item);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return codings;
}

FramingError bad(std::string message) {
  return {http::status::bad_request, std::move(message)};
}

}  // namespace

std::optional<FramingError> check_request_framing(const Request& header) {
  if (header.count(http::field::transfer_encoding) == 0) return std::nullopt;
  if (header.version() < 11) return bad("Transfer-Encoding is not allowed in an HTTP/1.0 request.");
  if (header.count(http::field::content_length) > 0)
    return bad("A request must not carry both Transfer-Encoding and Content-Length.");
  auto codings = transfer_codings(header);
  if (codings.empty() || !util::iequals(codings.back(), "chunked"))
    return bad(
        "The final transfer coding is not chunked, so the length of the request body cannot be "
        "determined.");
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (util::iequals(codings[i], "chunked"))
      return bad("The chunked transfer coding is applied more than once.");
    return FramingError{http::status::not_implemented,
                        "The transfer coding '" + std::string(codings[i]) + "' is not supported."};
  }
  return std::nullopt;
}

}  // namespace switchboard::net

// HTTP bodies in the custom-handler payload: see http_body.hpp.
#include "functions/http_body.hpp"

#include "auth/crypto.hpp"
#include "util/json.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace switchboard::functions {

bool is_binary_media_type(std::string_view content_type) {
  auto type = util::to_lower(util::trim(content_type.substr(0, content_type.find(';'))));
  return type == "application/octet-stream" || type.starts_with("multipart/");
}

void set_request_body(nlohmann::json& object, std::string_view body,
                      std::string_view content_type) {
  if (body.empty()) return;
  if (is_binary_media_type(content_type) || !util::is_valid_utf8(body)) {
    object["Body"] = auth::base64_encode(body);
    object["BodyEncoding"] = "base64";
  } else {
    object["Body"] = std::string(body);
  }
}

bool body_is_base64(const nlohmann::json& object) {
  const auto* encoding = util::find_present_member(object, "bodyEncoding");
  return encoding && encoding->is_string() &&
         util::iequals(encoding->get_ref<const std::string&>(), "base64");
}

std::optional<std::string> body_bytes(const nlohmann::json& object) {
  const auto* body = util::find_present_member(object, "body");
  if (!body || !body->is_string()) return std::nullopt;
  if (!body_is_base64(object)) return body->get<std::string>();
  return auth::base64_decode(body->get_ref<const std::string&>());
}

}  // namespace switchboard::functions

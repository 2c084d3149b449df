// How an HTTP body travels in the custom-handler payload, which is JSON: as a string when it is
// text, else base64 with a marker. A request's `Body` is base64 when its content type is
// application/octet-stream or multipart/* (as the Azure Functions host sends those) or when it is
// not valid UTF-8, and then `BodyEncoding` is "base64". A response object's `body` is read as
// base64 when its `bodyEncoding` is "base64" (keys case-insensitive).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::functions {

// application/octet-stream or multipart/* (parameters and case ignored).
bool is_binary_media_type(std::string_view content_type);

// Sets `object`["Body"] (and "BodyEncoding" when base64) for a non-empty request body.
void set_request_body(nlohmann::json& object, std::string_view body, std::string_view content_type);

// The bytes of `object`'s `body` member (any case): the string itself, or its base64 decoding when
// the `bodyEncoding` member is "base64"; nullopt when there is no string body or the base64 is bad.
std::optional<std::string> body_bytes(const nlohmann::json& object);
// Whether `object`'s `bodyEncoding` member (any case) is "base64".
bool body_is_base64(const nlohmann::json& object);

}  // namespace switchboard::functions

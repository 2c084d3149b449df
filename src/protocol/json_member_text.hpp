// The raw text of a top-level member's value in a JSON object that has already been validated
// (by simdjson's DOM parser): a scan of the bytes that tracks strings and nesting, no parsing, so
// a value can be passed on as its sender wrote it instead of being rebuilt from a DOM.
#pragma once

#include <optional>
#include <string_view>

namespace switchboard::protocol {

// The text of the last member of the object `json` whose key equals `name` ignoring ASCII case
// and whose value is not null; std::nullopt when there is none. `json` must be valid JSON whose
// root is an object. Keys written with escapes (`"\u0061rguments"`) are not compared: when the
// object has such a key, the answer is `unsure` (set to true) and the caller must use its DOM.
std::optional<std::string_view> json_member_text(std::string_view json, std::string_view name,
                                                 bool& unsure);

}  // namespace switchboard::protocol

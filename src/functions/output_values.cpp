// Output values of a function: the items of a `signalR` output binding (messages and group
// actions, all validated before any is sent) and the HTTP response of an `http` output binding.
#include "functions/output_values.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <stdexcept>

#include "functions/http_body.hpp"
#include "util/json.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

namespace {

using nlohmann::json;

// Thrown inside item parsing; carries the message without the "signalR output item N: " prefix.
struct ItemError {
  std::string message;
};

// An optional string property: "" when absent or null; an error for any other type.
std::string optional_string(const json& item, std::string_view key) {
  const json* v = util::find_present_member(item, key);
  if (v == nullptr) return {};
  if (!v->is_string())
    throw ItemError{fmt::format("'{}' must be a string, got {}", key, v->type_name())};
  return v->get<std::string>();
}

SignalROutputItem parse_item(const json& item) {
  if (item.is_null()) throw ItemError{"the item is null"};
  if (!item.is_object())
    throw ItemError{fmt::format("an item must be a JSON object, got {}", item.type_name())};

  if (const json* target = util::find_present_member(item, "target")) {
    if (!target->is_string() || target->get<std::string>().empty())
      throw ItemError{"'target' must be a non-empty string"};
    SignalRMessageItem message;
    message.target = target->get<std::string>();
    if (const json* args = util::find_present_member(item, "arguments")) {
      if (!args->is_array())
        throw ItemError{fmt::format("'arguments' must be an array, got {}", args->type_name())};
      message.arguments_json = args->dump();
    }
    message.connection_id = optional_string(item, "connectionId");
    message.user_id = optional_string(item, "userId");
    message.group_name = optional_string(item, "groupName");
    return message;
  }

  if (const json* action = util::find_present_member(item, "action")) {
    GroupActionItem group;
    std::string action_name;
    bool valid = false;
    if (action->is_string()) {
      action_name = action->get<std::string>();
      if (util::iequals(action_name, "add")) {
        group.action = GroupActionKind::Add, valid = true;
      } else if (util::iequals(action_name, "remove")) {
        group.action = GroupActionKind::Remove, valid = true;
      } else if (util::iequals(action_name, "removeAll")) {
        group.action = GroupActionKind::RemoveAll, valid = true;
      }
    } else if (action->is_number_integer()) {
      action_name = action->dump();
      auto n = action->get<std::int64_t>();
      if (n >= 0 && n <= 2) {
        group.action = static_cast<GroupActionKind>(n);
        valid = true;
      }
    } else {
      action_name = action->dump();
    }
    if (!valid)
      throw ItemError{
          fmt::format("invalid action '{}' (expected add, remove or removeAll)", action_name)};
    group.connection_id = optional_string(item, "connectionId");
    group.user_id = optional_string(item, "userId");
    group.group_name = optional_string(item, "groupName");
    if (group.connection_id.empty() && group.user_id.empty())
      throw ItemError{"a group action needs a connectionId or a userId"};
    if (group.action != GroupActionKind::RemoveAll && group.group_name.empty()) {
      throw ItemError{fmt::format("a group action '{}' needs a groupName",
                                  group.action == GroupActionKind::Add ? "add" : "remove")};
    }
    return group;
  }

  throw ItemError{"an item needs a 'target' (a message) or an 'action' (a group action)"};
}

ParsedSignalROutput fail(std::string message) {
  return {{}, std::move(message)};
}

// Status from a number or a numeric string, 100..599.
int parse_status(const json& v) {
  auto bad = [&]() -> std::invalid_argument {
    return std::invalid_argument(
        fmt::format("invalid HTTP status code {} (expected a number from 100 to 599)", v.dump()));
  };
  std::int64_t n = 0;
  if (v.is_number_integer()) {
    n = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    if (d != static_cast<double>(static_cast<std::int64_t>(d))) throw bad();
    n = static_cast<std::int64_t>(d);
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    std::string_view sv = s;
    while (!sv.empty() && std::isspace(static_cast<unsigned char>(sv.front()))) sv.remove_prefix(1);
    while (!sv.empty() && std::isspace(static_cast<unsigned char>(sv.back()))) sv.remove_suffix(1);
    auto [end, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), n);
    if (sv.empty() || ec != std::errc{} || end != sv.data() + sv.size()) throw bad();
  } else {
    throw bad();
  }
  if (n < 100 || n > 599) throw bad();
  return static_cast<int>(n);
}

std::string header_text(const std::string& name, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw std::invalid_argument(fmt::format(
      "response header '{}' must be a string or a number, got {}", name, v.type_name()));
}

void set_body(HttpResponseValue& response, const json& body) {
  if (body.is_null()) return;
  if (body.is_binary()) {  // bytes set by a C++ function (nlohmann::json::binary)
    response.body.assign(body.get_binary().begin(), body.get_binary().end());
    if (response.content_type.empty()) response.content_type = "application/octet-stream";
  } else if (body.is_string()) {
    response.body = body.get<std::string>();
    if (response.content_type.empty()) response.content_type = "text/plain; charset=utf-8";
  } else {
    response.body = body.dump();
    if (response.content_type.empty()) response.content_type = "application/json";
  }
}

}  // namespace

ParsedSignalROutput parse_signalr_output(const nlohmann::json& value) {
  json parsed_string;
  const json* root = &value;
  if (value.is_string()) {
    parsed_string = json::parse(value.get<std::string>(), nullptr, false);
    if (parsed_string.is_discarded())
      return fail("signalR output: the value is a string that is not valid JSON");
    root = &parsed_string;
  }
  if (root->is_null()) return {};
  std::vector<const json*> items;
  if (root->is_array()) {
    for (const auto& item : *root) items.push_back(&item);
  } else if (root->is_object()) {
    items.push_back(root);
  } else {
    return fail(
        fmt::format("signalR output: expected an object, an array of objects or null, got {}",
                    root->type_name()));
  }
  ParsedSignalROutput result;
  result.items.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    try {
      result.items.push_back(parse_item(*items[i]));
    } catch (const ItemError& e) {
      return fail(fmt::format("signalR output item {}: {}", i, e.message));
    }
  }
  return result;
}

HttpResponseValue http_response_from_value(const nlohmann::json& value) {
  HttpResponseValue response;
  bool is_response = value.is_object() &&
                     (util::find_member(value, "body") || util::find_member(value, "statusCode") ||
                      util::find_member(value, "status") || util::find_member(value, "headers"));
  if (!is_response) {
    set_body(response, value);
    return response;
  }
  if (const json* status = util::find_present_member(value, "statusCode")) {
    response.status = parse_status(*status);
  } else if (const json* status = util::find_present_member(value, "status")) {
    response.status = parse_status(*status);
  }
  if (const json* headers = util::find_present_member(value, "headers")) {
    if (!headers->is_object())
      throw std::invalid_argument(
          fmt::format("response 'headers' must be an object, got {}", headers->type_name()));
    for (auto it = headers->begin(); it != headers->end(); ++it) {
      if (it->is_null()) continue;
      std::size_t before = response.headers.size();
      if (it->is_array()) {  // repeated header (Set-Cookie)
        for (const auto& v : *it) response.headers.emplace_back(it.key(), header_text(it.key(), v));
      } else {
        response.headers.emplace_back(it.key(), header_text(it.key(), *it));
      }
      if (util::iequals(it.key(), "Content-Type") && response.content_type.empty() &&
          response.headers.size() > before)
        response.content_type = response.headers.back().second;
    }
  }
  if (body_is_base64(value)) {
    auto bytes = body_bytes(value);
    if (!bytes)
      throw std::invalid_argument(
          "response 'body' must be a base64 string when 'bodyEncoding' is \"base64\"");
    response.body = std::move(*bytes);
    if (response.content_type.empty()) response.content_type = "application/octet-stream";
  } else if (const json* body = util::find_present_member(value, "body")) {
    set_body(response, *body);
  }
  return response;
}

}  // namespace switchboard::functions

// Upstream request building: see request.hpp.
#include "upstream/request.hpp"

#include "protocol/json_hub_protocol.hpp"
#include "util/url.hpp"

namespace switchboard::upstream {

namespace {

bool is_excluded_claim(std::string_view type) {
  return type == "aud" || type == "exp" || type == "iat" || type == "nbf" ||
         type.starts_with("asrs.s.");
}

bool is_hidden_query_key(std::string_view key) {
  return util::iequals(key, "access_token") || util::iequals(key, "id") || key == "_" ||
         util::iequals(key, "asrs_redirected");
}

}  // namespace

std::string header_value(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

std::string claims_header(const std::vector<std::pair<std::string, std::string>>& claims) {
  std::string out;
  for (const auto& [type, value] : claims) {
    if (is_excluded_claim(type)) continue;
    if (!out.empty()) out += ", ";
    out += type;
    out += ": ";
    out += value;
  }
  return header_value(out);
}

std::string client_query_header(std::string_view raw_query) {
  if (raw_query.starts_with('?')) raw_query.remove_prefix(1);
  std::string out;
  while (!raw_query.empty()) {
    auto amp = raw_query.find('&');
    auto pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    auto key = util::percent_decode(pair.substr(0, pair.find('=')), true);
    if (is_hidden_query_key(key)) continue;
    out += out.empty() ? '?' : '&';
    out += pair;
  }
  return header_value(out);
}

std::string connect_body() {
  return "{}";
}

std::string connected_body() {
  return R"({"type":10})";
}

std::string disconnected_body(std::string_view error) {
  if (error.empty()) return R"({"type":11})";
  std::string out = R"({"type":11,"error":)";
  protocol::append_json_string(out, error);
  out += '}';
  return out;
}

Call build_call(const Template& target, const ConnectionFacts& facts, std::string_view category,
                std::string_view event, std::string_view content_type, std::string body) {
  Call call;
  call.url = expand_url(target.url_template, facts.hub, category, event);
  auto& h = call.headers;
  h.emplace_back("X-ASRS-Connection-Id", facts.connection_id);
  h.emplace_back("X-ASRS-Hub", facts.hub);
  h.emplace_back("X-ASRS-Category", std::string(category));
  h.emplace_back("X-ASRS-Event", header_value(event));
  if (!facts.user_id.empty()) h.emplace_back("X-ASRS-User-Id", header_value(facts.user_id));
  if (!facts.claims.empty()) h.emplace_back("X-ASRS-User-Claims", facts.claims);
  if (!facts.query.empty()) h.emplace_back("X-ASRS-Client-Query", facts.query);
  h.emplace_back("X-ASRS-Signature", facts.signature);
  call.content_type = content_type;
  call.body = std::move(body);
  return call;
}

}  // namespace switchboard::upstream

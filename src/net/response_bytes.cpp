// An HTTP answer's wire bytes: see response_bytes.hpp.
#include "net/response_bytes.hpp"

#include <charconv>

namespace switchboard::net {

namespace {

// "HTTP/x.y NNN reason\r\n".
void append_status_line(unsigned version, unsigned code, std::string_view reason,
                        std::string& out) {
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
  out.push_back(' ');
  char digits[8];
  auto end = std::to_chars(digits, digits + sizeof digits, code).ptr;
  out.append(digits, end);
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
}

}  // namespace

void append_response_bytes(const Response& response, std::string& out) {
  // A reason set on the answer, else the standard one (as Beast's serializer does).
  std::string_view reason = response.reason();
  if (reason.empty()) reason = http::obsolete_reason(response.result());
  append_status_line(response.version(), response.result_int(), reason, out);
  for (const auto& field : response) append_answer_field(field.name_string(), field.value(), out);
  out.append("\r\n");
  out.append(response.body());
}

void append_answer_head(http::status status, std::string& out) {
  append_status_line(11, static_cast<unsigned>(status), http::obsolete_reason(status), out);
  append_answer_field(http::to_string(http::field::server), kServerName, out);
}

void append_answer_field(std::string_view name, std::string_view value, std::string& out) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_empty_answer_end(std::string& out) {
  append_answer_field(http::to_string(http::field::content_length), "0", out);
  out.append("\r\n");
}

}  // namespace switchboard::net

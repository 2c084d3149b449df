// An HTTP answer's wire bytes: see response_bytes.hpp.
#include "net/response_bytes.hpp"

#include <charconv>

namespace switchboard::net {

void append_response_bytes(const Response& response, std::string& out) {
  const unsigned version = response.version();
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
  out.push_back(' ');
  char code[8];
  auto end = std::to_chars(code, code + sizeof code, response.result_int()).ptr;
  out.append(code, end);
  out.push_back(' ');
  // A reason set on the answer, else the standard one (as Beast's serializer does).
  std::string_view reason = response.reason();
  if (reason.empty()) reason = http::obsolete_reason(response.result());
  out.append(reason);
  out.append("\r\n");
  for (const auto& field : response) {
    out.append(field.name_string());
    out.append(": ");
    out.append(field.value());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(response.body());
}

void append_answer_head(http::status status, std::string& out) {
  out.append("HTTP/1.1 ");
  char code[8];
  auto end = std::to_chars(code, code + sizeof code, static_cast<unsigned>(status)).ptr;
  out.append(code, end);
  out.push_back(' ');
  out.append(http::obsolete_reason(status));
  out.append("\r\n");
  append_answer_field(http::to_string(http::field::server), "switchboard", out);
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

// Fields of the log lines written while a ScopedLogFields lives on the calling thread: connection
// ids, hubs, users, request ids. The JSON log format writes them as keys of the line's object;
// the text format leaves them out (its messages already name the connection or function). Hold
// one only around the logging call itself, never across a co_await: another coroutine may run on
// the thread meanwhile.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::logging {

using LogField = std::pair<std::string_view, std::string_view>;

class ScopedLogFields {
 public:
  explicit ScopedLogFields(std::initializer_list<LogField> fields);
  ~ScopedLogFields();
  ScopedLogFields(const ScopedLogFields&) = delete;
  ScopedLogFields& operator=(const ScopedLogFields&) = delete;

 private:
  std::size_t previous_size_;
};

// The fields in effect on this thread (outer scopes first; an empty value is left out by writers).
std::span<const LogField> current_log_fields();

}  // namespace switchboard::logging

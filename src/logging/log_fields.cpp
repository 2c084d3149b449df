// Thread-local log fields: see log_fields.hpp.
#include "logging/log_fields.hpp"

namespace switchboard::logging {

namespace {
thread_local std::vector<LogField> fields;
}

ScopedLogFields::ScopedLogFields(std::initializer_list<LogField> added)
    : previous_size_(fields.size()) {
  fields.insert(fields.end(), added.begin(), added.end());
}

ScopedLogFields::~ScopedLogFields() {
  fields.resize(previous_size_);
}

std::span<const LogField> current_log_fields() {
  return fields;
}

}  // namespace switchboard::logging

// Prometheus text exposition: see exposition.hpp.
#include "metrics/exposition.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace switchboard::metrics {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);  // shortest form that reads back as the same double
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Exposition::begin_sample(std::string_view name, std::span<const Label> labels,
                              std::string_view extra_name, std::string_view extra_value) {
  text_ += name;
  if (labels.empty() && extra_name.empty()) {
    text_ += ' ';
    return;
  }
  text_ += '{';
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) text_ += ',';
    first = false;
    fmt::format_to(std::back_inserter(text_), "{}=\"{}\"", label, escape_label_value(value));
  }
  if (!extra_name.empty()) {
    if (!first) text_ += ',';
    fmt::format_to(std::back_inserter(text_), "{}=\"{}\"", extra_name, extra_value);
  }
  text_ += "} ";
}

void Exposition::sample(std::string_view name, std::span<const Label> labels, double value) {
  begin_sample(name, labels);
  text_ += format_number(value);
  text_ += '\n';
}

void Exposition::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
}

void Exposition::sample(std::string_view name, std::span<const Label> labels, std::uint64_t value) {
  begin_sample(name, labels);
  fmt::format_to(std::back_inserter(text_), "{}\n", value);
}

void Exposition::sample(std::string_view name, std::initializer_list<Label> labels,
                        std::uint64_t value) {
  sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
}

void Exposition::histogram(std::string_view name, std::span<const Label> labels,
                           std::span<const double> bounds,
                           std::span<const std::uint64_t> bucket_counts, double sum) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < bucket_counts.size() ? bucket_counts[i] : 0;
    const std::string le = i < bounds.size() ? format_number(bounds[i]) : "+Inf";
    begin_sample(bucket, labels, "le", le);
    fmt::format_to(std::back_inserter(text_), "{}\n", cumulative);
  }
  sample(std::string(name) + "_sum", labels, sum);
  sample(std::string(name) + "_count", labels, cumulative);
}

}  // namespace switchboard::metrics

// Writes the Prometheus text exposition format (version 0.0.4): a `# HELP` and a `# TYPE` line
// per family, then its samples, `name{label="value",...} number`. Label values are escaped
// (backslash, double quote, newline) as the format requires; numbers are integers or shortest
// round-trip decimals, `+Inf` for the last histogram bucket. Pure: no I/O.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::metrics {

using Label = std::pair<std::string_view, std::string_view>;

// The content type of a scrape answer.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

class Exposition {
 public:
  // Starts a family; `type` is counter, gauge or histogram. Call once per family, before its
  // samples.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample; `name` is the family's name, or with _bucket/_sum/_count for histograms.
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::span<const Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  void sample(std::string_view name, std::span<const Label> labels, std::uint64_t value);

  // A histogram's samples: `bounds` (ascending, without +Inf), the count of observations in
  // each bucket alone (bounds.size() + 1 entries, the last for above every bound), their sum.
  void histogram(std::string_view name, std::span<const Label> labels,
                 std::span<const double> bounds, std::span<const std::uint64_t> bucket_counts,
                 double sum);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  void begin_sample(std::string_view name, std::span<const Label> labels,
                    std::string_view extra_name = {}, std::string_view extra_value = {});
  std::string text_;
};

// A label value as the format writes it between double quotes.
std::string escape_label_value(std::string_view value);
// A number as the format writes it: integers without a decimal point, +Inf/-Inf/NaN spelled so.
std::string format_number(double value);

}  // namespace switchboard::metrics

// The standard process_* metrics of Prometheus client libraries, read from /proc/self at scrape
// time: resident memory, CPU seconds, open and maximum file descriptors, start time.
#pragma once

#include "metrics/exposition.hpp"

namespace switchboard::metrics {

void write_process_metrics(Exposition& out);

}  // namespace switchboard::metrics

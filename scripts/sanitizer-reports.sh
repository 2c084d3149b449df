#!/usr/bin/env bash
# Prints every AddressSanitizer / UndefinedBehaviorSanitizer / LeakSanitizer report written under
# a log directory (the `log_path` of ASAN_OPTIONS / UBSAN_OPTIONS set by scripts/sanitize.sh) and
# fails when there is one. Test harnesses often swallow a server's stderr; these files are not.
#   usage: scripts/sanitizer-reports.sh LOG_DIR
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 LOG_DIR" >&2
  exit 2
fi
log_dir=$1
if [[ ! -d $log_dir ]]; then
  echo "sanitizer-reports: no log directory '$log_dir'" >&2
  exit 2
fi

mapfile -t reports < <(find "$log_dir" -type f -size +0c | sort)
if ((${#reports[@]} == 0)); then
  echo "sanitizer-reports: no sanitizer reports in $log_dir"
  exit 0
fi
for report in "${reports[@]}"; do
  echo "===== $report"
  cat "$report"
done
echo "sanitizer-reports: ${#reports[@]} report(s) in $log_dir" >&2
exit 1

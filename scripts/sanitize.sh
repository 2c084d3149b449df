#!/usr/bin/env bash
# `make sanitize` (docs/testing.md): runs the unit tests and the integration test files against
# the ASan + UBSan build, with every sanitizer report written to a log directory, then fails if
# a test failed or any report was written (scripts/sanitizer-reports.sh prints them).
#   usage: scripts/sanitize.sh BUILD_DIR [INTEGRATION_FILES...]
#   INTEGRATION_FILES: test files or directories for `node --test` (default: tests/integration/)
set -uo pipefail
cd "$(dirname "$0")/.."

if (($# < 1)); then
  echo "usage: $0 BUILD_DIR [INTEGRATION_FILES...]" >&2
  exit 2
fi
build_dir=$(realpath "$1")
shift
integration=("$@")
((${#integration[@]})) || integration=(tests/integration/)
jobs=${JOBS:-2}

log_dir=$build_dir/sanitizer-logs
rm -rf "$log_dir"
mkdir -p "$log_dir"

# Stop at the first error of either sanitizer and write the report to a file named after the
# process (log_path appends the pid). Leak checking runs when a process exits normally: the
# server exits through a clean shutdown on SIGTERM/SIGINT, so a leak there is a real finding.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:log_path=$log_dir/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$log_dir/ubsan"

status=0
echo "sanitize: unit tests ($build_dir)"
(cd "$build_dir" && ctest --output-on-failure -j"$jobs") || status=1

echo "sanitize: integration tests: ${integration[*]}"
# Tests skip what a sanitized build cannot show: its RSS (ASan's quarantine keeps freed memory),
# and running out of descriptors (the sanitizers' own checks and symbolizer need some).
export SWITCHBOARD_SANITIZED=1
# The C++ function apps the tests start are the sanitized build's too. A test that hangs fails after
# 10 minutes instead of holding the run forever.
SWITCHBOARD_BIN=$build_dir/switchboard SWITCHBOARD_SEEDS_BIN=$build_dir/examples/seeds-cpp \
  SWITCHBOARD_TRIGGER_CPP_BIN=$build_dir/examples/trigger-cpp node --test --test-concurrency=1 \
  --test-timeout=600000 "${integration[@]}" || status=1

scripts/sanitizer-reports.sh "$log_dir" || status=1
exit $status

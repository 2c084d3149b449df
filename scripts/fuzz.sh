#!/usr/bin/env bash
# The libFuzzer targets (docs/fuzzing.md), run from a build made with SWITCHBOARD_FUZZ.
#   usage: scripts/fuzz.sh test BUILD_DIR [TARGET...]           (`make fuzz-test`)
#          scripts/fuzz.sh run BUILD_DIR SECONDS [TARGET...]    (`make fuzz`)
# test: every target runs once over its committed corpus (tests/fuzz/corpus/<name>/, the
#   regression), then fuzzes for FUZZ_SMOKE_SECONDS (default 4) from it, new inputs going to a
#   scratch directory that is thrown away.
# run: every target fuzzes for SECONDS, its new inputs kept in BUILD_DIR/fuzz-corpus/<name>/ (so
#   runs add up); the committed corpus is read, never written.
# Either fails when a target crashes, leaks, trips ASan/UBSan or a FUZZ_CHECK, or exceeds 10 s on
# one input; the input that did it is kept in BUILD_DIR/fuzz-artifacts/<name>/ (reproduce with
# `BUILD_DIR/fuzz/<name>_fuzz FILE`). Every target's last status line (executions, coverage) is
# printed at the end. TARGET: names such as `websocket_frame` (default: every tests/fuzz/*_fuzz.cpp).
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: $0 test BUILD_DIR [TARGET...] | $0 run BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
}
(($# >= 2)) || usage
mode=$1
build_dir=$(realpath "$2")
shift 2
case $mode in
  test) seconds=${FUZZ_SMOKE_SECONDS:-4} ;;
  run)
    (($# >= 1)) || usage
    seconds=$1
    shift
    ;;
  *) usage ;;
esac
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, got '$seconds'" >&2; exit 2; }

targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name%_fuzz}")
  done
fi

artifacts=$build_dir/fuzz-artifacts
logs=$build_dir/fuzz-logs
mkdir -p "$artifacts" "$logs"
# A leak or an error of either sanitizer is a finding; UBSan already stops at its first report
# (-fno-sanitize-recover), so it becomes a crash libFuzzer keeps the input of.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
summary=()
for name in "${targets[@]}"; do
  binary=$build_dir/fuzz/${name}_fuzz
  corpus=tests/fuzz/corpus/$name
  if [[ ! -x $binary ]]; then
    echo "fuzz: $binary is missing (build the target fuzz-targets)" >&2
    failed+=("$name (not built)")
    continue
  fi
  if [[ ! -d $corpus ]] || [[ -z $(ls -A "$corpus") ]]; then
    echo "fuzz: $name has no committed corpus ($corpus)" >&2
    failed+=("$name (no corpus)")
    continue
  fi
  options=(-timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$artifacts/$name/" -print_final_stats=1)
  [[ -f tests/fuzz/dict/$name.dict ]] && options+=("-dict=tests/fuzz/dict/$name.dict")
  mkdir -p "$artifacts/$name"
  log=$logs/$name.log
  : >"$log"

  if [[ $mode == test ]]; then
    echo "fuzz: $name: corpus ($(ls "$corpus" | wc -l) inputs), then ${seconds} s"
    if ! "$binary" "${options[@]}" -runs=0 "$corpus" >>"$log" 2>&1; then
      failed+=("$name (committed corpus)")
      tail -n 40 "$log"
      continue
    fi
    scratch=$(mktemp -d)
  else
    echo "fuzz: $name: ${seconds} s"
    scratch=$build_dir/fuzz-corpus/$name
    mkdir -p "$scratch"
  fi
  # New inputs go to the first directory (scratch); the committed corpus is only read.
  if ! "$binary" "${options[@]}" -max_total_time="$seconds" "$scratch" "$corpus" >>"$log" 2>&1; then
    failed+=("$name")
    tail -n 40 "$log"
  fi
  [[ $mode == test ]] && rm -rf "$scratch"
  stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -n 1 | awk '{print $2}')
  summary+=("$(printf '%-28s %s' "$name" "${stats:-no final status} (executions: ${execs:-?})")")
done

echo
echo "fuzz: results (logs in $logs)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}; inputs in $artifacts/" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no findings"

#!/usr/bin/env bash
# Fuzzing with libFuzzer (clang 14 from Debian), under ASan and UBSan, in build-fuzz/.
#   scripts/fuzz.sh                    every target for 60 s each, two at a time (CI runs this)
#   scripts/fuzz.sh --seconds 3600     the long mode: as long as asked, per target
#   scripts/fuzz.sh --target form      one target (form, http_request, json_bodies, rfc3339,
#                                      record_decoder, legacy_keys, snapshot)
# Each target starts from its seed corpus in tests/fuzz/corpus/<target>/ (which also holds every
# input that ever failed, as a regression) and writes what it learns to build-fuzz/corpus/.
# A crash, leak or sanitizer report fails the run; the input is in build-fuzz/artifacts/:
# fix the bug, then add the input to tests/fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=(form http_request json_bodies rfc3339 record_decoder legacy_keys snapshot)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --target) targets=("$2"); shift ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N] [--target NAME]" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/setup.sh
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DTOKENLEDGER_SANITIZE=fuzz >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}" >/dev/null
mkdir -p build-fuzz/artifacts

export ASAN_OPTIONS="detect_leaks=1 abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1"
run_one() {
  local target=$1 log="build-fuzz/fuzz_$1.log"
  mkdir -p "build-fuzz/corpus/$target"
  if ! "./build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=70000 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/$target-" \
      "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    echo "fuzz: $target FAILED; see $log and build-fuzz/artifacts/" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: $target: $runs executions in ${seconds} s, no crash, leak or sanitizer report"
}

status=0
pids=()
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=($!)
  if [[ ${#pids[@]} -ge 2 ]]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status

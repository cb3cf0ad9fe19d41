#!/usr/bin/env bash
# The test command: installs what is missing, builds with warnings as errors, and runs the tests.
#   scripts/test.sh             all of it: the whole suite (build/), the whole suite again under
#                               ASan+UBSan (build-asan/), the threaded tests under TSan
#                               (build-tsan/), and every fuzz target for a minute (build-fuzz/)
#   scripts/test.sh --quick     the whole suite in build/ only
#   scripts/test.sh --sanitize  the whole suite under ASan+UBSan only
#   scripts/test.sh --tsan      the threaded tests under TSan only
#   scripts/test.sh --fuzz      the libFuzzer targets only, $TOKENLEDGER_FUZZ_SECONDS (default 60)
#                               each (scripts/fuzz.sh; its long mode: --seconds N)
# Arguments after `--` go to every ctest run (for example: -- -R Log).
set -euo pipefail
cd "$(dirname "$0")/.."

modes=(plain address thread fuzz)
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) modes=(plain) ;;
    --sanitize) modes=(address) ;;
    --tsan) modes=(thread) ;;
    --fuzz) modes=(fuzz) ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "usage: scripts/test.sh [--quick|--sanitize|--tsan|--fuzz] [-- ctest arguments]" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/setup.sh
# What needs no build: the sources are formatted, and every path the files name exists.
git ls-files -z '*.h' '*.cc' | xargs -0 clang-format --dry-run --Werror
bash scripts/check_tree.sh
# Fastly's JavaScript client for the end-to-end tests, at the version package-lock.json pins.
if [[ ! -d tests/e2e/node_modules/fastly ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# The tests that start threads of their own; TSan checks these (the others are single-threaded).
threaded_tests='^(Log\.|RecordPipelineTest\.|LogCrash\.|Threads/ChainVerifierTest\.|TokenServiceTest\.|ReplayTest\.|DomainSimulation\.|ServerTest\.|ServerAbuseTest\.)'
# Debian's RocksDB is not built with TSan; see tests/tsan.supp.
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1"
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1"

for mode in "${modes[@]}"; do
  if [[ "$mode" == fuzz ]]; then
    echo "== tests: libFuzzer targets in build-fuzz/" >&2
    bash scripts/fuzz.sh --seconds "${TOKENLEDGER_FUZZ_SECONDS:-60}"
    continue
  fi
  case "$mode" in
    plain) build_dir=build; sanitize=""; targets=(); filter=() ;;
    address) build_dir=build-asan; sanitize=address; targets=(); filter=() ;;
    thread) build_dir=build-tsan; sanitize=thread
            targets=(--target ledger_test ledger_crash_test projections_test domain_simulation_test api_test); filter=(-R "$threaded_tests") ;;
  esac
  echo "== tests: ${mode} build in ${build_dir}/" >&2
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENLEDGER_WERROR=ON \
    -DTOKENLEDGER_SANITIZE="$sanitize" >/dev/null
  cmake --build "$build_dir" -j2 "${targets[@]}"
  (cd "$build_dir" && ctest --output-on-failure -j2 --timeout 900 "${filter[@]}" "${ctest_args[@]}")
done

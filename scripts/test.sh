#!/usr/bin/env bash
# The test command: installs what is missing, builds with warnings as errors, runs every test.
#   scripts/test.sh              normal build (build/) and the full GoogleTest suite
#   scripts/test.sh --sanitize   the same under ASan+UBSan (build-asan/)
# Extra arguments after `--` go to ctest (for example: -- -R Log).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=""
build_dir=build
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) sanitize=address; build_dir=build-asan ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "usage: scripts/test.sh [--sanitize] [-- ctest arguments]" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/setup.sh
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOKENLEDGER_WERROR=ON \
  -DTOKENLEDGER_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j2
cd "$build_dir"
ctest --output-on-failure -j2 --timeout 600 "${ctest_args[@]}"

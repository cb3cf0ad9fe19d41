#!/usr/bin/env bash
# The run command: installs what is missing, builds, and runs tokenledger on ./data.
# Until the HTTP server exists this runs the event-log demo: it appends a token's life to the
# log in ./data/log, verifies the whole chain and prints the last records. Arguments are passed on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target tokenledger-log-demo
exec ./build/tools/demo/tokenledger-log-demo --data ./data "$@"

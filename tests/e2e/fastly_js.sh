#!/usr/bin/env bash
# End-to-end with Fastly's JavaScript client: a real server on 127.0.0.1, fastly_js_test.js
# driving it, then a scan of everything the run wrote for the secrets it used.
# Usage: fastly_js.sh path/to/tokenledger   (node_modules from `npm ci` in this folder)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

[[ -d "$here/node_modules/fastly" ]] ||
  tl_fail "fastly-js is not installed: run (cd tests/e2e && npm ci), as scripts/test.sh does"

tl_init "$TL_WORK/data" root@e2e.example e2e-root-password
tl_start "$TL_WORK/data"
TL_BASE=$TL_BASE TL_LOGIN=root@e2e.example TL_PASSWORD=e2e-root-password \
  TL_CUSTOMER_ID=$TL_CUSTOMER_ID node "$here/fastly_js_test.js" || tl_fail "fastly-js tests"

tl_stop
tl_scan_secrets

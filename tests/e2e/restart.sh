#!/usr/bin/env bash
# Restarts keep every acknowledged write: tokens created before a SIGTERM or a SIGKILL still
# authenticate afterwards, and revoked ones still do not.
# Usage: restart.sh path/to/tokenledger
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

login=root@e2e.example
password=e2e-root-password
tl_init "$TL_WORK/data" "$login" "$password"
tl_start "$TL_WORK/data"

read -r kept_id kept < <(tl_create_token "$login" "$password")
read -r gone_id gone < <(tl_create_token "$login" "$password")
tl_expect 204 DELETE "/tokens/$gone_id" -H "Fastly-Key: $kept"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $kept"  # a use, recorded at shutdown

tl_stop
tl_start "$TL_WORK/data"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $kept"
tl_expect 401 GET /tokens/self -H "Fastly-Key: $gone"
last_used=$(curl -sS "$TL_BASE/tokens/self" -H "Fastly-Key: $kept" | tl_json_field last_used_at)
[[ -n "$last_used" ]] || tl_fail "the use before the restart was not kept"
grep -q 'from snapshot' <(tail -n 5 "$TL_LOG") || tl_fail "a clean restart did not use the snapshot"
echo "ok - after SIGTERM: the kept token works, the revoked one does not, usage kept, snapshot used"

read -r crash_id crash < <(tl_create_token "$login" "$password")
tl_expect 204 DELETE "/tokens/$kept_id" -H "Fastly-Key: $crash"
read -r late_id late < <(tl_create_token "$login" "$password")
tl_crash
tl_start "$TL_WORK/data"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $crash"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $late"
tl_expect 401 GET /tokens/self -H "Fastly-Key: $kept"
tl_expect 401 GET /tokens/self -H "Fastly-Key: $gone"
curl -sS "$TL_BASE/tokens" -H "Fastly-Key: $crash" | grep -q "$late_id" ||
  tl_fail "the token created just before the kill is not listed"
echo "ok - after SIGKILL: every acknowledged create and revoke survived"

tl_stop
tl_scan_secrets

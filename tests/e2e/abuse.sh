#!/usr/bin/env bash
# Abuse through the real server: a thousand wrong passwords for one account (its password logins
# lock after five, the lock is an event in the log, the address runs out of password checks
# after 100, and the server keeps answering others meanwhile), a
# thousand guessed keys (every one 401), and guesses one character away from a real key answered
# in the same time as any other guess.
# Usage: abuse.sh path/to/tokenledger path/to/tokenledger-replay
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPLAY=${2:?usage: $0 path/to/tokenledger path/to/tokenledger-replay}
source "$here/lib.sh"

login=root@e2e.example
password=e2e-root-password
data="$TL_WORK/data"
tl_init "$data" "$login" "$password"
tl_start "$data" --no-request-log --rate-limit-per-hour 1000000
read -r _ root < <(tl_create_token "$login" "$password")
victim_password=victim-password-1
TL_SECRETS+=("$victim_password")
victim=$(curl -sS -X POST "$TL_BASE/user" -H "Fastly-Key: $root" \
  --data-urlencode 'login=victim@e2e.example' --data-urlencode "password=$victim_password" |
  tl_json_field id)
[[ -n "$victim" ]] || tl_fail "could not create the victim user"

# Reads for another user keep being answered while the attack runs.
(
  for _ in $(seq 1 100); do
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 5 "$TL_BASE/tokens/self" \
      -H "Fastly-Key: $root" || echo timeout
    sleep 0.05
  done
) >"$TL_INPUTS/reads" &
reader=$!
seq 1 1000 | xargs -P 16 -I{} curl -sS -o /dev/null -w '%{http_code}\n' --max-time 30 \
  -X POST "$TL_BASE/tokens" --data-urlencode 'username=victim@e2e.example' \
  --data-urlencode 'password=wrong-{}' >"$TL_INPUTS/attempts"
wait "$reader"
answered=$(grep -c -E '^(400|429|503)$' "$TL_INPUTS/attempts" || true)
[[ "$answered" == 1000 ]] || tl_fail "wrong passwords: $answered of 1000 answered 400, 429 or 503: \
$(sort "$TL_INPUTS/attempts" | uniq -c | tr '\n' ' ')"
good_reads=$(grep -c '^200$' "$TL_INPUTS/reads" || true)
[[ "$good_reads" == 100 ]] || tl_fail "only $good_reads of 100 reads answered 200 during the attack"
# From another address (this one spent its budget of failed password checks), the right password
# is refused while the login lock lasts.
answer=$(curl -sS -X POST "$TL_BASE/tokens" --interface 127.0.0.2 \
  --data-urlencode 'username=victim@e2e.example' --data-urlencode "password=$victim_password")
[[ $(tl_json_field code <<<"$answer") == account_locked ]] ||
  tl_fail "the right password after the attack: $answer"
echo "ok - 1000 wrong passwords: $(sort "$TL_INPUTS/attempts" | uniq -c | tr -s ' ' | tr '\n' ',')" \
  "the account is locked, 100 of 100 reads answered meanwhile"

# A thousand guessed keys: every one 401.
for _ in $(seq 1 1000); do head -c 24 /dev/urandom | base64 | tr '+/' '-_'; done >"$TL_INPUTS/guesses"
xargs -P 16 -I{} curl -sS -o /dev/null -w '%{http_code}\n' "$TL_BASE/tokens/self" \
  -H 'Fastly-Key: {}' <"$TL_INPUTS/guesses" >"$TL_INPUTS/guess-statuses"
[[ $(grep -c '^401$' "$TL_INPUTS/guess-statuses") == 1000 ]] ||
  tl_fail "guessed keys: $(sort "$TL_INPUTS/guess-statuses" | uniq -c | tr '\n' ' ')"
echo "ok - 1000 guessed keys: all 401"

# Guesses one character away from a real key take as long as any other guess (key_timing.js).
TL_BASE=$TL_BASE TL_REAL_KEY=$root ROUNDS=${TL_E2E_TIMING_ROUNDS:-2000} \
  node "$here/key_timing.js" || tl_fail "key-guessing timing"
tl_stop

# The lock is an event of the log, with the failures that led to it.
history=$("$REPLAY" history --user "$victim" --data "$data" 2>/dev/null)
grep -q ' login_locked by' <<<"$history" || tl_fail "no lock event: $history"
failures=$(grep -c ' login_failed by' <<<"$history" || true)
[[ "$failures" -ge 5 ]] || tl_fail "only $failures failed logins recorded"
echo "ok - the lock is an event (after $failures recorded failures)"
tl_scan_secrets

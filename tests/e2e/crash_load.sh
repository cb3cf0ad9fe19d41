#!/usr/bin/env bash
# Crash and restart under load: concurrent clients create and revoke tokens over HTTP while the
# server is killed with SIGKILL at random moments; after every restart, every acknowledged
# create authenticates (unless a revoke of it was sent) and every acknowledged revoke stays
# revoked; at the end the chain verifies and a rebuild matches the stored views.
# Usage: crash_load.sh path/to/tokenledger path/to/tokenledger-replay
#   TOKENLEDGER_E2E_KILLS (default 20; the long mode runs hundreds), TOKENLEDGER_E2E_SEED.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPLAY=${2:?usage: $0 path/to/tokenledger path/to/tokenledger-replay}
source "$here/lib.sh"

kills=${TOKENLEDGER_E2E_KILLS:-20}
seed=${TOKENLEDGER_E2E_SEED:-$RANDOM}
RANDOM=$seed
echo "crash under load: $kills kills, seed $seed (TOKENLEDGER_E2E_SEED to replay)"
login=root@e2e.example
password=e2e-root-password
data="$TL_WORK/data"
serve_options=(--rate-limit-per-hour 1000000000 --no-request-log)
tl_init "$data" "$login" "$password"
tl_start "$data" "${serve_options[@]}"

# Eight clients, each with a key of its own, put under sudo before every round (sudo lasts five
# minutes; a long run outlasts that).
: >"$TL_INPUTS/keys"
for _ in 1 2 3 4 5 6 7 8; do
  read -r _ key < <(tl_create_token "$login" "$password")
  echo "$key" >>"$TL_INPUTS/keys"
done
sudo_all() {
  while read -r key; do
    tl_expect 200 POST /sudo -H "Fastly-Key: $key" --data-urlencode "password=$password"
  done <"$TL_INPUTS/keys"
}
acks="$TL_INPUTS/acks.jsonl"
: >"$acks"

checked_total=0
for round in $(seq 1 "$kills"); do
  sudo_all
  TL_BASE=$TL_BASE TL_KEYS="$TL_INPUTS/keys" ACKS="$acks" node "$here/crash_load_client.js" &
  client=$!
  pause_ms=$((RANDOM % 1500 + 500))  # the kill lands 0.5 to 2 s into the load
  sleep "$((pause_ms / 1000)).$(printf %03d $((pause_ms % 1000)))"
  tl_crash
  wait "$client" || true
  tl_start "$data" "${serve_options[@]}"
  result=$(TL_BASE=$TL_BASE ACKS="$acks" node "$here/crash_load_check.js") ||
    tl_fail "round $round: acknowledged writes were lost: $result"
  read -r _ checked losses <<<"$result"
  checked_total=$checked
done
acked=$(grep -c -E '"(created|revoked)"' "$acks" || true)
"$REPLAY" verify --data "$data" >/dev/null || tl_fail "the chain does not verify after the kills"
tl_stop
"$REPLAY" rebuild --data "$data" >/dev/null || tl_fail "the rebuilt views differ from the stored ones"
echo "kills: $kills; acknowledged operations: $acked; checked after the last restart:" \
  "$checked_total; lost: 0; chain verified; rebuild matches"

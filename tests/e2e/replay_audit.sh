#!/usr/bin/env bash
# End-to-end audit: a scripted history through the real server, then tokenledger-replay on its
# data directory (while the server runs, and after it stops): state --at equals what the server
# answered at each point, history --secret finds a token's whole life, export is complete and
# ends with verify's head, rebuild matches and catches a damaged snapshot; then legacy-key
# migration with the command line, and the old key authenticating through the API.
# Usage: replay_audit.sh path/to/tokenledger path/to/tokenledger-replay
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPLAY=${2:?usage: $0 path/to/tokenledger path/to/tokenledger-replay}
source "$here/lib.sh"

login=root@e2e.example
password=e2e-root-password
data="$TL_WORK/data"
tl_init "$data" "$login" "$password"
tl_start "$data"
started=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)

read -r root_id root < <(tl_create_token "$login" "$password")
head_now() { curl -sS "$TL_BASE/readyz" | sed -n 's/.*"log_head":\([0-9]*\).*/\1/p'; }
live_now() {
  curl -sS "$TL_BASE/customer/$TL_CUSTOMER_ID/tokens" -H "Fastly-Key: $root" |
    grep -o '"id":"[^"]*"' | sed 's/"id":"\(.*\)"/\1/' | sort | tr '\n' ' '
}
points=()   # "sequence|live ids"
remember_point() { points+=("$(head_now)|$(live_now)"); }

remember_point
read -r a_id a < <(tl_create_token "$login" "$password")
tl_expect 200 GET /tokens/self -H "Fastly-Key: $a"  # a use, for the history
remember_point
read -r b_id b < <(tl_create_token "$login" "$password" "name=nightly-backup")
expires=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
read -r c_id c < <(tl_create_token "$login" "$password" "expires_at=$expires")
remember_point
tl_expect 204 DELETE "/tokens/$a_id" -H "Fastly-Key: $root"
remember_point
sleep 3.5  # c expires; the sweeper records it within about a second
remember_point
sleep 1.1
moment=$(date -u +%Y-%m-%dT%H:%M:%SZ)
moment_live=$(live_now)
sleep 1.1
read -r d_id d < <(tl_create_token "$login" "$password")
tl_expect 204 DELETE /tokens -H "Fastly-Key: $root" -H 'Content-Type: application/json' \
  --data "{\"data\":[{\"type\":\"token\",\"id\":\"$b_id\"},{\"type\":\"token\",\"id\":\"$d_id\"}]}"
remember_point

state_live() {
  "$REPLAY" state --at "$1" --json --data "$data" | grep -o '"id":"[^"]\{22\}","user_id"' |
    sed 's/"id":"\(.*\)","user_id"/\1/' | sort | tr '\n' ' '
}
for point in "${points[@]}"; do
  sequence=${point%%|*}
  expected=${point#*|}
  got=$(state_live "$sequence")
  [[ "$got" == "$expected" ]] || tl_fail "state --at $sequence: replay says [$got], server said [$expected]"
done
got=$(state_live "$moment")
[[ "$got" == "$moment_live" ]] || tl_fail "state --at $moment: replay [$got], server [$moment_live]"
echo "ok - state --at equals the server's answers at ${#points[@]} sequences and one time (server running)"

# The readable table (the default) after a was revoked: a header, b and c live, a not, a count.
last=${points[3]}
table=$("$REPLAY" state --at "${last%%|*}" --data "$data")
for id in ${last#*|}; do
  grep -q "$id" <<<"$table" || tl_fail "state table lacks live token $id: $table"
done
[[ "${last#*|}" == *"$b_id"* && "${last#*|}" == *"$c_id"* ]] || tl_fail "point 3 is not after a's revocation"
grep -q "$a_id" <<<"$table" && tl_fail "state table lists revoked token $a_id as live: $table"
grep -q "^LIVE TOKEN  *NAME  *OWNER" <<<"$table" || tl_fail "state table has no header: $table"
grep -q "^$b_id  *nightly-backup  *$login" <<<"$table" || tl_fail "state table does not name b: $table"
live_count=$(wc -w <<<"${last#*|}")
grep -q "^$live_count live tokens$" <<<"$table" || tl_fail "state table miscounts ($live_count): $table"
echo "ok - state --at prints a readable table by default"

# rebuild --write refuses while the server holds the log, and changes nothing.
if "$REPLAY" rebuild --write --data "$data" >"$TL_WORK/busy_rebuild.out" 2>&1; then
  tl_fail "rebuild --write ran while the server runs"
fi
grep -q "in use" "$TL_WORK/busy_rebuild.out" || tl_fail "no reason given: $(cat "$TL_WORK/busy_rebuild.out")"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $root"
echo "ok - rebuild --write is refused while the server runs, which keeps serving"

tl_stop
"$REPLAY" verify --data "$data" >"$TL_WORK/verify.out" || tl_fail "verify: $(cat "$TL_WORK/verify.out")"
records=$(sed -n 's/^chain ok: \([0-9]*\) records.*/\1/p' "$TL_WORK/verify.out")
head_hash=$(sed -n 's/.*hash \([0-9a-f]*\)$/\1/p' "$TL_WORK/verify.out")
echo "ok - verify: $records records"

history=$(printf '%s\n' "$a" | "$REPLAY" history --secret --data "$data" 2>/dev/null)
for kind in token_created token_used token_revoked; do
  grep -q " $kind by" <<<"$history" || tl_fail "history --secret lacks $kind: $history"
done
grep -q "$a_id" <<<"$history" || tl_fail "history --secret does not name the token"
echo "ok - history --secret: created, used and revoked"

history=$("$REPLAY" history --token "$b_id" --data "$data" 2>/dev/null)
for kind in token_created token_revoked; do
  grep -q " $kind by" <<<"$history" || tl_fail "history --token lacks $kind: $history"
done
grep -q "$a_id" <<<"$history" && tl_fail "history --token $b_id names another token: $history"
history=$("$REPLAY" history --customer "$TL_CUSTOMER_ID" --data "$data" 2>/dev/null)
for id in "$a_id" "$b_id" "$c_id" "$d_id"; do
  grep -q "$id" <<<"$history" || tl_fail "history --customer lacks token $id: $history"
done
grep -q " token_expired by" <<<"$history" || tl_fail "history --customer lacks the expiry: $history"
echo "ok - history --token: only that token's events; history --customer: every token's"

until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
"$REPLAY" export --since "$started" --until "$until" --data "$data" >"$TL_WORK/export.jsonl"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  const last = JSON.parse(lines.pop());
  const records = lines.map((l) => JSON.parse(l));
  let previous = null;
  records.forEach((r, i) => {
    if (r.sequence !== i + 1) throw new Error(`sequence ${r.sequence} at line ${i + 1}`);
    if (previous && r.prev_hash !== previous.hash) throw new Error(`chain break at ${r.sequence}`);
    previous = r;
  });
  if (records.length !== Number(process.argv[2])) throw new Error("record count differs");
  if (last.records !== records.length) throw new Error("trailer count differs");
  if (last.head.hash !== process.argv[3] || previous.hash !== process.argv[3])
    throw new Error("head differs from verify");
' "$TL_WORK/export.jsonl" "$records" "$head_hash" || tl_fail "export check"
if grep -q -F -- "$password" "$TL_WORK/export.jsonl" || grep -q 'argon2id' "$TL_WORK/export.jsonl"; then
  tl_fail "the export carries a password or its hash"
fi
echo "ok - export: all $records records, chained, ending at verify's head; no password hashes"

"$REPLAY" rebuild --data "$data" >/dev/null || tl_fail "rebuild after a clean stop differs"
byte=$(od -An -tu1 -j 200 -N 1 "$data/views.snapshot" | tr -d ' ')
printf "\\x$(printf %02x $((byte ^ 255)))" |
  dd of="$data/views.snapshot" bs=1 seek=200 conv=notrunc 2>/dev/null
if "$REPLAY" rebuild --data "$data" >"$TL_WORK/rebuild.out"; then
  tl_fail "a damaged snapshot was not reported"
fi
"$REPLAY" rebuild --write --data "$data" >/dev/null || tl_fail "rebuild --write"
"$REPLAY" rebuild --data "$data" >/dev/null || tl_fail "rebuild after --write differs"
echo "ok - rebuild matches the live views; a damaged snapshot is reported and rewritten"

# Legacy keys: the command line on the stopped server's data, twice, and a bad file.
legacy_key="legacy-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TL_SECRETS+=("$legacy_key")
printf '{"customer_id":"%s","key":"%s","created_at":"2016-04-01T10:00:00Z"}\n' \
  "$TL_CUSTOMER_ID" "$legacy_key" >"$TL_INPUTS/keys.jsonl"
printf '{"customer_id":"%s","key":"k","created_at":"2016-04-01T10:00:00Z"}\n{"customer_id":"x"}\n' \
  "$TL_CUSTOMER_ID" >"$TL_INPUTS/bad.jsonl"
if "$TL_BIN" migrate-legacy --data "$data" --file "$TL_INPUTS/bad.jsonl" 2>"$TL_WORK/bad.out"; then
  tl_fail "a malformed file was accepted"
fi
grep -q 'line 2: key is missing' "$TL_WORK/bad.out" || tl_fail "bad line not named: $(cat "$TL_WORK/bad.out")"
"$TL_BIN" migrate-legacy --data "$data" --file "$TL_INPUTS/keys.jsonl" | grep -q 'migrated 1 keys' ||
  tl_fail "migration did not migrate"
"$TL_BIN" migrate-legacy --data "$data" --file "$TL_INPUTS/keys.jsonl" | grep -q 'nothing to do' ||
  tl_fail "a second migration was not a no-op"
tl_start "$data"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $legacy_key"
owner=$(curl -sS "$TL_BASE/current_user" -H "Fastly-Key: $legacy_key" | tl_json_field name)
[[ "$owner" == "Global API Token" ]] || tl_fail "the migrated key belongs to '$owner'"
if "$TL_BIN" migrate-legacy --data "$data" --file "$TL_INPUTS/keys.jsonl" 2>"$TL_WORK/busy.out"; then
  tl_fail "the command line migrated while the server runs"
fi
grep -q 'legacy_key' "$TL_WORK/busy.out" || tl_fail "no hint at the endpoint: $(cat "$TL_WORK/busy.out")"
echo "ok - migrate-legacy: bad lines named, idempotent, the old key authenticates as Global API Token"
tl_stop
tl_scan_secrets

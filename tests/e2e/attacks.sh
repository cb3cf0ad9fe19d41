#!/usr/bin/env bash
# Issue 15's attacks, replayed against a real server over loopback; each must fail now.
#   1. a stranger who knows a login locks its user out for good (and POST /sudo does the same)
#   2. the otpauth URI carries the secret encoded twice (checked with oathtool, an independent
#      TOTP implementation: the code it makes from the URI must confirm the enrolment)
#   3. one one-time code is accepted again and again
#   4. a stolen token enrols, replaces or turns off the second factor
#   5. one value stands for every over-long key; a one-character legacy key is accepted
#   6. random keys spend everyone's rate limit
#   7. a wrong password takes longer for a login that exists (printed as measured, sanity-checked)
# Usage: attacks.sh path/to/tokenledger
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
command -v oathtool >/dev/null || tl_fail "oathtool is missing (scripts/setup.sh installs it)"

login=root@attacks.example
password=attacks-root-password
data="$TL_WORK/data"
tl_init "$data" "$login" "$password"
tl_start "$data"
read -r root_id root < <(tl_create_token "$login" "$password")
read -r _ spare < <(tl_create_token "$login" "$password")

# --- 1. Five wrong passwords from a stranger throttle password logins, not the user.
for i in 1 2 3 4 5; do
  tl_expect 400 POST /tokens --interface 127.0.0.2 --data-urlencode "username=$login" \
    --data-urlencode "password=guess-$i"
done
answer=$(curl -sS -X POST "$TL_BASE/tokens" --data-urlencode "username=$login" \
  --data-urlencode "password=$password")
[[ $(tl_json_field code <<<"$answer") == account_locked ]] || tl_fail "after 5 guesses: $answer"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $root"
tl_expect 200 GET /current_user -H "Fastly-Key: $root"
tl_expect 204 DELETE /tokens/self -H "Fastly-Key: $spare"
echo "ok - 1. five guesses lock password logins; the user's tokens keep working"

# The operator lifts it: `tokenledger unlock` (server stopped; refused while it runs).
if "$TL_BIN" unlock --data "$data" --login "$login" 2>"$TL_INPUTS/unlock.err"; then
  tl_fail "unlock succeeded while the server holds the log"
fi
grep -q "PUT /user/{id} locked=false" "$TL_INPUTS/unlock.err" ||
  tl_fail "unlock while running said: $(cat "$TL_INPUTS/unlock.err")"
tl_stop
"$TL_BIN" unlock --data "$data" --login "$login" | grep -q "^unlocked" || tl_fail "unlock"
tl_start "$data"
read -r _ root < <(tl_create_token "$login" "$password")
echo "ok - 1. tokenledger unlock ends the lock (as an event), and says what to do while serving"

# POST /sudo failures count the same way, for any token: a purge_select one here.
read -r _ purger < <(tl_create_token "$login" "$password" "scope=purge_select")
for _ in 1 2 3 4 5; do
  tl_expect 403 POST /sudo -H "Fastly-Key: $purger" --data 'password=not-it-at-all'
done
answer=$(curl -sS -X POST "$TL_BASE/sudo" -H "Fastly-Key: $purger" \
  --data-urlencode "password=$password")
[[ $(tl_json_field code <<<"$answer") == account_locked ]] || tl_fail "sudo after 5: $answer"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $purger"
# The stolen token cannot lift its own user's lock; another superuser's locked=false confirms
# the user and ends it.
tl_expect 403 PUT "/user/$TL_USER_ID" -H "Fastly-Key: $purger" --data 'locked=false'
tl_expect 403 PUT "/user/$TL_USER_ID" -H "Fastly-Key: $root" --data 'locked=false'
other_password=attacks-other-password
TL_SECRETS+=("$other_password")
tl_expect 200 POST /user -H "Fastly-Key: $root" --data 'login=other%40attacks.example' \
  --data 'role=superuser' --data-urlencode "password=$other_password"
read -r _ other < <(tl_create_token other@attacks.example "$other_password")
tl_expect 200 PUT "/user/$TL_USER_ID" -H "Fastly-Key: $other" --data 'locked=false'
read -r _ root < <(tl_create_token "$login" "$password")
echo "ok - 1. sudo guesses throttle the same way; not the user itself but another superuser's" \
  "locked=false ends it"

# --- 4. A stolen token cannot enrol without the password, nor with a service-limited token.
read -r _ limited < <(tl_create_token "$login" "$password" "services[]=svc1")
tl_expect 403 POST /current_user/two_factor -H "Fastly-Key: $limited" \
  --data-urlencode "password=$password"
tl_expect 400 POST /current_user/two_factor -H "Fastly-Key: $root"
tl_expect 403 POST /current_user/two_factor -H "Fastly-Key: $root" --data 'password=not-it-at-all'

# --- 2. The URI carries the same secret as the field; oathtool's code from it confirms.
# Codes are taken for three consecutive steps (the server accepts one step either side of now),
# each used once, so the test must not straddle a step's end: wait for a fresh step if needed.
(( $(date +%s) % 30 < 22 )) || sleep $((30 - $(date +%s) % 30))
step_s=$(( $(date +%s) / 30 * 30 ))
code_at() { oathtool --totp -b -N "@$1" "$2"; }
enroll=$(curl -sS -X POST "$TL_BASE/current_user/two_factor" -H "Fastly-Key: $root" \
  --data-urlencode "password=$password")
secret=$(tl_json_field secret <<<"$enroll")
uri=$(tl_json_field uri <<<"$enroll")
TL_SECRETS+=("$secret")
uri_secret=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
[[ -n "$secret" && "$uri_secret" == "$secret" ]] ||
  tl_fail "the URI's secret ($uri_secret) is not the secret field ($secret)"
code=$(code_at $((step_s - 30)) "$uri_secret")
tl_expect 200 POST /current_user/two_factor/confirm -H "Fastly-Key: $root" --data "otp=$code"
echo "ok - 2. the otpauth URI's secret is the secret field; oathtool's code from it confirms"

# --- 3. A code works once: the confirming code cannot log in, and the next step's code once.
answer=$(curl -sS -X POST "$TL_BASE/tokens" -H "Fastly-OTP: $code" \
  --data-urlencode "username=$login" --data-urlencode "password=$password")
[[ $(tl_json_field code <<<"$answer") == 2fa.verify ]] || tl_fail "the confirming code again: $answer"
next=$(code_at "$step_s" "$secret")
tl_expect 200 POST /tokens -H "Fastly-OTP: $next" --data-urlencode "username=$login" \
  --data-urlencode "password=$password"
for _ in 1 2; do
  answer=$(curl -sS -X POST "$TL_BASE/tokens" -H "Fastly-OTP: $next" \
    --data-urlencode "username=$login" --data-urlencode "password=$password")
  [[ $(tl_json_field code <<<"$answer") == 2fa.verify ]] || tl_fail "one code twice: $answer"
done
echo "ok - 3. a one-time code is accepted once"

# --- 4 (continued). Enabled: another enrolment is refused; turning it off needs both factors.
tl_expect 409 POST /current_user/two_factor -H "Fastly-Key: $root" \
  --data-urlencode "password=$password"
tl_expect 400 DELETE /current_user/two_factor -H "Fastly-Key: $root" \
  --data-urlencode "password=$password"
later=$(code_at $((step_s + 30)) "$secret")
tl_expect 403 DELETE /current_user/two_factor -H "Fastly-Key: $root" \
  --data 'password=not-it-at-all' --data "otp=$later"
tl_expect 200 DELETE /current_user/two_factor -H "Fastly-Key: $root" \
  --data-urlencode "password=$password" --data "otp=$later"
tl_expect 200 POST /tokens --data-urlencode "username=$login" --data-urlencode "password=$password"
echo "ok - 4. a stolen token cannot enrol, replace or turn off the second factor"

# --- 5. No value stands for a class of keys.
long_key=$(head -c 300 /dev/zero | tr '\0' 'k')
for key in $'\n(over-long key)\n' k has-a-space\ in-it; do
  tl_expect 400 POST "/customer/$TL_CUSTOMER_ID/legacy_key" -H "Fastly-Key: $root" \
    --data-urlencode "key=$key" --data 'created_at=2016-04-01T10:00:00Z' \
    --data-urlencode "password=$password"
done
answer=$(curl -sS "$TL_BASE/tokens/self" -H "Fastly-Key: $long_key")
grep -q 'longer than any key' <<<"$answer" || tl_fail "a 300-byte key answered: $answer"
legacy_key="legacy-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
second_key="legacy-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TL_SECRETS+=("$legacy_key" "$second_key")
# A stolen token alone cannot mint itself a spare: migrating needs sudo or the password.
tl_expect 403 POST "/customer/$TL_CUSTOMER_ID/legacy_key" -H "Fastly-Key: $root" \
  --data-urlencode "key=$legacy_key" --data 'created_at=2016-04-01T10:00:00Z'
tl_expect 200 POST "/customer/$TL_CUSTOMER_ID/legacy_key" -H "Fastly-Key: $root" \
  --data-urlencode "key=$legacy_key" --data 'created_at=2016-04-01T10:00:00Z' \
  --data-urlencode "password=$password"
tl_expect 200 POST /sudo -H "Fastly-Key: $root" --data-urlencode "password=$password"
tl_expect 200 POST "/customer/$TL_CUSTOMER_ID/legacy_key" -H "Fastly-Key: $root" \
  --data-urlencode "key=$second_key" --data 'created_at=2016-04-01T10:00:00Z'
for key in "$legacy_key" "$second_key"; do
  tl_expect 200 GET /tokens/self -H "Fastly-Key: $key"
done
echo "ok - 5. over-long keys are refused unlooked-up; legacy keys must look like keys; a" \
  "customer keeps several"

# --- 7. A wrong password costs the same whether the login exists: one argon2id check each,
# neither waiting for the disk (the deterministic proof is a unit test with every sync stalled,
# AFailedLoginNeverWaitsForTheDiskAndUnknownLoginsLockAlike; this prints what a client sees).
# Distinct logins, one attempt each, alternating, so that no lock is reached.
rounds=${TL_E2E_LOGIN_TIMING_ROUNDS:-20}
TL_SECRETS+=(timing-password-1)
: >"$TL_INPUTS/known.times"
: >"$TL_INPUTS/unknown.times"
for i in $(seq 1 "$rounds"); do
  tl_expect 200 POST /user -H "Fastly-Key: $root" --data "login=timing-$i%40attacks.example" \
    --data 'password=timing-password-1'
done
for i in $(seq 1 "$rounds"); do
  curl -sS -o /dev/null -w '%{time_total}\n' -X POST "$TL_BASE/tokens" --interface 127.0.0.4 \
    --data "username=timing-$i%40attacks.example&password=wrong-password" >>"$TL_INPUTS/known.times"
  curl -sS -o /dev/null -w '%{time_total}\n' -X POST "$TL_BASE/tokens" --interface 127.0.0.4 \
    --data "username=nobody-$i%40attacks.example&password=wrong-password" >>"$TL_INPUTS/unknown.times"
done
median() { sort -g "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
known_ms=$(awk -v s="$(median "$TL_INPUTS/known.times")" 'BEGIN {printf "%.1f", s * 1000}')
unknown_ms=$(awk -v s="$(median "$TL_INPUTS/unknown.times")" 'BEGIN {printf "%.1f", s * 1000}')
ratio=$(awk -v k="$known_ms" -v u="$unknown_ms" 'BEGIN {printf "%.2f", k / u}')
awk -v r="$ratio" 'BEGIN {exit !(r > 0.5 && r < 2.0)}' ||
  tl_fail "a wrong password for a known login took $known_ms ms, for an unknown one $unknown_ms ms"
echo "ok - 7. wrong password, median of $rounds: known login $known_ms ms, unknown $unknown_ms ms" \
  "(ratio $ratio)"

# --- 6. A flood of made-up keys spends only its own address's budget (last: it spends it).
flood="$TL_INPUTS/flood.curl"
: >"$flood"
for i in $(seq 1 3000); do
  printf 'url = "%s/tokens/self"\nrequest = "DELETE"\nheader = "Fastly-Key: made-up-%s-%s"\n' \
    "$TL_BASE" "$i" "$RANDOM" >>"$flood"
  printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' >>"$flood"
done
curl -sS -K "$flood" >"$TL_INPUTS/flood.statuses" || true
refused=$(grep -c '^429$' "$TL_INPUTS/flood.statuses" || true)
unknown=$(grep -c '^401$' "$TL_INPUTS/flood.statuses" || true)
# The address had spent a few of its 1,000 on the logins above: at most 1,000 are looked up.
[[ $((unknown + refused)) == 3000 && "$unknown" -le 1000 && "$refused" -ge 2000 ]] ||
  tl_fail "flood: $(sort "$TL_INPUTS/flood.statuses" | uniq -c | tr '\n' ' ')"
tl_expect 204 DELETE /tokens/self -H "Fastly-Key: $root"
tl_expect 200 POST /tokens --interface 127.0.0.3 --data-urlencode "username=$login" \
  --data-urlencode "password=$password"
echo "ok - 6. 3000 made-up keys: $unknown answered 401, then $refused 429 for that address only;" \
  "a real token still revokes from it"

tl_stop
tl_scan_secrets

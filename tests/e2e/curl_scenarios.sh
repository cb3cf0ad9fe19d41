#!/usr/bin/env bash
# End-to-end with curl (and raw sockets) for what Fastly's client cannot express: the one-time
# password header, malformed and oversize requests, slow clients, wrong methods, a second server
# on the same data directory, TLS.
# Usage: curl_scenarios.sh path/to/tokenledger
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

login=root@e2e.example
password=e2e-root-password
tl_init "$TL_WORK/data" "$login" "$password"
tl_start "$TL_WORK/data" --request-timeout-ms 1500

read -r token_id key < <(tl_create_token "$login" "$password")
echo "ok - a token by form"

# Wrong methods and unknown paths: JSON answers, 405 names the allowed methods.
headers=$(curl -sS -D - -o "$TL_WORK/body" -X PATCH "$TL_BASE/tokens")
grep -q '^HTTP/1.1 405' <<<"$headers" || tl_fail "PATCH /tokens: $headers"
grep -qi '^Allow: GET, POST, DELETE' <<<"$headers" || tl_fail "no Allow header: $headers"
grep -qi '^Content-Type: application/json' <<<"$headers" || tl_fail "405 is not JSON"
tl_expect 405 PUT /tokens/self -H "Fastly-Key: $key"
tl_expect 404 GET /no/such/path
grep -q '"msg"' < <(curl -sS "$TL_BASE/no/such/path") || tl_fail "404 body is not the JSON error"
echo "ok - wrong methods (405 with Allow) and unknown paths (404), as JSON"

# Rate-limit headers on every non-GET answer.
headers=$(curl -sS -D - -o /dev/null -X POST "$TL_BASE/sudo" -H "Fastly-Key: $key" \
  --data-urlencode "password=$password")
grep -qE '^Fastly-RateLimit-Remaining: [0-9]+' <<<"$headers" || tl_fail "no remaining: $headers"
grep -qE '^Fastly-RateLimit-Reset: [0-9]+' <<<"$headers" || tl_fail "no reset: $headers"
echo "ok - rate-limit headers"

# Malformed bodies.
tl_expect 400 DELETE /tokens -H "Fastly-Key: $key" -H 'Content-Type: application/json' \
  --data '{not json'
tl_expect 400 DELETE /tokens -H "Fastly-Key: $key" -H 'Content-Type: application/json' \
  --data '{"data":[{"type":"user","id":"x"}]}'
tl_expect 400 POST /tokens --data 'username=a%ZZ&password=b'
tl_expect 400 POST /user -H "Fastly-Key: $key" -H 'Content-Type: application/json' \
  --data '{"login":{"nested":true}}'
tl_expect 422 POST /tokens --data-urlencode "username=$login" --data-urlencode "password=$password" \
  --data 'expires_at=yesterday'
echo "ok - malformed bodies answer 400 (422 for a bad expires_at)"

# Oversize requests.
big_header=$(head -c 20000 /dev/zero | tr '\0' a)
tl_expect 431 GET /tokens/self -H "X-Big: $big_header"
head -c 70000 /dev/zero | tr '\0' a >"$TL_WORK/big-body"
tl_expect 413 POST /tokens --data-binary @"$TL_WORK/big-body"
echo "ok - oversize head (431) and body (413)"

# A slow client is cut off with 408 after the request timeout, while others are served.
exec 3<>"/dev/tcp/127.0.0.1/$TL_PORT"
printf 'GET /tokens/self HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&3
tl_expect 200 GET /tokens/self -H "Fastly-Key: $key"
answer=$(timeout 10 cat <&3 || true)
exec 3<&-
grep -q '^HTTP/1.1 408' <<<"$answer" || tl_fail "slow client got: $answer"
echo "ok - a slow client gets 408 and is disconnected; others are served meanwhile"

# Two-factor: enroll (with the password), confirm with a code, then token creation needs
# Fastly-OTP. Each code works once, so three consecutive steps are used (the server accepts one
# step either side of now); the test waits for a fresh step rather than straddle one's end.
(( $(date +%s) % 30 < 22 )) || sleep $((30 - $(date +%s) % 30))
step=$(( $(date +%s) / 30 ))
totp() {
  node -e '
    const crypto = require("crypto");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = "";
    for (const c of process.argv[1]) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(process.argv[2]));
    const mac = crypto.createHmac("sha1", key).update(counter).digest();
    const offset = mac[19] & 15;
    const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
    console.log(String(code).padStart(6, "0"));' "$1" "$2"
}
enroll=$(curl -sS -X POST "$TL_BASE/current_user/two_factor" -H "Fastly-Key: $key" \
  --data-urlencode "password=$password")
secret=$(tl_json_field secret <<<"$enroll")
[[ -n "$secret" ]] || tl_fail "enrollment answered: $enroll"
TL_SECRETS+=("$secret")
grep -q 'otpauth://totp/' <<<"$enroll" || tl_fail "no otpauth URI: $enroll"
tl_expect 400 POST /current_user/two_factor/confirm -H "Fastly-Key: $key" --data otp=000000
tl_expect 200 POST /current_user/two_factor/confirm -H "Fastly-Key: $key" \
  --data "otp=$(totp "$secret" $((step - 1)))"
answer=$(curl -sS -X POST "$TL_BASE/tokens" --data-urlencode "username=$login" \
  --data-urlencode "password=$password")
[[ $(tl_json_field code <<<"$answer") == 2fa.verify ]] || tl_fail "no 2fa.verify: $answer"
answer=$(curl -sS -X POST "$TL_BASE/tokens" -H "Fastly-OTP: $(totp "$secret" "$step")" \
  --data-urlencode "username=$login" --data-urlencode "password=$password")
otp_token=$(tl_json_field access_token <<<"$answer")
[[ -n "$otp_token" ]] || tl_fail "creation with Fastly-OTP answered: $answer"
TL_SECRETS+=("$otp_token")
tl_expect 200 POST /sudo -H "Fastly-Key: $otp_token" -H "Fastly-OTP: $(totp "$secret" $((step + 1)))" \
  --data-urlencode "password=$password"
echo "ok - two-factor enrollment; Fastly-OTP required for tokens and sudo"

# Probes.
tl_expect 200 GET /healthz
tl_expect 200 GET /readyz
curl -sS "$TL_BASE/metrics" | grep -q '^tokenledger_live_tokens ' || tl_fail "no metrics"
echo "ok - /healthz, /readyz, /metrics"

# A second server on the same data directory is refused (the log's lock) and the first goes on.
second_status=0
second=$("$TL_BIN" serve --data "$TL_WORK/data" --listen 127.0.0.1:0 2>&1) || second_status=$?
[[ $second_status -eq 1 ]] || tl_fail "a second server on the same data exited $second_status"
grep -q 'cannot open the log.*LOCK' <<<"$second" || tl_fail "second server said: $second"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $key"
echo "ok - a second server on the same data directory is refused; the first keeps serving"
tl_stop
echo "ok - SIGTERM: clean exit 0"

# TLS: the same server with a certificate.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 \
  -keyout "$TL_WORK/key.pem" -out "$TL_WORK/cert.pem" 2>/dev/null
tl_start "$TL_WORK/data" --tls-cert "$TL_WORK/cert.pem" --tls-key "$TL_WORK/key.pem"
[[ "$TL_BASE" == https://* ]] || tl_fail "the server did not announce https: $TL_BASE"
tl_expect 200 GET /tokens/self -H "Fastly-Key: $key"
status=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TL_PORT/healthz" 2>/dev/null ||
  true)
[[ "$status" != 200 ]] || tl_fail "plain HTTP was answered on the TLS port"
tl_stop
echo "ok - TLS with --tls-cert and --tls-key"

tl_scan_secrets

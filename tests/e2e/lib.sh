# Shared helpers for the end-to-end scripts: a scratch directory, a data directory made by
# `tokenledger init`, and a real server on 127.0.0.1 (an ephemeral port read from its start-up
# line). Sourced, not run. Every server started here is stopped when the script exits.
set -euo pipefail

TL_BIN=${1:?usage: $0 path/to/tokenledger}
TL_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tokenledger-e2e.XXXXXX")
TL_INPUTS="$TL_WORK/inputs"  # files the test writes for the tools to read (not scanned)
mkdir -p "$TL_INPUTS"
TL_LOG="$TL_WORK/server.log"
: >"$TL_LOG"
TL_PID=""
TL_SECRETS=()  # every token value and password used, for the final scan
TL_SECRETS_OUT="$TL_WORK/secrets-used.txt"  # where other programs list theirs (not scanned)
: >"$TL_SECRETS_OUT"
export TL_SECRETS_OUT

tl_cleanup() {
  if [[ -n "$TL_PID" ]] && kill -0 "$TL_PID" 2>/dev/null; then kill -KILL "$TL_PID" || true; fi
  if [[ "${TL_KEEP:-0}" == 1 ]]; then echo "kept $TL_WORK" >&2; else rm -rf "$TL_WORK"; fi
}
trap tl_cleanup EXIT

tl_fail() {
  echo "FAILED: $*" >&2
  echo "--- server log (last 30 lines) ---" >&2
  tail -n 30 "$TL_LOG" >&2 || true
  exit 1
}

# tl_init DATA LOGIN PASSWORD: sets TL_CUSTOMER_ID and TL_USER_ID.
tl_init() {
  local ids
  ids=$(printf '%s\n' "$3" | "$TL_BIN" init --data "$1" --customer "E2E Customer" --login "$2")
  TL_CUSTOMER_ID=$(sed -n 's/.*"customer_id":"\([^"]*\)".*/\1/p' <<<"$ids")
  TL_USER_ID=$(sed -n 's/.*"user_id":"\([^"]*\)".*/\1/p' <<<"$ids")
  [[ -n "$TL_CUSTOMER_ID" && -n "$TL_USER_ID" ]] || tl_fail "init printed: $ids"
  TL_SECRETS+=("$3")
}

# tl_start DATA [serve options...]: sets TL_PID, TL_PORT and TL_BASE.
tl_start() {
  local data=$1 scheme=http lines
  shift
  lines=$(wc -l <"$TL_LOG")
  "$TL_BIN" serve --data "$data" --listen 127.0.0.1:0 "$@" 2>>"$TL_LOG" &
  TL_PID=$!
  for _ in $(seq 1 300); do
    local line
    line=$(tail -n +"$((lines + 1))" "$TL_LOG" | grep -m1 'serving on' || true)
    if [[ -n "$line" ]]; then
      [[ "$line" == *"https://"* ]] && scheme=https
      TL_PORT=$(sed -n 's/.*serving on https\?:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$line")
      TL_BASE="$scheme://127.0.0.1:$TL_PORT"
      return 0
    fi
    kill -0 "$TL_PID" 2>/dev/null || tl_fail "the server exited during start-up"
    sleep 0.1
  done
  tl_fail "the server did not start within 30 s"
}

# tl_stop: SIGTERM, and the server must exit 0.
tl_stop() {
  kill -TERM "$TL_PID"
  local status=0
  wait "$TL_PID" || status=$?
  TL_PID=""
  [[ $status -eq 0 ]] || tl_fail "the server exited with $status after SIGTERM"
}

# tl_crash: SIGKILL, no chance to clean up.
tl_crash() {
  kill -KILL "$TL_PID"
  wait "$TL_PID" 2>/dev/null || true
  TL_PID=""
}

# tl_json_field NAME: the first string value of NAME in the JSON on stdin.
tl_json_field() {
  sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

# tl_create_token LOGIN PASSWORD [extra form]: prints "ID SECRET".
tl_create_token() {
  local body id secret
  body=$(curl -sS -X POST "$TL_BASE/tokens" --data-urlencode "username=$1" \
    --data-urlencode "password=$2" ${3:+--data "$3"})
  id=$(tl_json_field id <<<"$body")
  secret=$(tl_json_field access_token <<<"$body")
  [[ -n "$id" && -n "$secret" ]] || tl_fail "token creation answered: $body"
  echo "$secret" >>"$TL_SECRETS_OUT"  # (callers often run this in a subshell)
  echo "$id $secret"
}

# tl_status METHOD PATH [curl args...]: prints the status code.
tl_status() {
  local method=$1 path=$2
  shift 2
  curl -sS -k -o /dev/null -w '%{http_code}' -X "$method" "$TL_BASE$path" "$@"
}

# tl_expect WANT METHOD PATH [curl args...]
tl_expect() {
  local want=$1 got
  shift
  got=$(tl_status "$@")
  [[ "$got" == "$want" ]] || tl_fail "$1 $2: expected $want, got $got"
}

# tl_scan_secrets: no token value or password used in the run appears in any file it made.
tl_scan_secrets() {
  local secret hits=0 found
  while IFS= read -r secret; do
    [[ -n "$secret" ]] && TL_SECRETS+=("$secret")
  done <"$TL_SECRETS_OUT"
  for secret in "${TL_SECRETS[@]}"; do
    found=$(grep -r -a -l -F --exclude="$(basename "$TL_SECRETS_OUT")" --exclude-dir=inputs \
      -- "$secret" "$TL_WORK" ||
      true)
    if [[ -n "$found" ]]; then
      echo "a secret was found in: $found" >&2
      hits=$((hits + 1))
    fi
  done
  [[ $hits -eq 0 ]] || tl_fail "$hits secrets found in files of the run"
  echo "secret scan: ${#TL_SECRETS[@]} secret values, 0 found in" \
    "$(find "$TL_WORK" -type f ! -name "$(basename "$TL_SECRETS_OUT")" ! -path '*/inputs/*' |
      wc -l) files"
}

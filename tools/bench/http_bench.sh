#!/usr/bin/env bash
# The HTTP benchmark: tokenledger against nginx on this machine, driven by wrk on 127.0.0.1.
#   1. authenticated GET /tokens/self, keep-alive, 64 connections, against nginx answering a
#      fixed 200 JSON body of the same size with as many workers as tokenledger has I/O threads;
#   2. durable DELETE /tokens/{id} revokes, 64 connections, against the log benchmark's
#      32-writer durable appends (tools/bench/log_append_bench) run in the same script just before
#      and just after them (the mean of the two).
# Prints each figure and the ratios; docs/benchmarks.md records them.
# Usage: tools/bench/http_bench.sh [--seconds N] [--threads N]   (installs wrk and nginx)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=10
io_threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --threads) io_threads=$2; shift ;;
    *) echo "usage: $0 [--seconds N] [--threads N]" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/setup.sh
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || command -v "/usr/sbin/$tool" >/dev/null || {
    echo "bench: installing $tool" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
  }
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target tokenledger tokenledger-seed-tokens log_append_bench >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/tokenledger-bench.XXXXXX")
server_pid=""
nginx_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" || true
  [[ -n "$nginx_pid" ]] && kill -TERM "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=18480
nginx_port=18481
password=bench-password-1
printf '%s\n' "$password" | ./build/api/tokenledger init --data "$work/data" --customer Bench \
  --login bench@example.com >/dev/null
revokes=$((seconds * 80000))
echo "bench: seeding $revokes tokens to revoke" >&2
./build/tools/bench/tokenledger-seed-tokens --data "$work/data" --count "$revokes" >"$work/ids.txt"

./build/api/tokenledger serve --data "$work/data" --listen "127.0.0.1:$port" \
  --io-threads "$io_threads" --no-request-log --rate-limit-per-hour 1000000000 \
  2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 300); do grep -q 'serving on' "$work/server.log" && break; sleep 0.1; done
key=$(curl -sS -X POST "http://127.0.0.1:$port/tokens" --data-urlencode 'username=bench@example.com' \
  --data-urlencode "password=$password" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[[ -n "$key" ]] || { echo "bench: could not create a token" >&2; exit 1; }
body=$(curl -sS "http://127.0.0.1:$port/tokens/self" -H "Fastly-Key: $key")

mkdir -p "$work/nginx"
printf '%s' "$body" >"$work/nginx/body.json"
# nginx's workers drop root for www-data: let them read the body (and only that).
chmod a+x "$work"
chmod a+rx "$work/nginx"
chmod a+r "$work/nginx/body.json"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes $io_threads;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx;
    location / { default_type application/json; try_files /body.json =404; }
  }
}
NGINX
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
run_wrk() { wrk -t2 -c64 -d"${seconds}s" --latency "$@"; }

echo "bench: GET /tokens/self against tokenledger ($io_threads I/O threads)" >&2
reads_out=$(run_wrk -H "Fastly-Key: $key" "http://127.0.0.1:$port/tokens/self")
echo "bench: the same body from nginx ($io_threads workers)" >&2
nginx_out=$(run_wrk "http://127.0.0.1:$nginx_port/tokens/self")
# The disk's synced-write speed drifts by a fifth over minutes here, so the log's baseline is
# measured right before and right after the revokes, and the revokes compared with the mean.
log_bench() {
  rm -rf "$work/logbench"
  ./build/tools/bench/log_append_bench --writers 32 --seconds "$seconds" --dir "$work/logbench" |
    awk '$1 == 32 { print $2 }'
}
echo "bench: the log's own 32-writer durable appends (before the revokes)" >&2
log_before=$(log_bench)
# CPU time the server spent (user + system, in clock ticks), for the cost of one revoke: a
# steadier figure than the rate when the machine's speed drifts.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
echo "bench: DELETE /tokens/{id} against tokenledger" >&2
ticks_before=$(server_ticks)
revoke_out=$(IDS="$work/ids.txt" THREADS=2 KEY="$key" run_wrk -s tools/bench/revoke.lua \
  "http://127.0.0.1:$port")
ticks_after=$(server_ticks)
# Stop the server first: its final snapshot and RocksDB's flushes must not slow the baseline.
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
echo "bench: the log's own 32-writer durable appends (after the revokes)" >&2
log_after=$(log_bench)

reads=$(rps <<<"$reads_out")
nginx=$(rps <<<"$nginx_out")
revoke=$(rps <<<"$revoke_out")
log32=$(awk -v a="$log_before" -v b="$log_after" 'BEGIN { print (a + b) / 2 }')
errors=$(grep -E 'Non-2xx|Socket errors' <<<"$reads_out$revoke_out" || true)

echo
echo "== reads: authenticated GET /tokens/self, 64 connections, ${seconds} s"
grep -E 'Latency|Requests/sec|Non-2xx|Socket' <<<"$reads_out"
echo "== nginx: fixed 200 JSON body, 64 connections, ${seconds} s"
grep -E 'Latency|Requests/sec|Non-2xx|Socket' <<<"$nginx_out"
echo "== revokes: durable DELETE /tokens/{id}, 64 connections, ${seconds} s"
grep -E 'Latency|Requests/sec|Non-2xx|Socket' <<<"$revoke_out"
echo "== log: durable appends at 32 writers, ${seconds} s before and after the revokes"
echo "$log_before/s before, $log_after/s after"
echo
awk -v v="$revoke" -v s="$seconds" -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" \
  'BEGIN { printf "server CPU per revoke: %.1f us (user + system)\n", t / hz / (v * s) * 1e6 }'
awk -v r="$reads" -v n="$nginx" -v v="$revoke" -v l="$log32" 'BEGIN {
  printf "reads/s %.0f, nginx/s %.0f, ratio %.2f (goal >= 0.5)\n", r, n, r / n;
  printf "revokes/s %.0f, log appends/s at 32 writers %.0f (mean of before and after), ratio %.2f (goal >= 0.8)\n", v, l, v / l }'
[[ -z "$errors" ]] || echo "note: $errors"

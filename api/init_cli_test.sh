#!/usr/bin/env bash
# `tokenledger init` end to end: creates, prints the ids as JSON, refuses a second run, refuses
# bad usage. Argument: the tokenledger binary.
set -euo pipefail
binary="$1"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT

out=$(printf 'a long enough password\n' | "$binary" init --data "$data" --customer "Demo Co" --login root@example.com)
echo "$out" | grep -Eq '^\{"customer_id":"[0-9A-Za-z]{22}","user_id":"[0-9A-Za-z]{22}"\}$' \
  || { echo "unexpected output: $out"; exit 1; }

if printf 'another password\n' | "$binary" init --data "$data" --customer X --login x@example.com 2>"$data/err"; then
  echo "a second init succeeded"; exit 1
fi
grep -q "init runs once" "$data/err" || { cat "$data/err"; exit 1; }

set +e
"$binary" init --data "$data" </dev/null 2>/dev/null; code=$?
set -e
[ "$code" -eq 2 ] || { echo "bad usage exited $code"; exit 1; }
! grep -rqa "a long enough password" "$data" || { echo "the password is in a file"; exit 1; }
echo "init cli: ok"

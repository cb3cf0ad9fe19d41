#!/usr/bin/env bash
# `tokenledger init` end to end: creates, prints the ids as JSON, refuses a second run, refuses
# bad usage, leaves nothing readable by others; and `tokenledger unlock` on the result.
# Argument: the tokenledger binary.
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

# The data directory holds hashes and the sealing key: owner only, whatever the umask was
# (issue 15, item 12). A directory made under umask 022 and files chmod'ed open are tightened by
# the next command that writes it.
loose="$data/loose"
(umask 022 && printf 'a long enough password\n' |
  "$binary" init --data "$loose" --customer "Loose Co" --login loose@example.com >/dev/null)
check_modes() {
  local open_files open_dirs
  open_files=$(find "$loose" -type f ! -perm 600)
  open_dirs=$(find "$loose" -type d ! -perm 700)
  [ -z "$open_files$open_dirs" ] || { echo "readable by others: $open_files $open_dirs"; exit 1; }
}
check_modes
chmod 0644 "$loose/views.snapshot" "$loose/totp.key" 2>/dev/null || chmod 0644 "$loose/views.snapshot"
chmod 0755 "$loose" "$loose/log"
"$binary" unlock --data "$loose" --login loose@example.com | grep -q "were not locked" ||
  { echo "unlock of an unlocked login"; exit 1; }
check_modes
if "$binary" unlock --data "$loose" --login nobody@example.com 2>"$data/err"; then
  echo "unlock of an unknown login succeeded"; exit 1
fi
grep -q "no user has the login" "$data/err" || { cat "$data/err"; exit 1; }
echo "init cli: ok"

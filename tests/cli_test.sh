#!/usr/bin/env bash
# The command lines of both programs: every subcommand answers --help (exit 0), and an unknown,
# misplaced or missing flag, or a value out of range, is refused with exit 2 before anything is
# opened. Arguments: the tokenledger binary, the tokenledger-replay binary.
set -uo pipefail
tokenledger="$1"
replay="$2"
failures=0

expect() {  # expect CODE PROGRAM ARGS...: runs it and checks the exit code
  local want=$1
  shift
  "$@" </dev/null >/dev/null 2>&1
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "not ok - $* exited $got, expected $want"
    failures=$((failures + 1))
  fi
}

for command in init serve migrate-legacy unlock; do
  expect 0 "$tokenledger" "$command" --help
done
for command in verify rebuild state history export; do
  expect 0 "$replay" "$command" --help
done
"$tokenledger" serve --help | grep -q -- "--login-lock-minutes" || {
  echo "not ok - serve --help does not list its flags"; failures=$((failures + 1)); }

# Wrong usage: exit 2, and nothing is opened (the data directories below do not exist).
none=/nonexistent/tokenledger-cli-test
expect 2 "$tokenledger"
expect 2 "$tokenledger" bogus
expect 2 "$tokenledger" --data "$none" serve             # misplaced: before the subcommand
expect 2 "$tokenledger" serve --data "$none" --file x    # a flag of another subcommand
expect 2 "$tokenledger" serve --data "$none" --io-threads 0
expect 2 "$tokenledger" serve --data "$none" --listen nowhere
expect 2 "$tokenledger" serve --data "$none" --tls-cert c.pem
expect 2 "$tokenledger" init --data "$none" --customer X  # --login missing
expect 2 "$tokenledger" unlock --data "$none"
expect 2 "$tokenledger" migrate-legacy --data "$none"
expect 2 "$replay"
expect 2 "$replay" verify --data "$none" --at 5           # the replay tool once ignored these
expect 2 "$replay" rebuild --data "$none" --json
expect 2 "$replay" state --data "$none"
expect 2 "$replay" state --data "$none" --at yesterday
expect 2 "$replay" history --data "$none"
expect 2 "$replay" history --data "$none" --token a --user b
expect 2 "$replay" export --data "$none" --since 2026-01-01T00:00:00Z
expect 2 "$replay" export --data "$none" --since 2026-01-02T00:00:00Z --until 2026-01-01T00:00:00Z
expect 2 "$replay" export --data "$none" --since x --until 2026-01-01T00:00:00Z
expect 2 "$replay" export --data "$none" --since 2026-01-01T00:00:00Z --until 2026-01-02T00:00:00Z --format csv
# A right command line reaches the data: 3 (unreadable) from the replay tool, 1 from serve.
expect 3 "$replay" verify --data "$none"
expect 1 "$tokenledger" serve --data "$none"

if [[ $failures -ne 0 ]]; then
  echo "cli: $failures failure(s)"
  exit 1
fi
echo "cli: ok"

#!/usr/bin/env bash
# The run command: installs what is missing, builds, and serves the API on 127.0.0.1:8080 from
# ./data. On the first run it creates ./data with a demo customer and its superuser:
#   login demo@example.com, password from $TOKENLEDGER_DEMO_PASSWORD (default demo-password-1),
# which is kept only as an argon2id hash. Arguments go to `tokenledger serve` (for example
# --listen 127.0.0.1:9090). Ctrl-C (SIGINT) or SIGTERM stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target tokenledger
bin=./build/api/tokenledger

demo_login=demo@example.com
demo_password=${TOKENLEDGER_DEMO_PASSWORD:-demo-password-1}
listen=127.0.0.1:8080
for ((i = 1; i <= $#; i++)); do
  if [[ "${!i}" == --listen ]]; then j=$((i + 1)); listen=${!j}; fi
done

if [[ ! -d ./data/log ]]; then
  echo "run: creating ./data with a demo customer and superuser ($demo_login)" >&2
  printf '%s\n' "$demo_password" |
    "$bin" init --data ./data --customer "Demo Customer" --login "$demo_login" >&2
fi

cat >&2 <<HINT
run: the server starts below. Create a first token (the secret is shown once):
  curl -s -X POST http://$listen/tokens --data-urlencode 'username=$demo_login' \\
       --data-urlencode 'password=<the demo password>' --data 'name=first&scope=global'
then use it:
  curl -s http://$listen/tokens/self -H 'Fastly-Key: <access_token from the answer>'
(the demo password is \$TOKENLEDGER_DEMO_PASSWORD from the first run, default demo-password-1)
HINT
exec "$bin" serve --data ./data "$@"

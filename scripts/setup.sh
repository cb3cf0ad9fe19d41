#!/usr/bin/env bash
# Installs exactly the Debian 12 packages tokenledger needs that are missing on this machine.
# Idempotent and silent when everything is already present; run as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git
  librocksdb-dev                 # the event log's storage engine
  capnproto libcapnp-dev         # record encoding; capnp compiles the schema at build time
  libssl-dev                     # SHA-256 (libcrypto uses the CPU's SHA instructions)
  libsodium-dev                  # randomness, argon2id, constant-time comparison, sealing
  liboath-dev                    # TOTP (RFC 6238) for two-factor logins
  libabsl-dev                    # flat hash maps for the in-memory views
  libsimdjson-dev                # JSON request bodies
  libasio-dev                    # standalone Asio for the HTTP server
  libhttp-parser-dev             # HTTP/1.1 request parsing
  libcli11-dev                   # the command lines of both programs
  libgtest-dev libgmock-dev      # tests
  curl openssl                   # end-to-end scripts (requests, a self-signed TLS certificate)
  oathtool                       # tests/e2e/attacks.sh: one-time codes from an independent TOTP
  clang-14 libclang-rt-14-dev    # libFuzzer targets (scripts/fuzz.sh)
  clang-format                   # the test command checks every source is formatted
)
# Node.js and npm run Fastly's own JavaScript client in the end-to-end tests. A machine may
# have them from elsewhere (NodeSource); only when there is no npm at all are Debian's taken.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing missing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2

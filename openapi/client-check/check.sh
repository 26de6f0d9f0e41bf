#!/usr/bin/env bash
# The contract guard (`just check-contract`): openapi/openapi.json is linted by two independent
# validators — Redocly CLI (npm) and openapi-spec-validator (PyPI) — at zero errors, and a client
# generated from it by openapi-typescript + openapi-fetch (npm) is type-checked with `strict` and
# run against a freshly started portal on demo data: sign-in → list → slots → reschedule → cancel
# → PDF download. Needs Node.js ≥ 20 with npm, Python 3 with pip, and the built `portal` binary.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

npm ci --no-audit --no-fund --loglevel=error
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
npx --no-install redocly lint ../openapi.json --format=stylish
pip="python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator==0.9.0"
# Debian's own Python refuses system-wide installs (PEP 668); the validator is a test tool only.
$pip 2>/dev/null || $pip --break-system-packages
python3 -m openapi_spec_validator ../openapi.json

npx --no-install openapi-typescript ../openapi.json -o schema.ts
npx --no-install tsc -p .

portal="${CARGO_TARGET_DIR:-$root/target}/debug/portal"
[ -x "$portal" ] || (cd "$root" && cargo build -q -p portal-server --bin portal)
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$data/portal.log"
(cd "$data" && exec env -u PORTAL__DATABASE__URL -u RUST_LOG \
  PORTAL__DATA_DIR="$data" PORTAL__SERVER__BIND="127.0.0.1:$port" \
  PORTAL__SERVER__PUBLIC_URL="http://127.0.0.1:$port" PORTAL__SERVER__STATIC_DIR="$data" \
  PORTAL__LOG__FORMAT=json PORTAL__LOG__FILTER="warn,portal::dev_sms=info" \
  "$portal" serve --seed-demo >"$log" 2>&1) &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
node build/flow.js "http://127.0.0.1:$port" "$log"

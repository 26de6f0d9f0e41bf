#!/usr/bin/env bash
# `just bench`: load-tests the customer API on SQLite and PostgreSQL with the reproducible dataset
# from `portal seed-bench`, at two sizes, with /health/live measured in the same run as the ceiling.
# Writes bench/results.md. Needs wrk (installed from Debian when missing) and, for PostgreSQL, the
# local server (postgres@127.0.0.1:5432, trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."

CUSTOMERS=${BENCH_CUSTOMERS:-10000}
SIZES=${BENCH_SIZES:-"100000 1000000"}
BACKENDS=${BENCH_BACKENDS:-"sqlite postgres"}
DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18181}
OUT=${BENCH_OUT:-bench/results.md}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p portal-server --bin portal
BIN=$PWD/target/release/portal
BASE=http://127.0.0.1:$PORT

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# wrk's summary → "req/s p50_ms p99_ms"
measure() {
  local path=$1 token=$2
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$BASE$path" > "$work/wrk.txt"
  python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {errors.group(1) if errors else 0}")
PY
}

{
  echo "# Benchmark results"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ) · $(nproc) cores · wrk -t2 -c$CONNECTIONS -d$DURATION · $CUSTOMERS customers · release build"
  echo
  echo "| database | appointments | endpoint | req/s | p50 ms | p99 ms | non-2xx | % of ceiling |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$OUT"

for backend in $BACKENDS; do
  for size in $SIZES; do
    dir="$work/$backend-$size"
    mkdir -p "$dir"
    if [ "$backend" = sqlite ]; then
      url="sqlite://$dir/bench.db"
    else
      name="portal_bench_$size"
      psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
      url="postgres://postgres@127.0.0.1:5432/$name"
    fi
    export PORTAL__DATABASE__URL=$url PORTAL__DATA_DIR=$dir PORTAL__LOG__FORMAT=json PORTAL__LOG__FILTER=warn,portal::dev_sms=info
    echo "== $backend, $size appointments: seeding"
    t0=$SECONDS
    "$BIN" seed-bench --customers "$CUSTOMERS" --appointments "$size"
    echo "seeded in $((SECONDS - t0)) s"
    PORTAL__SERVER__BIND=127.0.0.1:$PORT "$BIN" serve > "$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.1; done

    # Sign in as a customer in the middle of the dataset, with the code from the development log.
    phone=$("$BIN" seed-bench --print-phone $((CUSTOMERS / 2)))
    challenge=$(curl -fs -X POST "$BASE/api/customer/auth" -H 'content-type: application/json' \
      -d "{\"company\":\"bench-clinic\",\"phone\":\"$phone\"}" | json_field "['challenge_id']")
    sleep 0.2
    code=$(grep -o '#[0-9]\{6\}' "$dir/server.log" | tail -n 1 | tr -d '#')
    token=$(curl -fs -X POST "$BASE/api/customer/auth/verify" -H 'content-type: application/json' \
      -d "{\"challenge_id\":\"$challenge\",\"code\":\"$code\"}" | json_field "['access_token']")
    appointment=$(curl -fs "$BASE/api/customer/appointments?limit=1" -H "Authorization: Bearer $token" | json_field "['items'][0]['id']")
    # The phone assistant's question while a caller waits: free times for that appointment's
    # service at its branch, with anyone who performs it, over the next week.
    detail=$(curl -fs "$BASE/api/customer/appointments/$appointment" -H "Authorization: Bearer $token")
    branch=$(echo "$detail" | json_field "['branch']['id']")
    service=$(echo "$detail" | json_field "['service']['id']")
    key=$("$BIN" api-key create --company bench-clinic --name bench | tail -n 1)

    ceiling=""
    # /health/ready runs one trivial query: the ceiling of any endpoint that touches the database.
    for endpoint in "health /health/live" "ready /health/ready" "list-upcoming /api/customer/appointments" \
                    "detail /api/customer/appointments/$appointment" "slots /api/customer/appointments/$appointment/slots"; do
      label=${endpoint%% *}; path=${endpoint#* }
      read -r rps p50 p99 errors < <(measure "$path" "$token")
      [ "$label" = health ] && ceiling=$rps
      pct=$(python3 -c "print(f'{100*$rps/$ceiling:.0f}%')")
      echo "| $backend | $size | $label | $rps | $p50 | $p99 | $errors | $pct |" | tee -a "$OUT"
    done
    read -r rps p50 p99 errors < <(measure "/api/integrations/v1/availability?branch_id=$branch&service_id=$service" "$key")
    pct=$(python3 -c "print(f'{100*$rps/$ceiling:.0f}%')")
    echo "| $backend | $size | availability (integrator) | $rps | $p50 | $p99 | $errors | $pct |" | tee -a "$OUT"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    if [ "$backend" = postgres ]; then
      psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS portal_bench_$size WITH (FORCE)"
    fi
  done
done
echo "wrote $OUT"

# Customer Portal — every task has a recipe here; CI runs the same ones.

set shell := ["bash", "-euo", "pipefail", "-c"]
export CARGO_PROFILE_DEV_DEBUG := env_var_or_default("CARGO_PROFILE_DEV_DEBUG", "0")

# List the recipes.
default:
    @just --list

# Run the portal (PWA + API + demo data) on SQLite under ./data, at http://127.0.0.1:8080.
run *ARGS:
    just frontend
    cargo run -p portal-server --bin portal -- serve --seed-demo {{ARGS}}

# Build the PWA into frontend/dist: release wasm, hashed file names, service worker, gzip twins.
frontend:
    bash frontend/build.sh

# Run the portal on the local PostgreSQL (database `portal`, created if missing).
run-pg *ARGS:
    psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'portal'" | grep -q 1 || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE portal"
    PORTAL__DATABASE__URL=postgres://postgres@127.0.0.1:5432/portal cargo run -p portal-server --bin portal -- serve --seed-demo {{ARGS}}

# Run every test on SQLite and PostgreSQL (PostgreSQL tests fail instead of skipping with PORTAL_TEST_REQUIRE_PG=1), then the dependency and wasm checks.
test:
    just browser
    just frontend
    cargo test --workspace --all-targets
    just test-wasm
    just check-deps
    just check-wasm

# Debian's Chromium and chromedriver for the E2E and component tests, installed when missing.
browser:
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
      sudo=$([ "$(id -u)" = 0 ] || echo sudo); \
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver; \
    fi

# Component tests of the PWA in headless Chromium (wasm-bindgen-test; needs chromium-driver).
test-wasm:
    cd frontend && CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" WASM_BINDGEN_TEST_TIMEOUT=120 \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test -p portal-frontend --target wasm32-unknown-unknown --tests

# Lighthouse 12 (npm, Node 20) on the main screens of a freshly started portal → target/lighthouse/.
audit:
    bash frontend/audit.sh

# Formatting and lints, as CI runs them.
lint:
    just check-layers
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo clippy -p portal-frontend --target wasm32-unknown-unknown --all-targets -- -D warnings

# Regenerate openapi/openapi.json from the code (a test fails when it is stale).
openapi:
    cargo run -q -p portal-server --bin portal -- openapi

# Dependencies point one way: the shared DTOs and domain never pull in the database or the server.
check-deps:
    for crate in portal-api-types portal-domain portal-frontend portal-usecases; do \
      forbidden_list="sea-orm actix-web portal-db portal-server"; \
      [ "$crate" = portal-usecases ] && forbidden_list="actix-web utoipa-actix-web portal-server"; \
      for forbidden in $forbidden_list; do \
        out=$(cargo tree -p "$crate" -e normal --target all -i "$forbidden" 2>&1 || true); \
        if ! grep -q "did not match any packages" <<<"$out"; then \
          echo "$crate must not depend on $forbidden:"; echo "$out" | head -20; exit 1; \
        fi; \
      done; \
    done
    echo "dependency direction ok"

# Handlers stay thin: no route module imports another (shared code lives in use cases, views or
# a service module), and only start-up code acts as the system.
check-layers:
    python3 scripts/check_layers.py

# The crates the PWA uses build for wasm32, and so does the PWA shell.
check-wasm:
    cargo check -p portal-api-types -p portal-domain -p portal-frontend --target wasm32-unknown-unknown

# Load-test the customer API (wrk; SQLite and PostgreSQL; 100k and 1M appointments) → bench/results.md.
bench:
    bash bench/run.sh

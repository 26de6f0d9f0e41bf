#!/usr/bin/env bash
# Builds the PWA into frontend/dist: release wasm (cargo), JS glue (wasm-bindgen), content-hashed
# file names, index.html, the service worker with its precache list, and .gz twins the server
# sends to browsers that accept gzip. Installs the wasm32 target and the matching wasm-bindgen-cli
# when missing, so `just run` works on a machine with only Rust.
set -euo pipefail
cd "$(dirname "$0")/.."

root=$(pwd)
assets="$root/frontend/assets"
dist="$root/frontend/dist"
stage="$root/target/frontend-stage"

if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes once"
  cargo install wasm-bindgen-cli --version "$want" --locked \
    || cargo install wasm-bindgen-cli --version "$want"
fi

cargo build -p portal-frontend --lib --target wasm32-unknown-unknown --profile wasm-release

rm -rf "$stage" && mkdir -p "$stage"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$stage" --out-name portal \
  target/wasm32-unknown-unknown/wasm-release/portal_frontend.wasm

hash16() { sha256sum "$1" | cut -c1-16; }

rm -rf "$dist" && mkdir -p "$dist"
wasm_hash=$(hash16 "$stage/portal_bg.wasm")
wasm="portal_bg-$wasm_hash.wasm"
cp "$stage/portal_bg.wasm" "$dist/$wasm"

# The glue loads the hashed wasm, starts the app and registers the service worker.
sed "s/'portal_bg\.wasm'/'$wasm'/g" "$stage/portal.js" > "$stage/portal.glue.js"
grep -q "$wasm" "$stage/portal.glue.js" || { echo "wasm file name not found in the glue" >&2; exit 1; }
cat >> "$stage/portal.glue.js" <<'JS'
__wbg_init();
if ("serviceWorker" in navigator) {
  addEventListener("load", () => navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {}));
}
JS
js="portal-$(hash16 "$stage/portal.glue.js").js"
cp "$stage/portal.glue.js" "$dist/$js"
css="app-$(hash16 "$assets/app.css").css"
cp "$assets/app.css" "$dist/$css"

for page in index.html offline.html; do
  sed -e "s/__JS__/$js/g" -e "s/__WASM__/$wasm/g" -e "s/__CSS__/$css/g" "$assets/$page" > "$dist/$page"
done
cp "$assets/manifest.webmanifest" "$assets"/icon-*.png "$dist/"

version=$(cat "$dist/$js" "$dist/$wasm" "$dist/$css" "$dist/index.html" "$dist/offline.html" | sha256sum | cut -c1-16)
shell="[\"/index.html\",\"/offline.html\",\"/$js\",\"/$wasm\",\"/$css\",\"/manifest.webmanifest\",\"/icon-192.png\",\"/icon-512.png\",\"/icon-maskable-512.png\"]"
sed -e "s|__VERSION__|$version|" -e "s|__SHELL__|$shell|" "$assets/sw.js" > "$dist/sw.js"

for f in "$dist"/*.js "$dist"/*.wasm "$dist"/*.css "$dist"/*.html "$dist"/*.webmanifest; do
  gzip -9 -k -n "$f"
done

total=0
for f in "$dist/index.html" "$dist/$js" "$dist/$wasm" "$dist/$css" "$dist/manifest.webmanifest"; do
  total=$((total + $(stat -c %s "$f.gz")))
done
echo "PWA built into frontend/dist: $js, $wasm, $css"
echo "first load (gzip, without icons and service worker): $((total / 1024)) KiB"

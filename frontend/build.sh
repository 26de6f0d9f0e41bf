#!/usr/bin/env bash
# Builds the PWA into frontend/dist: release wasm (cargo), cut into a first-load module and one
# chunk per lazily loaded screen (wasm-split-cli), JS glue (wasm-bindgen), content-hashed file
# names, index.html, the service worker with its precache list, and .gz twins the server sends to
# browsers that accept gzip. Installs the wasm32 target, the matching wasm-bindgen-cli and
# wasm-split-cli when missing, so `just run` works on a machine with only Rust.
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

# The splitter cuts the wasm at the screens marked in frontend/src/lazy.rs.
split_version=0.2.4
if ! command -v wasm-split-cli >/dev/null 2>&1 \
  || ! cargo install --list | grep -q "^wasm_split_cli_support v$split_version:"; then
  echo "installing wasm-split-cli $split_version; this takes a minute or two once"
  cargo install wasm_split_cli_support --version "$split_version" --features build-binary --locked \
    || cargo install wasm_split_cli_support --version "$split_version" --features build-binary
fi

# Relocations let the splitter move code between modules; names are not needed (wasm-split and
# wasm-bindgen work from exports and the linking section). Cargo appends these flags to the
# target's flags in .cargo/config.toml.
cargo build -p portal-frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
  --features split \
  --config 'target.wasm32-unknown-unknown.rustflags=["-C", "link-arg=--emit-relocs", "-C", "link-arg=--strip-all", "-C", "link-arg=--keep-section=target_features"]'

rm -rf "$stage" && mkdir -p "$stage/split"
wasm-split-cli target/wasm32-unknown-unknown/wasm-release/portal_frontend.wasm "$stage/split" --out-name portal
# The chunks share the main module's function table, which keeps its linker name.
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --keep-lld-exports \
  --out-dir "$stage" --out-name portal "$stage/split/portal.wasm"

hash16() { sha256sum "$1" | cut -c1-16; }

rm -rf "$dist" && mkdir -p "$dist"
wasm_hash=$(hash16 "$stage/portal_bg.wasm")
wasm="portal_bg-$wasm_hash.wasm"
cp "$stage/portal_bg.wasm" "$dist/$wasm"

# Chunks get content-hashed names; the loader (split.js) fetches them relative to itself.
loader="$stage/split/__wasm_split.js"
chunks=()
for f in "$stage"/split/*.wasm; do
  name=$(basename "$f" .wasm)
  [ "$name" = portal ] && continue
  hashed="$name-$(hash16 "$f").wasm"
  cp "$f" "$dist/$hashed"
  sed -i "s|\"\./$name\.wasm\"|\"./$hashed\"|" "$loader"
  grep -q "$hashed" "$loader" || { echo "chunk $name not found in the loader" >&2; exit 1; }
  chunks+=("$hashed")
done

# The glue and the loader import each other, so both carry one version: the hash of the wasm,
# the chunks' names and the unversioned glue.
version=$(cat "$stage/portal_bg.wasm" "$loader" "$stage/portal.js" "$0" | sha256sum | cut -c1-16)
js="portal-$version.js"
split="split-$version.js"
# The glue loads the hashed wasm and the loader, starts the app and registers the service worker.
# Only the import statements change: the wasm still names its import module "./__wasm_split.js".
sed -e "s/'portal_bg\.wasm'/'$wasm'/g" -e "s|^\(import .* from \)\"\./__wasm_split\.js\"|\1\"./$split\"|" \
  "$stage/portal.js" > "$dist/$js"
grep -q "$wasm" "$dist/$js" || { echo "wasm file name not found in the glue" >&2; exit 1; }
grep -q "$split" "$dist/$js" || { echo "loader not found in the glue" >&2; exit 1; }
cat >> "$dist/$js" <<'JS'
// Start once the loading shell from index.html is on screen (after the next frame; at the latest
// after 200 ms, as hidden tabs get no frames). The wasm itself is already downloading (preload).
{
  let started = false;
  const boot = () => { if (!started) { started = true; __wbg_init(); } };
  requestAnimationFrame(() => setTimeout(boot, 0));
  setTimeout(boot, 200);
}
if ("serviceWorker" in navigator) {
  addEventListener("load", () => navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {}));
}
JS
sed "s|\"\./portal\.js\"|\"./$js\"|" "$loader" > "$dist/$split"
grep -q "$js" "$dist/$split" || { echo "glue not found in the loader" >&2; exit 1; }
css="app-$(hash16 "$assets/app.css").css"
cp "$assets/app.css" "$dist/$css"

for page in index.html offline.html; do
  sed -e "s/__JS__/$js/g" -e "s/__SPLIT__/$split/g" -e "s/__WASM__/$wasm/g" -e "s/__CSS__/$css/g" \
    "$assets/$page" > "$dist/$page"
done
cp "$assets/manifest.webmanifest" "$assets"/icon-*.png "$dist/"

# The service worker precaches the shell and every chunk, so each screen also opens offline.
version=$(cat "$dist/$js" "$dist/$split" "$dist/$wasm" "$dist/$css" "$dist/index.html" "$dist/offline.html" | sha256sum | cut -c1-16)
shell="\"/index.html\",\"/offline.html\",\"/$js\",\"/$split\",\"/$wasm\",\"/$css\",\"/manifest.webmanifest\",\"/icon-192.png\",\"/icon-512.png\",\"/icon-maskable-512.png\""
for chunk in "${chunks[@]}"; do shell="$shell,\"/$chunk\""; done
sed -e "s|__VERSION__|$version|" -e "s|__SHELL__|[$shell]|" "$assets/sw.js" > "$dist/sw.js"

for f in "$dist"/*.js "$dist"/*.wasm "$dist"/*.css "$dist"/*.html "$dist"/*.webmanifest; do
  gzip -9 -k -n "$f"
done

total=0
for f in "$dist/index.html" "$dist/$js" "$dist/$split" "$dist/$wasm" "$dist/$css" "$dist/manifest.webmanifest"; do
  total=$((total + $(stat -c %s "$f.gz")))
done
lazy=0
for chunk in "${chunks[@]}"; do lazy=$((lazy + $(stat -c %s "$dist/$chunk.gz"))); done
echo "PWA built into frontend/dist: $js, $split, $wasm, $css and ${#chunks[@]} chunks"
echo "first load (gzip, without icons and service worker): $((total / 1024)) KiB"
echo "screens loaded on demand (gzip, all ${#chunks[@]} chunks): $((lazy / 1024)) KiB"

#!/usr/bin/env bash
# Builds the client (hydrate) bundle into public/pkg with content-hashed names, then
# the Worker (ssr) with that hash compiled in. PROFILE=release (default) or dev.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# Client: its own target dir, or cargo rebuilds `app` every time features flip.
cargo build -q -p app --lib --target wasm32-unknown-unknown --release --features hydrate --target-dir target/hydrate
out=target/client-pkg
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name app \
  target/hydrate/wasm32-unknown-unknown/release/app.wasm
wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/app_bg.wasm" -o "$out/app_bg.wasm"

hash=$(cat "$out/app_bg.wasm" "$out/app.js" style/main.css | sha256sum | cut -c1-12)
rm -rf public/pkg && mkdir -p public/pkg
cp "$out/app.js" "public/pkg/app-$hash.js"
cp "$out/app_bg.wasm" "public/pkg/app-${hash}_bg.wasm"
echo "client: public/pkg (hash $hash)"

# Worker: the asset hash is a compile-time constant of `app`. `erase_components` type-erases
# Leptos views on the server (measured: 1.13 MB -> 0.98 MB gzip, budget 1.0 MB); it is a
# cfg flag, so the Worker gets its own target dir instead of rebuilding the shared one.
# `+simd128` lets LLVM vectorise the image codecs' loops (workerd's V8 runs wasm SIMD;
# wasm-opt is told with `--enable-simd` in server/Cargo.toml). Worker only: the client
# bundle stays plain wasm for older browsers. Measured in media/BENCH.md.
log=target/worker-build.log
if ! (cd server && CARGO_TARGET_DIR="$ROOT/target/worker" RUSTFLAGS="--cfg erase_components -C target-feature=+simd128" \
  LUMEN_ASSET_HASH="$hash" worker-build --release) >"$log" 2>&1; then
  grep -v target_features "$log" | grep -E -A12 '^(error|Error)' | head -n 60
  echo "worker-build failed (full log: $log)"
  exit 1
fi
echo "worker: server/build"

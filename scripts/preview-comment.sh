#!/usr/bin/env bash
# Posts or updates the one preview comment on a pull request: the body comes on stdin, and
# the comment is found again by the hidden marker in its first line. Needs GH_TOKEN and
# GITHUB_REPOSITORY (set in GitHub Actions).
# Usage: ... | scripts/preview-comment.sh <pr> [--only-update]
set -euo pipefail
pr=$1
only_update=${2:-}
marker="<!-- lumen-preview -->"
body="$marker
$(cat)"
id=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -f body="$body" >/dev/null
  echo "preview comment $id updated"
elif [ "$only_update" != --only-update ]; then
  gh api -X POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -f body="$body" >/dev/null
  echo "preview comment posted"
fi

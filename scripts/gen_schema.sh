#!/usr/bin/env bash
# Regenerates schemas/testsuite.schema.json and the README's field reference
# (between <!-- fields:begin --> and <!-- fields:end -->) from the field specs
# (steps/mqtt/mqtt_config.cpp, executor/suite/suite_schema.cpp). The unit
# test "schema: ... regenerating gives the committed files" fails until this
# has been run and its output committed.
# Usage: scripts/gen_schema.sh [BUILD_DIR]   (default build/ci; must be configured)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
cmake --build "$build" --target mqttest -j2 >/dev/null
bin=$build/mqttest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" schema >"$tmp/schema.json"
mv "$tmp/schema.json" schemas/testsuite.schema.json

"$bin" schema --reference >"$tmp/reference.md"
grep -q '^<!-- fields:begin -->$' README.md && grep -q '^<!-- fields:end -->$' README.md || {
  echo "gen_schema.sh: README.md lacks the <!-- fields:begin --> / <!-- fields:end --> lines" >&2
  exit 1
}
awk -v ref="$tmp/reference.md" '
  /^<!-- fields:begin -->$/ { print; while ((getline line < ref) > 0) print line; skip = 1; next }
  /^<!-- fields:end -->$/ { skip = 0 }
  !skip { print }
' README.md >"$tmp/README.md"
mv "$tmp/README.md" README.md
echo "regenerated schemas/testsuite.schema.json and the field reference in README.md"

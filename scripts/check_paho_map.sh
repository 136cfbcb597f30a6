#!/usr/bin/env bash
# Checks docs/paho-interop.md against the kit: every case a row names
# ("`file.yml` [MQTT-x-y]") is a test case of testsuites/conformance/file.yml
# whose name starts with that statement id, there are 38 rows (11 of
# client_test.py, 27 of client_test5.py), and the "Totals:" line counts the
# rows' statuses. Run by CTest as paho_map (label unit).
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/paho-interop.md
kit=testsuites/conformance
problems=0
fail() { echo "$doc: $*"; problems=$((problems + 1)); }

rows=$(grep -E '^\| `client_test5?\.py` ' "$doc" || true)
declare -A count=([full]=0 [part]=0 [none]=0)
v311=0 v5=0
while IFS= read -r row; do
  test=$(cut -d'|' -f2 <<<"$row" | sed 's/^ *//; s/ *$//')
  cases=$(cut -d'|' -f4 <<<"$row")
  status=$(cut -d'|' -f5 <<<"$row" | sed 's/^ *//' | grep -oE '^(full|part|none)' || true)
  [ -n "$status" ] || fail "$test: the status must start with full, part or none"
  [ -z "$status" ] || count[$status]=$((count[$status] + 1))
  case $test in '`client_test.py`'*) v311=$((v311 + 1)) ;; *) v5=$((v5 + 1)) ;; esac
  named=$(grep -oE '`[a-z0-9_]+\.yml` \[MQTT-[0-9.]+-[0-9]+\]' <<<"$cases" || true)
  if [ -z "$named" ] && [ "$status" != none ]; then fail "$test: names no kit case"; fi
  while IFS= read -r item; do
    [ -n "$item" ] || continue
    file=$(grep -oE '[a-z0-9_]+\.yml' <<<"$item")
    id=$(grep -oE '\[MQTT-[0-9.]+-[0-9]+\]' <<<"$item")
    [ -f "$kit/$file" ] || { fail "$test: no $kit/$file"; continue; }
    grep -qF -- "- name: \"$id " "$kit/$file" || fail "$test: no case starting with $id in $kit/$file"
  done <<<"$named"
done <<<"$rows"

((v311 == 11)) || fail "$v311 rows of client_test.py, expected 11"
((v5 == 27)) || fail "$v5 rows of client_test5.py, expected 27"
totals="Totals: 38 behaviours; ${count[full]} full, ${count[part]} part, ${count[none]} none."
grep -qxF "$totals" "$doc" || fail "the totals line should read: $totals"
((problems == 0)) && echo "paho_map: 38 rows, every named case is in the kit"
exit $((problems > 0))

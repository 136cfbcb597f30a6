#!/usr/bin/env bash
# Runs the conformance kit and the examples against one real broker and
# compares every test case's verdict with tests/brokers/expected/NAME.txt.
#
#   tests/brokers/verdicts_test.sh NAME MQTTEST [--print]
#
# NAME is a broker of scripts/brokers/broker.sh; MQTTEST the binary. The
# expected file holds one line per test case, `verdict | suite file | case`,
# and for an expected failure a fourth field saying why (the broker's
# deviation, with its statement id); a failure without a reason is an error.
# Its `vars:` line sets what a probe would find (e.g. probe_v5=false).
# --print writes the verdicts of this run in the file's format instead of
# comparing (to start a file; the reasons are then written by hand).
set -euo pipefail
name=${1:?usage: verdicts_test.sh NAME MQTTEST [--print]}
mqttest=${2:?usage: verdicts_test.sh NAME MQTTEST [--print]}
mode=${3:-compare}
repo=$(cd "$(dirname "$0")/../.." && pwd)
expected=$repo/tests/brokers/expected/$name.txt
cd "$repo"  # the report names suite files relative to here

work=$(mktemp -d)
cleanup() {
  scripts/brokers/broker.sh stop "$work/broker" || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/broker"

[ -f "$expected" ] || [ "$mode" = --print ] || { echo "no expected verdicts: $expected" >&2; exit 1; }
vars=()
if [ -f "$expected" ]; then
  for v in $(sed -n 's/^vars://p' "$expected"); do vars+=(--var "$v"); done
fi

started=$SECONDS
url=$(scripts/brokers/broker.sh start "$name" "$work/broker")
echo "$name: listening on $url after $((SECONDS - started)) s"

ran=$SECONDS
status=0
"$mqttest" run testsuites/conformance testsuites/examples --var "addrs=$url" "${vars[@]}" \
  --jobs 4 --format json --output-dir "$work/report" >"$work/console.txt" 2>&1 || status=$?
echo "$name: the kit and the examples ran in $((SECONDS - ran)) s (exit status $status)"
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
  echo "mqttest run did not run the suites (exit status $status):" >&2
  cat "$work/console.txt" >&2
  exit 1
fi

jq -r '.suites[] | .file as $file | .cases[] | "\(.status) | \($file) | \(.name)"' \
  "$work/report/mqttest-report.json" | sort >"$work/actual.txt"

if [ "$mode" = --print ]; then
  cat "$work/actual.txt"
  exit 0
fi

# The expected lines without comments, the vars: line and reasons.
grep -v -e '^#' -e '^vars:' -e '^[[:space:]]*$' "$expected" >"$work/expected-lines.txt" || true
missing_reason=$(awk -F' [|] ' '$1 == "failed" && NF < 4' "$work/expected-lines.txt")
if [ -n "$missing_reason" ]; then
  echo "$expected: an expected failure must say why (a fourth field):" >&2
  echo "$missing_reason" >&2
  exit 1
fi
awk -F' [|] ' '{print $1 " | " $2 " | " $3}' "$work/expected-lines.txt" | sort >"$work/expected.txt"

if diff -q "$work/expected.txt" "$work/actual.txt" >/dev/null; then
  echo "$name: $(wc -l <"$work/actual.txt") verdicts as expected"
  exit 0
fi
echo "$name: verdicts differ from $expected" >&2
# one line per case: what was expected, what happened
join -t$'\t' -a1 -a2 -e '(none)' -o 0,1.2,2.2 \
  <(awk -F' [|] ' '{print $2 " | " $3 "\t" $1}' "$work/expected.txt" | sort -t$'\t' -k1,1) \
  <(awk -F' [|] ' '{print $2 " | " $3 "\t" $1}' "$work/actual.txt" | sort -t$'\t' -k1,1) |
  awk -F'\t' '$2 != $3 {printf "  %s: expected %s, got %s\n", $1, $2, $3}' |
  tee "$work/changed.txt" >&2
echo "what the console said about each changed case:" >&2
sed -E 's/^  (.*): expected .*$/\1/; s/^[^|]* [|] //' "$work/changed.txt" | while IFS= read -r case_name; do
  grep -F -A10 -- "$case_name" "$work/console.txt" | head -12 >&2 || true
done
exit 1

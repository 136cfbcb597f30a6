#!/usr/bin/env bash
# Checks one real broker the way a user would: `mqttest probe`, then
# `mqttest conformance` (the probe's findings become the kit's variables),
# then the examples with `mqttest run`; compares what each found with
# tests/brokers/expected/NAME.txt.
#
#   tests/brokers/verdicts_test.sh NAME MQTTEST [--print]
#
# NAME is a broker of scripts/brokers/broker.sh; MQTTEST the binary. The
# expected file holds
#   probe: ...         the stable facts `mqttest probe --json` reports: which
#                      MQTT versions are accepted and, with MQTT 5, a few
#                      declared capabilities (see probe_facts below)
#   conformance: ...   the closing line of `mqttest conformance`
#   kit-vars: N=V ...  (optional) what a user of this broker gives the kit
#                      with --var: a behaviour the spec leaves to the broker
#   one line per test case, `verdict | suite file | case`, and for an
#   expected failure a fourth field saying why (the broker's deviation, with
#   its statement id); a failure without a reason is an error.
# --print writes this run's findings in the file's format instead of
# comparing (to start a file; the reasons are then written by hand).
set -euo pipefail
name=${1:?usage: verdicts_test.sh NAME MQTTEST [--print]}
mqttest=${2:?usage: verdicts_test.sh NAME MQTTEST [--print]}
mode=${3:-compare}
repo=$(cd "$(dirname "$0")/../.." && pwd)
expected=$repo/tests/brokers/expected/$name.txt
cd "$repo"  # the reports name suite files relative to here

work=$(mktemp -d)
cleanup() {
  scripts/brokers/broker.sh stop "$work/broker" || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/broker"

[ -f "$expected" ] || [ "$mode" = --print ] || { echo "no expected verdicts: $expected" >&2; exit 1; }

started=$SECONDS
url=$(scripts/brokers/broker.sh start "$name" "$work/broker")
echo "$name: listening on $url after $((SECONDS - started)) s"

# Runs "$@" with its output in $work/$1.txt; a status other than 0 or 1
# (1: a check failed, which the verdicts judge) means nothing was checked.
run_mqttest() {
  local log=$work/$1.txt status=0
  shift
  "$mqttest" "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
    echo "mqttest $1 did not run (exit status $status):" >&2
    cat "$log" >&2
    return 1
  fi
}

# (a) The probe must reach the broker (exit 0); its stable facts, one line.
probe_status=0
"$mqttest" probe --addrs "$url" --json >"$work/probe.json" 2>"$work/probe-stderr.txt" || probe_status=$?
if [ "$probe_status" -ne 0 ]; then
  echo "$name: mqttest probe exited $probe_status:" >&2
  cat "$work/probe-stderr.txt" "$work/probe.json" >&2
  exit 1
fi
probe_facts=$(jq -r '
  [(["5", "3.1.1", "3.1"][] as $v | "\($v)=\(if .versions[$v].accepted then "accepted" else "refused" end)"),
   (if .capabilities == null then "capabilities=none" else
      (.capabilities | "maximum_qos=\(.maximum_qos)", "retain_available=\(.retain_available)",
       "wildcard_subscription_available=\(.wildcard_subscription_available)",
       "shared_subscription_available=\(.shared_subscription_available)",
       "subscription_identifiers_available=\(.subscription_identifiers_available)",
       "topic_alias_maximum=\(.topic_alias_maximum)",
       "assigned_client_identifier=\(.assigned_client_identifier.accepted)")
    end)] | "probe: " + join(" ")' "$work/probe.json")

# (b) The kit, as `mqttest conformance` runs it, and (c) the examples, at the
# same time against the one broker (their topics never meet).
ran=$SECONDS
# broker.sh makes every broker refuse a subscription to this filter.
denied_filter=kit-denied/1/2/3/4/5/6/7/8/9
kit_vars=()
if [ -f "$expected" ]; then
  for assignment in $(sed -n 's/^kit-vars: //p' "$expected"); do kit_vars+=(--var "$assignment"); done
fi
run_mqttest conformance conformance --addrs "$url" --var "denied_filter=$denied_filter" \
  "${kit_vars[@]}" --jobs 2 --format json --output-dir "$work/conformance" &
conformance_pid=$!
examples_status=0
run_mqttest examples run testsuites/examples --var "addrs=$url" --jobs 2 --format json \
  --output-dir "$work/examples" || examples_status=1
conformance_status=0
wait "$conformance_pid" || conformance_status=1
echo "$name: the kit and the examples ran in $((SECONDS - ran)) s"
[ "$examples_status" -eq 0 ] && [ "$conformance_status" -eq 0 ] || exit 1
summary="conformance: $(tail -1 "$work/conformance.txt")"

# The kit's files are named as the binary found them; here, relative to the repository.
jq -r '.suites[] | .file as $file | .cases[] | "\(.status) | \($file) | \(.name)"' \
  "$work/conformance/mqttest-report.json" "$work/examples/mqttest-report.json" |
  sed "s#^\([a-z]*\) | $repo/#\1 | #" | sort >"$work/actual.txt"

if [ "$mode" = --print ]; then
  echo "$probe_facts"
  echo "$summary"
  cat "$work/actual.txt"
  exit 0
fi

# Compares this run's `PREFIX: ...` line with the expected file's; WHAT says what differs.
failures=0
compare_line() {
  local prefix=$1 got=$2 what=$3 want
  want=$(grep "^$prefix:" "$expected" || true)
  [ "$got" = "$want" ] && return 0
  echo "$name: $what than $expected says:" >&2
  echo "  expected: $want" >&2
  echo "  got:      $got" >&2
  failures=1
}
compare_line probe "$probe_facts" "the probe found other facts"
compare_line conformance "$summary" "mqttest conformance closed with another line"
expected_summary=$(grep '^conformance:' "$expected" || true)

# The expected verdict lines: no comments, no probe:/conformance: lines.
grep -v -e '^#' -e '^probe:' -e '^conformance:' -e '^kit-vars:' -e '^[[:space:]]*$' "$expected" \
  >"$work/expected-lines.txt" || true
missing_reason=$(awk -F' [|] ' '$1 == "failed" && NF < 4' "$work/expected-lines.txt")
if [ -n "$missing_reason" ]; then
  echo "$expected: an expected failure must say why (a fourth field):" >&2
  echo "$missing_reason" >&2
  exit 1
fi
awk -F' [|] ' '{print $1 " | " $2 " | " $3}' "$work/expected-lines.txt" | sort >"$work/expected.txt"

# The closing line must count what the expected verdicts of the kit say.
read -r passed failed skipped < <(awk -F' [|] ' '$2 ~ /^testsuites\/conformance\// {n[$1]++}
  END {print n["passed"] + 0, n["failed"] + 0, n["skipped"] + 0}' "$work/expected.txt")
counted="conformance: $passed of $((passed + failed)) checks hold, $skipped skipped"
if [ "${expected_summary#"$counted"}" = "$expected_summary" ]; then
  echo "$expected: its conformance: line does not count its verdicts (\"$counted ...\")" >&2
  exit 1
fi

if diff -q "$work/expected.txt" "$work/actual.txt" >/dev/null; then
  echo "$name: $(wc -l <"$work/actual.txt") verdicts as expected"
  exit "$failures"
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
  grep -h -F -A10 -- "$case_name" "$work/conformance.txt" "$work/examples.txt" | head -12 >&2 || true
done
exit 1

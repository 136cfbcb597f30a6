#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang 14, ASan and UBSan in
# build/fuzz and runs each for SECONDS (default 60) on a copy of its seed
# corpus (tests/fuzz/corpus/<target>/; the suite loader also gets every suite
# in testsuites/). Fails on any crash, leak, timeout or out-of-memory and says
# where the reproducer is.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_JOBS=N       targets run side by side (default: the number of cores)
#   FUZZ_CORPUS=DIR   keep each target's grown corpus in DIR/<target> across runs
#   FUZZ_CPU=1        SECONDS is each target's CPU time, not its wall time: the
#                     target is interrupted when it has used that much, so a run
#                     beside other work (nice -n 19) still gets its full budget;
#                     an input then counts as a hang after 300 s, not 10 s (a
#                     starved process takes that long for a normal one)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
(($# == 0)) || shift
build=build/fuzz
jobs=${FUZZ_JOBS:-$(nproc)}

source scripts/ccache_env.sh
cmake -S . -B "$build" "${ccache_launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DMQTTEST_FUZZ=ON -DMQTTEST_SANITIZE=address,undefined \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzzers

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

work=$(mktemp -d -t mqttest-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
crashes=$build/crashes
mkdir -p "$crashes"
export TMPDIR=$work  # the suite loader's target writes its input there
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Runs one target; its log is $work/<target>.log.
fuzz_one() {
  local target=$1 corpus dict=()
  if [ -n "${FUZZ_CORPUS:-}" ]; then
    corpus=$FUZZ_CORPUS/$target
  else
    corpus=$work/$target
  fi
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/
  if [ "$target" = fuzz_suite_loader ]; then
    find testsuites -name '*.yml' | while read -r f; do cp -n "$f" "$corpus/${f//\//_}"; done
  fi
  case $target in
    fuzz_suite_loader | fuzz_template | fuzz_assertion | fuzz_result_path)
      dict=(-dict=tests/fuzz/suite.dict) ;;
  esac
  local bound=(-max_total_time="$seconds") hang=10
  [ -z "${FUZZ_CPU:-}" ] || { bound=(); hang=300; }
  local started=$SECONDS
  "$build/tests/fuzz/$target" "${bound[@]}" -timeout="$hang" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/$target-" "${dict[@]}" "$corpus" \
    >"$work/$target.log" 2>&1 &
  local pid=$! ticks=0 budget=$((seconds * $(getconf CLK_TCK))) interrupted=
  if [ -n "${FUZZ_CPU:-}" ]; then
    while kill -0 "$pid" 2>/dev/null; do
      sleep 5
      # utime + stime of the fuzzer (fields 14 and 15; its name has no spaces)
      ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || break
      if ((ticks >= budget)); then interrupted=1; kill -INT "$pid"; break; fi
    done
  fi
  local rc=0
  wait "$pid" || rc=$?
  echo "wall $((SECONDS - started))" >"$work/$target.time"
  # libFuzzer exits 72 when interrupted, after its final stats
  if [ -n "$interrupted" ] && ((rc == 72)) && grep -q 'run interrupted' "$work/$target.log"; then
    rc=0
  fi
  return "$rc"
}

status=0
pids=()
names=()
for target in "${targets[@]}"; do
  [ -x "$build/tests/fuzz/$target" ] || { echo "no fuzz target $target"; exit 2; }
  fuzz_one "$target" &
  pids+=($!)
  names+=("$target")
  if ((${#pids[@]} >= jobs)); then
    wait "${pids[0]}" || echo "${names[0]}" >>"$work/failed"
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || echo "${names[$i]}" >>"$work/failed"
done

for target in "${targets[@]}"; do
  log=$work/$target.log
  if grep -qx "$target" "$work/failed" 2>/dev/null; then
    status=1
    echo "FAIL  $target"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|invariant broken|terminate called|  what\(\)|.*runtime error)' "$log" | head -6 | sed 's/^/      /'
    artifact=$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //' | tail -1)
    echo "      reproducer: ${artifact:-none written (see the log below)}"
    echo "      replay:     $build/tests/fuzz/$target ${artifact:-}"
    tail -n 30 "$log" | sed 's/^/      | /'
  else
    last_line=$(grep -E '^#[0-9]+\s' "$log" | tail -1)
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')
    budget=${seconds}s; [ -z "${FUZZ_CPU:-}" ] || budget="${seconds}s of CPU ($(cat "$work/$target.time")s)"
    echo "ok    $target  ${execs:-?} runs in $budget  $(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last_line")"
  fi
done
exit $status

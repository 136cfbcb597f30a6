#!/usr/bin/env bash
# Every test: installs what is missing, builds with warnings as errors and
# ASan+UBSan, then runs the unit tests and the integration tests (each starts
# its own mosquitto on a free loopback port).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/ci
scripts/setup.sh --tests "$build" -DCMAKE_BUILD_TYPE=Debug -DMQTTEST_WERROR=ON \
  -DMQTTEST_SANITIZE=address,undefined
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
ctest --test-dir "$build" -j2 --output-on-failure "$@"

# Paho tuning (steps/mqtt/paho/) off: the broker tests must pass without it,
# so no verdict depends on it (slower: a connect may wait 1-2 s).
MQTTEST_PAHO_TUNING=off ctest --test-dir "$build" -j2 --output-on-failure -L '^broker$' "$@"

# The Release .deb: built, checked, installed, run on the examples, removed.
bash scripts/package_test.sh

# ThreadSanitizer (CI only): the unit and integration tests again, built with
# -fsanitize=thread in build/tsan. Suppressions: Paho's own code only.
if [ -n "${CI:-}" ]; then
  tsan=build/tsan
  source scripts/ccache_env.sh
  cmake -S . -B "$tsan" "${ccache_launcher[@]}" -DCMAKE_BUILD_TYPE=Debug -DMQTTEST_WERROR=ON \
    -DMQTTEST_SANITIZE=thread >/dev/null
  cmake --build "$tsan" -j"$(nproc)" --target unit_tests integration_tests mqttest
  # Left out: tests that bound a time or the start-up of a signal handler,
  # tuned for uninstrumented builds (TSan slows every step several times), and
  # the memory bound of --stream (TSan's shadow memory doubles the RSS).
  slow='request/response: the reply|sequential steps in one process|defect 2 and 9|SIGINT: exit 130'
  slow+='|run --jobs: on SIGINT the children stop|probe: TLS and a password|in flat memory'
  slow+='|doubling vars stop at the output size limit'
  TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir "$tsan" --output-on-failure -j2 -E "$slow"
fi

# Fuzzing (CI only): every target of tests/fuzz for a bounded time (README "Fuzzing").
if [ -n "${CI:-}" ]; then
  scripts/fuzz.sh "${MQTTEST_FUZZ_SECONDS:-60}"
fi

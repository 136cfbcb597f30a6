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
MQTTEST_PAHO_TUNING=off ctest --test-dir "$build" -j2 --output-on-failure -L broker "$@"

# The Release .deb: built, checked, installed, run on the examples, removed.
bash scripts/package_test.sh

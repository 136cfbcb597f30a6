#!/usr/bin/env bash
# The main job: build mqttest and run the example suites against a private
# mosquitto that mqttest starts and stops itself (--local-broker: plain, TLS,
# password and WebSocket listeners, so the secure-broker examples run too).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF  # the demo needs no test binaries
exec build/mqttest run --local-broker testsuites/examples \
  --format junit --output-dir build/reports "$@"

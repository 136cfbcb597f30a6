#!/usr/bin/env bash
# Installs what is missing of mqttest's Debian 12 dependencies and builds it.
# Usage: scripts/setup.sh [--tests] BUILD_DIR [extra cmake args...]
#   without --tests: what building and running mqttest needs (the demo)
#   with --tests:    also what the tests and the package check need
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(  # build, link, and mosquitto and openssl for --local-broker
  build-essential cmake pkg-config
  libyaml-cpp-dev libpaho-mqttpp-dev libpaho-mqtt-dev libssl-dev libcli11-dev
  nlohmann-json3-dev libfmt-dev libpugixml-dev libre2-dev libvalijson-dev
  mosquitto openssl
)
if [ "${1:-}" = "--tests" ]; then
  shift
  with_tests=1
  packages+=(
    doctest-dev                 # unit and integration tests
    libxml2-utils               # xmllint: JUnit XSD check
    perl                        # prove: TAP report check
    chromium                    # renders the HTML report
    clang libclang-rt-14-dev    # libFuzzer
    dpkg-dev groff-base man-db  # scripts/package_test.sh: cpack DEB, man page checks
    ccache                      # rebuilds and fresh clones reuse compiled objects
    rabbitmq-server ejabberd nodejs jq  # real brokers (scripts/brokers/broker.sh), label brokers
  )
  # Debian's npm; a nodejs from elsewhere (NodeSource) brings its own
  command -v npm >/dev/null || packages+=(npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# aedes for the real-broker tests, installed from the checked-in lock file
# into the source tree (tests/brokers/aedes/node_modules, git-ignored).
if [ "${with_tests:-}" ] && [ ! -d tests/brokers/aedes/node_modules/aedes ]; then
  npm ci --prefix tests/brokers/aedes --no-audit --no-fund >/dev/null
fi
# The package starts a system-wide mosquitto on port 1883; mqttest never needs it.
build_dir=$1; shift
source scripts/ccache_env.sh
cmake -S . -B "$build_dir" "${ccache_launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

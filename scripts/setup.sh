#!/usr/bin/env bash
# Installs mqttest's Debian 12 dependencies (only when missing) and builds it.
# Usage: scripts/setup.sh BUILD_DIR [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  libyaml-cpp-dev libpaho-mqttpp-dev libpaho-mqtt-dev libssl-dev libcli11-dev
  nlohmann-json3-dev doctest-dev libfmt-dev libpugixml-dev libre2-dev libvalijson-dev
  mosquitto mosquitto-clients libxml2-utils python3 perl chromium
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer
)
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
# The package starts a system-wide mosquitto on port 1883; mqttest never needs it.
build_dir=$1; shift
cmake -S . -B "$build_dir" "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

#!/usr/bin/env bash
# CI: builds the Release .deb, checks its metadata and contents, installs it
# with apt-get, runs the example suites with the installed mqttest (as the
# demo does) and removes the package again, leaving the machine as it was.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
build=build/package

fail() { echo "package_test: $*" >&2; exit 1; }

if dpkg-query -W -f='${Status}' mqttest 2>/dev/null | grep -q "install ok installed"; then
  fail "a mqttest package is installed already; this check installs and removes its own"
fi

scripts/setup.sh --tests "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF

# The man page renders without a warning.
warnings=$(groff -man -ww -z docs/mqttest.1 2>&1)
[ -z "$warnings" ] || fail "docs/mqttest.1: groff warns:"$'\n'"$warnings"
rm -f "$build"/mqttest_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
debs=("$build"/mqttest_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one $build/mqttest_*.deb"
deb=$(realpath "${debs[0]}")
echo "package: $deb"

info=$(dpkg-deb -I "$deb")
echo "$info" | grep -qE '^ Depends:.*libpaho-mqttpp3' || fail "Depends does not name libpaho-mqttpp3"$'\n'"$info"
echo "$info" | grep -qE '^ Depends:.*libpaho-mqtt1' || fail "Depends does not name libpaho-mqtt1.3"$'\n'"$info"
echo "$info" | grep -qE '^ Recommends:.*mosquitto' || fail "Recommends does not name mosquitto"
echo "$info" | grep -E '^ (Package|Version|Architecture|Depends|Recommends):'

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
expected=(./usr/bin/mqttest ./usr/share/man/man1/mqttest.1.gz
          ./usr/share/mqttest/schemas/testsuite.schema.json
          ./usr/share/mqttest/schemas/report.schema.json
          ./usr/share/mqttest/schemas/probe.schema.json)
while IFS= read -r file; do  # every file under testsuites/
  expected+=("./usr/share/mqttest/$file")
done < <(git ls-files testsuites)
for file in "${expected[@]}"; do
  grep -qxF "$file" <<<"$contents" || fail "$file is not in the package"
done
echo "contents: the binary, the man page, ${#expected[@]} files in all"

work=$(mktemp -d)
installed=0
cleanup() {
  if ((installed)); then
    DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -qq mqttest >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# No path of the build machine in the shipped binary.
dpkg-deb -x "$deb" "$work/root"
count=$(strings "$work/root/usr/bin/mqttest" | grep -cF "$source_dir" || true)
[ "$count" -eq 0 ] || fail "the binary names $source_dir $count times"

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
installed=1
[ "$(command -v mqttest)" = /usr/bin/mqttest ] || fail "mqttest is not /usr/bin/mqttest"
[ "$(man -w mqttest)" = /usr/share/man/man1/mqttest.1.gz ] || fail "man -w mqttest: $(man -w mqttest)"
mqttest --version

# The demo's run, with the installed files; from an empty folder so that
# nothing is written into the checkout.
status=0
(cd "$work" && mqttest run --local-broker /usr/share/mqttest/testsuites/examples) \
  >"$work/run.log" 2>&1 || status=$?
tail -n 1 "$work/run.log"
[ "$status" -eq 0 ] || { cat "$work/run.log"; fail "the installed mqttest exited $status"; }
echo "package_test: ok"

#!/usr/bin/env bash
# Soak test (not part of ctest or CI's default run; see README "Soak test").
# Against a private mosquitto on a free loopback port, one mqttest process:
#   steps     SOAK_STEPS publisher steps (default 100000) in one run;
#   restarts  a persistent QoS 1 flow for SOAK_SECONDS (default 3600) while
#             the broker is restarted every SOAK_RESTART_SECONDS (default 60):
#             each round publishes its number at QoS 1 while the subscriber's
#             persistent session is offline, then reads it back (retrying
#             through restarts, duplicates allowed); a round that never gets
#             its message fails, so no failed round = no message lost.
# While each runs, the RSS and open descriptors of the mqttest process are
# sampled every SOAK_SAMPLE_SECONDS (default 2) into $SOAK_DIR/<part>.csv.
# It fails when the least number of descriptors (they come and go within a
# step) grows by more than SOAK_MAX_FD_GROWTH (default 2)
# or RSS by more than SOAK_MAX_RSS_BYTES_PER_STEP (default 8192) per step
# between the first sample after a tenth of the run and the last one: the
# run keeps every step's report until it ends (reports are written from
# them), about 3.5 KB a step in the ASan build, so RSS is not flat by design; a leak of a
# client, a thread or a payload per step is well above that.
#
# Usage: scripts/soak.sh [steps|restarts|all]   (default: all)
#   MQTTEST=path      the binary (default build/ci/mqttest; an ASan build
#                     runs with a small quarantine and leak detection on)
#   SOAK_DIR=dir      keep samples, suites and reports there (default: a
#                     temp dir, removed unless the soak fails)
# Needs mosquitto and python3 (reads the JSON report).
set -euo pipefail
cd "$(dirname "$0")/.."
part=${1:-all}
mqttest=$(realpath "${MQTTEST:-build/ci/mqttest}")
steps=${SOAK_STEPS:-100000}
seconds=${SOAK_SECONDS:-3600}
restart_every=${SOAK_RESTART_SECONDS:-60}
sample_every=${SOAK_SAMPLE_SECONDS:-2}
max_fd_growth=${SOAK_MAX_FD_GROWTH:-2}
max_rss_per_step=${SOAK_MAX_RSS_BYTES_PER_STEP:-8192}
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8:detect_leaks=1}

[ -x "$mqttest" ] || { echo "soak: no mqttest binary at $mqttest (set MQTTEST)"; exit 2; }
command -v mosquitto >/dev/null || { echo "soak: mosquitto is not installed"; exit 2; }
command -v python3 >/dev/null || { echo "soak: python3 is not installed"; exit 2; }

keep=${SOAK_DIR:+1}
dir=${SOAK_DIR:-$(mktemp -d -t mqttest-soak-XXXXXX)}
mkdir -p "$dir"
broker_pid=
mqttest_pid=
cleanup() {
  [ -n "$mqttest_pid" ] && kill "$mqttest_pid" 2>/dev/null || true
  stop_broker
  if [ -z "$keep" ] && [ "${failed:-0}" = 0 ]; then rm -rf "$dir"; else echo "soak: files in $dir"; fi
}
trap cleanup EXIT

# A free loopback port: one nobody answers on.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "soak: no free port" >&2
  exit 2
}

port=$(free_port)
cat >"$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
user root
persistence true
persistence_location $dir/
max_queued_messages 0
EOF

start_broker() {
  mosquitto -c "$dir/mosquitto.conf" >>"$dir/mosquitto.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    sleep 0.05
  done
  echo "soak: mosquitto did not start (see $dir/mosquitto.log)"
  exit 2
}

# SIGTERM: mosquitto writes its persistence file (queued QoS 1 messages) on the way out.
stop_broker() {
  [ -n "$broker_pid" ] || return 0
  kill -TERM "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=
}

# Samples "seconds,rss_kb,fds" of $mqttest_pid into $1 until it exits.
sample() {
  local out=$1 start=$SECONDS
  echo "seconds,rss_kb,fds" >"$out"
  while kill -0 "$mqttest_pid" 2>/dev/null; do
    local rss fds
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$mqttest_pid/status" 2>/dev/null) || break
    fds=$(ls "/proc/$mqttest_pid/fd" 2>/dev/null | wc -l) || break
    [ -n "$rss" ] && echo "$((SECONDS - start)),$rss,$fds" >>"$out"
    sleep "$sample_every"
  done
}

# Judges the samples of a run of $2 steps; prints the figures.
judge() {
  python3 - "$1" "$2" "$max_fd_growth" "$max_rss_per_step" <<'EOF'
import csv, sys
path, steps, max_fds, max_per_step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
rows = [(int(r["seconds"]), int(r["rss_kb"]), int(r["fds"])) for r in csv.DictReader(open(path))]
if len(rows) < 5:
    print(f"  too few samples ({len(rows)}): run longer"); sys.exit(1)
first = rows[max(2, len(rows) // 10)]  # past start-up (an ASan build maps ~90 MB first)
last = rows[-1]
rss_growth = (last[1] - first[1]) * 1024
per_step = rss_growth / max(1, steps * (last[0] - first[0]) / max(1, last[0]))
# Descriptors come and go within a step (the MQTT socket, an exec's pipes):
# a leak raises the floor, so compare the least of the first and last quarters.
steady = rows[rows.index(first):]
quarter = max(1, len(steady) // 4)
fds = [r[2] for r in steady]
fd_growth = min(fds[-quarter:]) - min(fds[:quarter])
print(f"  samples {len(rows)} over {last[0]} s; RSS {rows[0][1] // 1024} MB at start, "
      f"{first[1] // 1024} MB at {first[0]} s, {last[1] // 1024} MB at the end "
      f"(max {max(r[1] for r in rows) // 1024} MB): {per_step:.0f} bytes a step")
print(f"  descriptors: {min(fds)} to {max(fds)}; least in the first quarter {min(fds[:quarter])}, "
      f"in the last {min(fds[-quarter:])}")
ok = per_step <= max_per_step and fd_growth <= max_fds
if not ok: print("  FAIL: RSS or descriptors grew beyond the margin")
sys.exit(0 if ok else 1)
EOF
}

soak_steps() {
  echo "soak steps: $steps publisher steps in one process (broker 127.0.0.1:$port)"
  cat >"$dir/steps.yml" <<EOF
name: soak steps
testcases:
- name: many steps
  steps:
  - type: mqtt
    range: $steps
    addrs: tcp://127.0.0.1:$port
    clientType: publisher
    messages:
    - {topic: "soak/steps/{{.index}}", payload: "step {{.index}}", qos: 1}
EOF
  local start=$SECONDS status=0
  "$mqttest" run "$dir/steps.yml" -q >"$dir/steps.out" 2>&1 &
  mqttest_pid=$!
  sample "$dir/steps.csv"
  wait "$mqttest_pid" || status=$?
  mqttest_pid=
  echo "  exit $status after $((SECONDS - start)) s: $(tail -n 1 "$dir/steps.out")"
  [ "$status" = 0 ] || { tail -n 20 "$dir/steps.out"; return 1; }
  judge "$dir/steps.csv" "$steps"
}

soak_restarts() {
  local rounds=$((seconds * 40))  # more than can run (about 10 a second); stopped at the end
  echo "soak restarts: a persistent QoS 1 flow for $seconds s, broker restarted every" \
    "$restart_every s (127.0.0.1:$port)"
  mkdir -p "$dir/restarts/lib"
  cat >"$dir/restarts/lib/soak_round.yml" <<'EOF'
executor: soak_round
input:
  addrs: {}
  n: {}
steps:
- type: exec                # paces the rounds: the run keeps every round's report
  script: sleep 0.05
- type: mqtt
  addrs: "{{.input.addrs}}"
  clientType: publisher
  clientId: soak-writer
  retry: 100
  delay: 0.2
  messages:
  - {topic: soak/queue, payload: "{{.input.n}}", qos: 1}
- type: mqtt
  addrs: "{{.input.addrs}}"
  clientType: subscriber
  clientId: soak-reader
  topics: [soak/queue]
  persistSubscription: true
  qos: 1
  messageLimit: 1
  timeout: 2000
  retry: 100
  delay: 0.2
  assertions:
  - result.messages.messages0 ShouldEqual "{{.input.n}}"
EOF
  cat >"$dir/restarts/restarts.yml" <<EOF
name: soak restarts
testcases:
- name: register the persistent session
  steps:
  - type: mqtt
    addrs: tcp://127.0.0.1:$port
    clientType: persistent_queue
    clientId: soak-reader
    topics: [soak/queue]
    persistSubscription: true
    qos: 1
- name: rounds
  steps:
  - type: soak_round
    range: $rounds
    addrs: tcp://127.0.0.1:$port
    n: "round {{.index}}"
EOF
  local start=$SECONDS status=0 restarts=0
  "$mqttest" run "$dir/restarts/restarts.yml" -q --format json --output-dir "$dir/restarts" \
    >"$dir/restarts.out" 2>&1 &
  mqttest_pid=$!
  sample "$dir/restarts.csv" &
  local sampler=$!
  local next=$((SECONDS + restart_every))
  while ((SECONDS - start < seconds)) && kill -0 "$mqttest_pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next)); then
      stop_broker
      start_broker
      restarts=$((restarts + 1))
      next=$((SECONDS + restart_every))
    fi
  done
  kill -INT "$mqttest_pid" 2>/dev/null || true
  wait "$mqttest_pid" || status=$?
  mqttest_pid=
  wait "$sampler" || true
  echo "  exit $status after $((SECONDS - start)) s, $restarts broker restarts"
  [ "$status" = 130 ] || { echo "  FAIL: the run ended before it was stopped"; tail -n 20 "$dir/restarts.out"; return 1; }
  python3 - "$dir/restarts/mqttest-report.json" <<'EOF' || return 1
import json, sys
report = json.load(open(sys.argv[1]))
steps = report["suites"][0]["cases"][1]["steps"] if len(report["suites"][0]["cases"]) > 1 else []
done = [s for s in steps if s["passed"]]
lost = [s for s in steps if not s["passed"] and "interrupted" not in s["error"]]
retried = sum(1 for s in steps if s["tries"] > 1)
print(f"  rounds: {len(done)} passed (each one QoS 1 message through the persistent session), "
      f"{len(lost)} failed, {retried} needed more than one try")
for s in lost[:5]:
    print(f"  FAIL: round {s['iteration']}: {s['error'] or [a['actual'] for a in s['assertions'] if not a['passed']]}")
sys.exit(1 if lost or not done else 0)
EOF
  # Steps run: the registration, then three a round (sleep, publish, read).
  judge "$dir/restarts.csv" "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["suites"][0]["cases"]; print(1 + 3 * (len(c[1]["steps"]) if len(c) > 1 else 0))' "$dir/restarts/mqttest-report.json")"
}

start_broker
failed=0
case $part in
  steps) soak_steps || failed=1 ;;
  restarts) soak_restarts || failed=1 ;;
  all)
    soak_steps || failed=1
    soak_restarts || failed=1
    ;;
  *) echo "usage: scripts/soak.sh [steps|restarts|all]"; exit 2 ;;
esac
((failed == 0)) && echo "soak: ok" || echo "soak: FAILED"
exit "$failed"

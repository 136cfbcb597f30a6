#!/usr/bin/env bash
# Times mqttest against mosquitto's own clients, interleaved, on a private
# mosquitto. Usage: bench/run.sh   (env: MQTTEST, BENCH_N; see bench/README.md)
set -uo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.' separator

MQTTEST=${MQTTEST:-build/mqttest}
N=${BENCH_N:-20}
VOLUME_N=${BENCH_VOLUME_N:-3}      # samples per side of the volume cases
VOLUME_COUNT=${BENCH_VOLUME_COUNT:-100000} # messages of drain and lines_qos*
SUITE_CASES=${BENCH_SUITE_CASES:-10000}    # suite_load/suite_run: full size
JOBS_SUITES=4 JOBS_CASES=${BENCH_JOBS_CASES:-500}
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
payload='{"c":1}'

work=""
broker_pid=""
watcher_pid=""
port=""
failed=0

die() {
  echo "bench: $*" >&2
  exit 1
}

probe() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

stop_pid() { # $1: pid of a child of this shell
  kill -TERM "$1" 2>/dev/null || return 0
  # mosquitto blocks signals while it sleeps in epoll_wait; a connection wakes it.
  probe
  wait "$1" 2>/dev/null
}

cleanup() {
  [[ -n $watcher_pid ]] && stop_pid "$watcher_pid"
  [[ -n $broker_pid ]] && stop_pid "$broker_pid"
  [[ -n $work ]] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_tools() {
  [[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_N must be a positive integer, got '$N'"
  [[ -x $MQTTEST ]] || die "mqttest binary not found at $MQTTEST (set MQTTEST=...)"
  MOSQUITTO=$(command -v mosquitto || true)
  for candidate in /usr/sbin/mosquitto /usr/local/sbin/mosquitto; do
    [[ -z $MOSQUITTO && -x $candidate ]] && MOSQUITTO=$candidate
  done
  [[ -n $MOSQUITTO ]] || die "mosquitto not found (install it: apt-get install -y mosquitto)"
  local tool
  for tool in mosquitto_pub mosquitto_sub python3; do
    command -v "$tool" >/dev/null || die "$tool not found"
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_broker() {
  local attempt deadline
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    {
      echo "listener $port 127.0.0.1"
      echo "allow_anonymous true"
      echo "set_tcp_nodelay true"   # as mqttest --local-broker does
      echo "max_queued_messages 2000000" # drain: a whole queue for an offline session
      echo "queue_qos0_messages true"    # (filled with QoS 0, as in issue 11)
      [[ $EUID -eq 0 ]] && echo "user root"
      echo "log_dest file $work/mosquitto.log"
      echo "log_type error warning notice"
    } >"$work/mosquitto.conf"
    "$MOSQUITTO" -c "$work/mosquitto.conf" </dev/null >/dev/null 2>"$work/mosquitto.stderr" &
    broker_pid=$!
    deadline=$((${EPOCHREALTIME/./} + 5000000))
    while ((${EPOCHREALTIME/./} < deadline)) && kill -0 "$broker_pid" 2>/dev/null; do
      probe && return 0
      sleep 0.002
    done
    stop_pid "$broker_pid"
    broker_pid=""
    grep -q "Address already in use" "$work/mosquitto.log" 2>/dev/null || break
  done
  die "mosquitto did not start on 127.0.0.1:$port: $(tail -n 5 "$work/mosquitto.stderr" "$work/mosquitto.log" 2>/dev/null)"
}

# --- one timed sample: elapsed µs of "$@" appended to $work/$case.$side -----
# Output goes to $work/out; the caller validates it after timing stops.
timed() {
  local file=$1
  shift
  local t0=${EPOCHREALTIME/./}
  "$@" >"$work/out" 2>"$work/err"
  local rc=$? t1=${EPOCHREALTIME/./}
  echo $((t1 - t0)) >>"$file"
  return $rc
}

# Volume cases run few samples (BENCH_VOLUME_N) and also record the peak RSS
# of the sample's largest process (getrusage RUSAGE_CHILDREN) in $file.rss, in
# KB. The side function runs in a child bash (exported functions), and the
# time is taken around it by python, so python's start-up is not counted.
declare -A volume_case=()
timed_rss() {
  local file=$1
  shift
  python3 - "$file" "$@" >"$work/out" 2>"$work/err" <<'PY'
import os, resource, subprocess, sys, time
file, command = sys.argv[1], sys.argv[2:]
t0 = time.monotonic_ns()
rc = subprocess.call(["bash", "-c", '"$@"', "bench"] + command, stdin=subprocess.DEVNULL)
t1 = time.monotonic_ns()
with open(file, "a") as f:
    f.write(f"{(t1 - t0) // 1000}\n")
with open(file + ".rss", "a") as f:
    f.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
sys.exit(rc)
PY
}

# --- the cases: <case>_mqttest RUN and <case>_mosquitto RUN do the same work -
# persistent_flow: the 4-step persistent-queue flow of venom-mqtt.md
persistent_flow_mqttest() {
  "$MQTTEST" run "$bench_dir/persistent_flow.yml" --var "addrs=tcp://127.0.0.1:$port" --var "run=$1"
}

persistent_flow_mosquitto() {
  local id="bench-$1" topic="bench/queue/$1"
  mosquitto_sub -p "$port" -c -i "$id" -q 1 -t "$topic" -E &&
    mosquitto_pub -p "$port" -i "$id-pub" -q 1 -t "$topic" -m "$payload" &&
    mosquitto_sub -p "$port" -c -i "$id" -q 1 -t "$topic" -C 1 -W 5 &&
    mosquitto_sub -p "$port" -i "$id" -q 1 -t "$topic" -E
}

# pub: one QoS 1 publish
pub_mqttest() { "$MQTTEST" pub --addrs "tcp://127.0.0.1:$port" -q 1 -t "bench/pub/$1" -m "$payload"; }
pub_mosquitto() { mosquitto_pub -p "$port" -q 1 -t "bench/pub/$1" -m "$payload"; }

# sub_retained: read one retained message
sub_retained_mqttest() { "$MQTTEST" sub --addrs "tcp://127.0.0.1:$port" -t bench/retained -C 1 -W 5000; }
sub_retained_mosquitto() { mosquitto_sub -p "$port" -t bench/retained -C 1 -W 5; }

# startup: start and exit, no MQTT (what every one-shot command pays first)
startup_mqttest() { "$MQTTEST" --version; }
# (mosquitto_pub --version exits 1; the validator checks what it printed)
startup_mosquitto() { mosquitto_pub --version; (($? == 1)); }

# paho_floor: an empty C++ program that only loads Paho C++ (and with it
# libstdc++, Paho C and OpenSSL): the least any Paho-based tool can take.
paho_floor_mqttest() { "$work/paho_floor"; }
paho_floor_mosquitto() { startup_mosquitto; }

build_paho_floor() {
  echo 'int main() { return 0; }' >"$work/paho_floor.cpp"
  c++ -O2 "$work/paho_floor.cpp" -o "$work/paho_floor" -Wl,--no-as-needed -lpaho-mqttpp3 \
    2>"$work/paho_floor.err"
}

# --- volume cases (issue 11): many messages, big payloads, big suites ---------
# drain: read VOLUME_COUNT queued QoS 1 messages (~40-byte JSON) from a
# persistent session. prepare registers the session and, while it is offline,
# fills its queue with mosquitto_pub -l -q 0 (untimed).
drain_prepare() {
  local id="drain-$1" topic="bench/drain/$1"
  mosquitto_sub -p "$port" -c -i "$id" -q 1 -t "$topic" -E &&
    mosquitto_pub -p "$port" -l -q 0 -t "$topic" <"$work/lines"
}
drain_mqttest() {
  "$MQTTEST" sub --addrs "tcp://127.0.0.1:$port" --persist -i "drain-$1" -q 1 -t "bench/drain/$1" \
    -C "$VOLUME_COUNT" -W 120000 ${DRAIN_FLAGS:-}
}
drain_mosquitto() {
  mosquitto_sub -p "$port" -c -i "drain-$1" -q 1 -t "bench/drain/$1" -C "$VOLUME_COUNT" -W 120
}
valid_drained_mqttest() {
  if [[ -n ${DRAIN_FLAGS:-} ]]; then # --stream: one line per message, then the result
    (($(wc -l <"$work/out") >= VOLUME_COUNT))
  else
    grep -q "\"received\":$VOLUME_COUNT[,}]" "$work/out"
  fi
}
valid_drained_mosquitto() { (($(wc -l <"$work/out") == VOLUME_COUNT)); }

# pub_10mb: one 10 MB QoS 1 message
pub_10mb_mqttest() { "$MQTTEST" pub --addrs "tcp://127.0.0.1:$port" -q 1 -t "bench/big/$1" -f "$work/big"; }
pub_10mb_mosquitto() { mosquitto_pub -p "$port" -q 1 -t "bench/big/$1" -f "$work/big"; }

# lines_qos0/1: VOLUME_COUNT messages, one per stdin line (mosquitto_pub -l);
# a watcher subscribed to bench/lines/# must see every one of them.
lines_mqttest() { "$MQTTEST" pub --addrs "tcp://127.0.0.1:$port" -q "$2" -t "bench/lines/$1" -l <"$work/lines"; }
lines_mosquitto() { mosquitto_pub -p "$port" -q "$2" -t "bench/lines/$1" -l <"$work/lines"; }
lines_qos0_mqttest() { lines_mqttest "$1" 0; }
lines_qos0_mosquitto() { lines_mosquitto "$1" 0; }
lines_qos1_mqttest() { lines_mqttest "$1" 1; }
lines_qos1_mosquitto() { lines_mosquitto "$1" 1; }
lines_prepare() { # the watcher: one line per message, counted by the validator
  : >"$work/watched"
  # QoS 0: at QoS 1 mosquitto holds 20 in flight to the watcher, and 100,000
  # messages then take longer to reach it than to publish.
  mosquitto_sub -p "$port" -q 0 -t "bench/lines/$1" -t "bench/lines/ready-$1" -v >"$work/watched" 2>/dev/null &
  watcher_pid=$!
  local deadline=$((${EPOCHREALTIME/./} + 5000000))
  until grep -q "^bench/lines/ready-$1" "$work/watched" 2>/dev/null; do
    ((${EPOCHREALTIME/./} < deadline)) || return 1
    mosquitto_pub -p "$port" -q 1 -t "bench/lines/ready-$1" -m x
    sleep 0.01
  done
  watched_topic="bench/lines/$1"
}
lines_qos0_prepare() { lines_prepare "$@"; }
lines_qos1_prepare() { lines_prepare "$@"; }
valid_lines_seen() {
  local deadline=$((${EPOCHREALTIME/./} + 60000000)) got=0
  while :; do
    got=$(grep -c "^$watched_topic " "$work/watched")
    ((got >= VOLUME_COUNT)) && break
    ((${EPOCHREALTIME/./} < deadline)) || break
    sleep 0.05
  done
  stop_pid "$watcher_pid"
  watcher_pid=""
  ((got == VOLUME_COUNT)) || {
    echo "bench: the watcher saw $got of $VOLUME_COUNT messages on $watched_topic" >&2
    return 1
  }
}

# suite_load: validate a suite of SUITE_CASES cases against one of half as
# many: a ratio of 2.0 is linear. suite_run: run them (a publish and an
# assertion per case), same comparison.
suite_load_mqttest() { "$MQTTEST" validate "$work/suite_full.yml"; }
suite_load_mosquitto() { "$MQTTEST" validate "$work/suite_half.yml"; }
suite_run_mqttest() { "$MQTTEST" run "$work/suite_full.yml" --var "addrs=tcp://127.0.0.1:$port"; }
suite_run_mosquitto() { "$MQTTEST" run "$work/suite_half.yml" --var "addrs=tcp://127.0.0.1:$port"; }
# jobs: JOBS_SUITES suites of equal work, --jobs 2 against --jobs 1.
jobs_mqttest() { "$MQTTEST" run --jobs 2 "$work"/jobs/*.yml --var "addrs=tcp://127.0.0.1:$port"; }
jobs_mosquitto() { "$MQTTEST" run --jobs 1 "$work"/jobs/*.yml --var "addrs=tcp://127.0.0.1:$port"; }

write_suite() { # file cases
  python3 - "$1" "$2" <<'PY'
import sys
path, cases = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("name: bench volume\nvars:\n  addrs: 'tcp://127.0.0.1:1883'\ntestcases:\n")
    for i in range(cases):
        f.write(f"""- name: case {i}
  steps:
  - type: mqtt
    addrs: "{{{{.addrs}}}}"
    clientType: publisher
    messages:
    - topic: "bench/suite/{i}"
      payload: '{{"case":{i},"v":21.5}}'
      qos: 1
    assertions:
    - result.published ShouldEqual 1
""")
PY
}

prepare_volume_inputs() {
  python3 - "$work" "$VOLUME_COUNT" <<'PY'
import sys, os
work, count = sys.argv[1], int(sys.argv[2])
with open(f"{work}/lines", "w") as f:  # ~40-byte JSON per line
    for i in range(count):
        f.write(f'{{"id":{i:07d},"sensor":"temp-1","v":21.5}}\n')
with open(f"{work}/big", "wb") as f:  # 10 MB, not compressible
    f.write(os.urandom(10 * 1024 * 1024))
PY
  write_suite "$work/suite_full.yml" "$SUITE_CASES"
  write_suite "$work/suite_half.yml" $((SUITE_CASES / 2))
  mkdir -p "$work/jobs"
  local i
  for ((i = 1; i <= JOBS_SUITES; i++)); do write_suite "$work/jobs/s$i.yml" "$JOBS_CASES"; done
}

# validators of one sample's output ($work/out); the exit status is checked too
valid_exit_only() { true; }
valid_one_payload() { [[ $(cat "$work/out") == "$payload" ]]; }
valid_mentions_topic() { grep -q 'bench/retained' "$work/out"; }
valid_version() { grep -q '^mosquitto_pub version' "$work/out"; }

# Runs N interleaved pairs of case $1: "$1_mqttest RUN" vs "$1_mosquitto RUN".
# The side that goes first alternates, so drift and ordering hit both alike.
# $2, $3: validators for the mqttest and mosquitto sides.
run_case() {
  local name=$1 i side order
  local -A check=([mqttest]=$2 [mosquitto]=$3)
  local n=$N
  [[ -n ${volume_case[$name]:-} ]] && n=$VOLUME_N
  : >"$work/$name.mqttest"
  : >"$work/$name.mosquitto"
  # warm-up, untimed but validated (volume cases take seconds: none)
  for side in mqttest mosquitto; do
    [[ -n ${volume_case[$name]:-} ]] && break
    run_one "$name" "$side" "w$$-$side" /dev/null "${check[$side]}" || return 1
  done
  for ((i = 1; i <= n; i++)); do
    order="mqttest mosquitto"
    ((i % 2 == 0)) && order="mosquitto mqttest"
    for side in $order; do
      run_one "$name" "$side" "r$$-$i-$side" "$work/$name.$side" "${check[$side]}" || return 1
    done
  done
}

run_one() { # case side run-id timings-file validator
  local name=$1 side=$2 run=$3 file=$4 check=$5
  if declare -F "${name}_prepare" >/dev/null && ! "${name}_prepare" "$run" "$side"; then
    echo "bench: $name: preparing run $run failed" >&2
    return 1
  fi
  local timer=timed
  [[ -n ${volume_case[$name]:-} ]] && timer=timed_rss
  if ! "$timer" "$file" "${name}_$side" "$run" || ! "$check"; then
    echo "bench: $name/$side run $run failed:" >&2
    tail -n 20 "$work/out" "$work/err" >&2
    return 1
  fi
}

# A subscriber that sees every publish of case pub, to prove they arrived.
start_watcher() {
  mosquitto_sub -p "$port" -q 1 -t 'bench/pub/#' -v >"$work/watched" 2>/dev/null &
  watcher_pid=$!
  local deadline=$((${EPOCHREALTIME/./} + 5000000))
  # the watcher is subscribed once a probe message comes back through it
  until grep -q '^bench/pub/ready' "$work/watched" 2>/dev/null; do
    ((${EPOCHREALTIME/./} < deadline)) || die "watcher subscriber did not start"
    mosquitto_pub -p "$port" -q 1 -t bench/pub/ready -m x
    sleep 0.01
  done
}

all_publishes_arrived() {
  local expected=$((2 * (N + 1))) deadline=$((${EPOCHREALTIME/./} + 5000000)) got
  while :; do
    # one line per publish, each on its own topic (run ids are unique)
    got=$(grep -v '^bench/pub/ready' "$work/watched" | cut -d' ' -f1 | sort -u | wc -l)
    ((got >= expected)) && break
    ((${EPOCHREALTIME/./} < deadline)) || break
    sleep 0.01
  done
  stop_pid "$watcher_pid"
  watcher_pid=""
  ((got == expected)) || {
    echo "bench: pub: the watcher saw $got of $expected publishes" >&2
    return 1
  }
}

# `mqttest X --help` exits 0 even for an unknown X (CLI11 prints the main help).
has_subcommand() { "$MQTTEST" "$1" --help 2>/dev/null | grep -q "^Usage: .* $1 "; }

record() { # case outcome
  echo "$1 $2" >>"$work/outcomes"
}

measure() { # case mqttest-validator mosquitto-validator [final-check]
  if run_case "$1" "$2" "$3" && "${4:-true}"; then
    record "$1" ok
  else
    record "$1" FAILED
    failed=1
  fi
}

summarise() {
  python3 - "$work" <<'PY'
import statistics, sys, pathlib
work = pathlib.Path(sys.argv[1])
def ms(side, case):
    f = work / f"{case}.{side}"
    return [int(x) / 1000 for x in f.read_text().split()] if f.exists() else []
rows = [l.split(" ", 1) for l in (work / "outcomes").read_text().splitlines()]
print(f"{'case':<18} {'mqttest ms':>11} {'mosquitto ms':>13} {'ratio':>7}   {'mqttest min/max':>16}   {'mosquitto min/max':>18}")
for case, outcome in rows:
    if outcome != "ok":
        print(f"{case:<18} {outcome}")
        continue
    a, b = ms("mqttest", case), ms("mosquitto", case)
    ma, mb = statistics.median(a), statistics.median(b)
    line = f"{case:<18} {ma:>11.1f} {mb:>13.1f} {ma / mb:>7.2f}   {min(a):>7.1f}/{max(a):<8.1f}   {min(b):>8.1f}/{max(b):<9.1f}"
    rss = [work / f"{case}.{side}.rss" for side in ("mqttest", "mosquitto")]
    if all(f.exists() for f in rss):
        ra, rb = (max(int(x) for x in f.read_text().split()) / 1024 for f in rss)
        line += f"   RSS {ra:.1f} MB / {rb:.1f} MB"
    print(line)
PY
}

has_flag() { "$MQTTEST" "$1" --help 2>/dev/null | grep -q -- "$2"; }

# The volume rows of issue 11. Each side runs in a child bash: export what
# the case functions use.
volume_cases() {
  export MQTTEST port work VOLUME_COUNT
  export -f drain_mqttest drain_mosquitto pub_10mb_mqttest pub_10mb_mosquitto \
    lines_mqttest lines_mosquitto lines_qos0_mqttest lines_qos0_mosquitto \
    lines_qos1_mqttest lines_qos1_mosquitto suite_load_mqttest suite_load_mosquitto \
    suite_run_mqttest suite_run_mosquitto jobs_mqttest jobs_mosquitto
  local name
  for name in drain drain_stream pub_10mb lines_qos0 lines_qos1 suite_load suite_run jobs; do
    volume_case[$name]=1
  done
  echo "bench: volume inputs: $VOLUME_COUNT lines, 10 MB payload, suites of $SUITE_CASES cases"
  prepare_volume_inputs || die "cannot write the volume inputs"

  measure drain valid_drained_mqttest valid_drained_mosquitto
  if has_flag sub --stream; then
    drain_stream_prepare() { drain_prepare "$@"; }
    drain_stream_mqttest() { DRAIN_FLAGS=--stream drain_mqttest "$@"; }
    drain_stream_mosquitto() { drain_mosquitto "$@"; }
    valid_drained_stream() { DRAIN_FLAGS=--stream valid_drained_mqttest; }
    export -f drain_stream_mqttest drain_stream_mosquitto
    measure drain_stream valid_drained_stream valid_drained_mosquitto
  else
    record drain_stream "skipped: mqttest sub has no --stream"
  fi
  measure pub_10mb valid_exit_only valid_exit_only
  if has_flag pub -l,; then
    measure lines_qos0 valid_lines_seen valid_lines_seen
    measure lines_qos1 valid_lines_seen valid_lines_seen
  else
    record lines_qos0 "skipped: mqttest pub has no -l"
    record lines_qos1 "skipped: mqttest pub has no -l"
  fi
  measure suite_load valid_exit_only valid_exit_only
  measure suite_run valid_exit_only valid_exit_only
  measure jobs valid_exit_only valid_exit_only
}

main() {
  check_tools
  work=$(mktemp -d "${TMPDIR:-/tmp}/mqttest-bench-XXXXXX")
  : >"$work/outcomes"
  start_broker
  echo "bench: mosquitto $port (pid $broker_pid), N=$N, $MQTTEST"

  measure persistent_flow valid_exit_only valid_one_payload

  if ! has_subcommand pub; then
    record pub "skipped: mqttest pub not available"
  else
    start_watcher
    measure pub valid_exit_only valid_exit_only all_publishes_arrived
  fi

  if ! has_subcommand sub; then
    record sub_retained "skipped: mqttest sub not available"
  else
    mosquitto_pub -p "$port" -q 1 -r -t bench/retained -m "$payload" || die "cannot set the retained message"
    measure sub_retained valid_mentions_topic valid_one_payload
  fi

  measure startup valid_exit_only valid_version
  if build_paho_floor; then
    measure paho_floor valid_exit_only valid_version
  else
    record paho_floor "skipped: cannot build it: $(head -n 1 "$work/paho_floor.err")"
  fi

  if [[ ${BENCH_VOLUME:-1} != 0 ]]; then
    volume_cases
  fi

  summarise
  return $failed
}

main "$@"

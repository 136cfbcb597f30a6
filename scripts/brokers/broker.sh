#!/usr/bin/env bash
# Starts and stops a real MQTT broker for mqttest's tests: no systemd, no
# system-wide files, only loopback ports that were free a moment ago.
#
#   scripts/brokers/broker.sh start NAME DIR   prints the broker's URL (tcp://[user:password@]127.0.0.1:PORT)
#   scripts/brokers/broker.sh stop DIR         stops what `start` started there, by PID
#   scripts/brokers/broker.sh names            the brokers it knows
#
# NAME: mosquitto (Debian mosquitto 2.0), rabbitmq (Debian rabbitmq-server
# 3.10 with rabbitmq_mqtt), aedes (npm aedes 0.51 on node; run
# `npm ci --prefix tests/brokers/aedes` first), ejabberd (Debian ejabberd
# 23.01, mod_mqtt). For the kit's [MQTT-3.8.4-1] check, each refuses a
# subscription to kit-denied/1/2/3/4/5/6/7/8/9 where it can be made to:
# mosquitto and aedes deny kit-denied/#, ejabberd every filter deeper than
# its max_topic_depth (8 levels; an access_subscribe rule can only allow).
# DIR must exist and be empty; config, data, logs and the
# PID list (DIR/pids, stopped in reverse order) go there. The broker's own
# output is DIR/broker.log. `start` waits until the MQTT port accepts TCP
# (at most MQTTEST_BROKER_START_SECONDS, default 240) and, on failure,
# stops what it started and prints the log's tail.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { echo "broker.sh: $*" >&2; exit 1; }

free_port() {  # bound to port 0 on loopback, read, released
  perl -MIO::Socket::INET -e \
    'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0) or die "$!\n"; print $s->sockport, "\n"'
}

# Runs "$@" in the background in $dir with its output in broker.log; records its PID.
spawn() {
  (cd "$dir" && exec "$@" >>"$dir/broker.log" 2>&1 </dev/null) &
  echo $! >>"$dir/pids"
}

# mosquitto 2.0's acl_file grants a denied subscription (and then delivers
# nothing); its dynamic security plugin refuses it in the SUBACK.
start_mosquitto() {
  command -v mosquitto >/dev/null || die "mosquitto is not installed (apt-get install mosquitto)"
  local dynsec
  dynsec=$(ls /usr/lib/*/mosquitto_dynamic_security.so 2>/dev/null | head -1)
  [ -n "$dynsec" ] || die "mosquitto's dynamic security plugin is missing (apt-get install mosquitto)"
  cat >"$dir/dynsec.json" <<EOF
{"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true},
 "clients": [],
 "groups": [{"groupname": "anonymous", "roles": [{"rolename": "deny-subscribe"}]}],
 "roles": [{"rolename": "deny-subscribe",
            "acls": [{"acltype": "subscribePattern", "topic": "kit-denied/#", "allow": false}]}],
 "anonymousGroup": "anonymous"}
EOF
  cat >"$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
user root
plugin $dynsec
plugin_opt_config_file $dir/dynsec.json
EOF
  spawn mosquitto -c "$dir/mosquitto.conf"
}

# RabbitMQ runs its own Erlang node; epmd is started first on a free port
# (not the shared 4369) so that parallel runs never meet, and is stopped last.
start_rabbitmq() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || die "rabbitmq-server is not installed (apt-get install rabbitmq-server)"
  local epmd_port amqp_port dist_port
  epmd_port=$(free_port) amqp_port=$(free_port) dist_port=$(free_port)
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$amqp_port
mqtt.listeners.tcp.1 = 127.0.0.1:$port
mqtt.allow_anonymous = true
loopback_users = none
EOF
  echo '[rabbitmq_mqtt].' >"$dir/enabled_plugins"
  spawn env ERL_EPMD_ADDRESS=127.0.0.1 epmd -port "$epmd_port"
  export HOME=$dir ERL_EPMD_PORT=$epmd_port ERL_CRASH_DUMP=$dir/erl_crash.dump \
    RABBITMQ_NODENAME=mqttest$port@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$amqp_port RABBITMQ_DIST_PORT=$dist_port \
    RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins \
    RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_LOGS=- \
    RABBITMQ_PLUGINS_EXPAND_DIR=$dir/plugins RABBITMQ_PID_FILE=$dir/rabbitmq.pid \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  # The wrapper script stays the parent of beam.smp; beam's PID (its pid
  # file) is the one to stop, so it is recorded once it appears.
  spawn /usr/lib/rabbitmq/bin/rabbitmq-server
  beam_pid_file=$dir/rabbitmq.pid
}

# The guest user may read (subscribe to) every topic but kit-denied/...
# (routing keys have '.' for '/').
deny_rabbitmq_subscriptions() {
  /usr/lib/rabbitmq/bin/rabbitmqctl set_topic_permissions -p / guest amq.topic '.*' '^(?!kit-denied\.).*' \
    >>"$dir/broker.log" 2>&1 || {
    stop
    die "rabbitmqctl set_topic_permissions failed; the end of $dir/broker.log: $(tail -5 "$dir/broker.log")"
  }
}

start_aedes() {
  command -v node >/dev/null || die "node is not installed (apt-get install nodejs)"
  [ -d "$repo/tests/brokers/aedes/node_modules/aedes" ] ||
    die "aedes is not installed: run npm ci --prefix tests/brokers/aedes"
  spawn node "$repo/tests/brokers/aedes/broker.js" "$port"
}

# ejabberd runs in a plain Erlang VM without distribution (no node name, so
# no epmd), as root, with a generated config: one mod_mqtt listener,
# anonymous log-in, everything allowed. ejabberd 23.01 refuses a CONNECT
# without a password even so (not authorized; fixed upstream after 23.01),
# so its URL carries any user name and password: tcp://mqttest:mqttest@...
start_ejabberd() {
  [ -d /usr/lib/x86_64-linux-gnu/ejabberd-23.01 ] || ls -d /usr/lib/*/ejabberd-* >/dev/null 2>&1 ||
    die "ejabberd is not installed (apt-get install ejabberd)"
  mkdir -p "$dir/spool"
  cat >"$dir/ejabberd.yml" <<EOF
loglevel: warning
hosts: [localhost]
auth_method: [anonymous]
anonymous_protocol: login_anon
allow_multiple_connections: true
listen:
  - {port: $port, ip: "127.0.0.1", module: mod_mqtt, backlog: 1000}
acl:
  everyone: {user_regexp: ""}
access_rules:
  everyone: {allow: all}
modules:
  mod_mqtt: {}
EOF
  local libs
  libs=$(dirname "$(ls -d /usr/lib/*/ejabberd-* | head -1)")
  spawn env HOME="$dir" EJABBERD_CONFIG_PATH="$dir/ejabberd.yml" EJABBERD_LOG_PATH="$dir/ejabberd.log" \
    ERL_CRASH_DUMP="$dir/erl_crash.dump" ERL_LIBS="$libs" \
    erl -noshell -noinput +K true +P 250000 -mnesia dir "\"$dir/spool\"" -s ejabberd
}

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do  # 5 s, then SIGKILL
    kill -0 "$pid" 2>/dev/null || return 0
    # a child of ours that exited is a zombie until reaped; count it as gone
    [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  [ -f "$dir/pids" ] || return 0
  local pids
  mapfile -t pids < <(tac "$dir/pids")
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -f "$dir/pids"
}

wait_for_port() {
  local deadline=$((SECONDS + ${MQTTEST_BROKER_START_SECONDS:-240}))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    # a broker that died at start does not get the whole time
    local first
    first=$(tail -1 "$dir/pids")
    kill -0 "$first" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

case "${1:-}" in
names) echo mosquitto rabbitmq aedes ejabberd ;;
start)
  [ $# -eq 3 ] || die "usage: broker.sh start NAME DIR"
  name=$2 dir=$(cd "$3" && pwd) || die "no directory $3"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  port=$(free_port) beam_pid_file=
  case "$name" in
  mosquitto | rabbitmq | aedes | ejabberd) "start_$name" ;;
  *) die "unknown broker \"$name\" (known: mosquitto rabbitmq aedes ejabberd)" ;;
  esac
  if ! wait_for_port; then
    [ -n "$beam_pid_file" ] && [ -s "$beam_pid_file" ] && cat "$beam_pid_file" >>"$dir/pids" && echo >>"$dir/pids"
    stop
    echo "broker.sh: $name did not start listening on 127.0.0.1:$port; the end of $dir/broker.log:" >&2
    tail -20 "$dir/broker.log" >&2
    exit 1
  fi
  if [ -n "$beam_pid_file" ]; then
    # RabbitMQ writes its pid file early in boot, well before the MQTT listener
    echo "$(cat "$beam_pid_file")" >>"$dir/pids"
  fi
  if [ "$name" = rabbitmq ]; then deny_rabbitmq_subscriptions; fi
  credentials=
  [ "$name" = ejabberd ] && credentials=mqttest:mqttest@
  echo "tcp://${credentials}127.0.0.1:$port"
  ;;
stop)
  [ $# -eq 2 ] || die "usage: broker.sh stop DIR"
  dir=$2
  stop
  ;;
*) die "usage: broker.sh start NAME DIR | stop DIR | names" ;;
esac

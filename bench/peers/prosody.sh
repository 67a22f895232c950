#!/usr/bin/env bash
# Prosody (Debian's package) as a benchmark peer: prosody.sh start | provision N | accounts PREFIX N | stop
# Listens on 127.0.0.1:7222 only (STARTTLS required, EC P-256 self-signed certificate), domain grid.local,
# pubsub component pubsub.grid.local, SCRAM-SHA-256 stored hashed with 4096 iterations (as ejabberd 23.01),
# SQL storage on PostgreSQL (database prosody_bench, LuaDBI), no rate limits, offline storage on,
# notifications of type normal (Prosody 0.12's pubsub sends headline unless the node says otherwise:
# the benchmark configures each node with pubsub#notification_type=normal). Runtime files in
# $BENCH_PEERS_DIR (default /var/tmp/grid-bench/prosody); stopped by its PID.
set -euo pipefail
cmd=${1:?start|provision N|stop}
dir=${BENCH_PEERS_DIR:-/var/tmp/grid-bench}/prosody
port=${PROSODY_PORT:-7222}
db=prosody_bench
ctl() { prosodyctl --config "$dir/prosody.cfg.lua" "$@"; }
case $cmd in
  start)
    dpkg -s prosody lua-dbi-postgresql >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prosody lua-dbi-postgresql
    mkdir -p "$dir/data"
    if [ ! -f "$dir/cert.pem" ]; then
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=grid.local" \
        -addext "subjectAltName=DNS:grid.local,DNS:pubsub.grid.local" -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    fi
    # a new database, unless BENCH_KEEP_DB=1 and it exists (run.sh's cold start: the accounts made before the measured start)
    if [ "${BENCH_KEEP_DB:-}" != 1 ] || ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists $db" -c "create database $db" >/dev/null
    fi
    cat > "$dir/prosody.cfg.lua" <<CFG
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
daemonize = true
log = { warn = "$dir/prosody.log" }
interfaces = { "127.0.0.1" }
-- Prosody lets only administrators create pubsub nodes: the publisher is one (the controller gives it the trusted template)
admins = { "bench-pub@grid.local" }
c2s_ports = { $port }
c2s_direct_tls_ports = { }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }
c2s_require_encryption = true
authentication = "internal_hashed"
default_iteration_count = 4096
password_hash = "SHA-256"
storage = "sql"
sql = { driver = "PostgreSQL", database = "$db", username = "postgres", password = "", host = "127.0.0.1" }
limits = { c2s = { rate = "1000mb/s" } }
modules_enabled = { "roster", "saslauth", "tls", "disco", "ping", "offline", "smacks", "posix" }
modules_disabled = { "s2s" }
certificates = "$dir"
ssl = { certificate = "$dir/cert.pem", key = "$dir/key.pem" }
VirtualHost "grid.local"
Component "pubsub.grid.local" "pubsub"
  pubsub_max_items = 1000
CFG
    chown -R prosody:prosody "$dir"
    ctl start
    for _ in $(seq 30); do ss -ltnH "sport = :$port" | grep -q . && break; sleep 0.5; done
    echo "prosody: listening on 127.0.0.1:$port, pid $(cat "$dir/prosody.pid")"
    ;;
  provision)
    n=${2:-100}
    ctl register bench-pub grid.local bench-password-1 >/dev/null 2>&1 || true
    "$0" accounts bench-sub "$n"
    echo "prosody: bench-pub and $n subscribers provisioned"
    ;;
  accounts)
    # accounts PREFIX COUNT: PREFIX0..PREFIX<COUNT-1>, password bench-password-1. The first is registered by the
    # server itself; the others get a copy of its stored SCRAM credential (same password, salt and iteration
    # count) in one SQL statement, which takes seconds where registering one by one takes minutes.
    prefix=${2:?accounts PREFIX COUNT} count=${3:?accounts PREFIX COUNT} from=1
    ctl register "${prefix}0" grid.local bench-password-1 >/dev/null 2>&1 || true
    psql -h 127.0.0.1 -U postgres -d $db -q >/dev/null <<SQL
INSERT INTO prosody (host, "user", store, key, type, value)
        SELECT host, '$prefix' || g, store, key, type, value FROM prosody, generate_series($from, $((count - 1))) g
        WHERE "user" = '${prefix}0' AND store = 'accounts' AND NOT EXISTS
        (SELECT 1 FROM prosody p WHERE p.host = prosody.host AND p."user" = '$prefix' || g AND p.store = 'accounts');
SQL
    echo "prosody: accounts ${prefix}0..${prefix}$((count - 1))"
    ;;
  stop)
    if [ -f "$dir/prosody.pid" ]; then
      pid=$(cat "$dir/prosody.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    echo "prosody: stopped"
    ;;
  *) echo "usage: prosody.sh start | provision N | accounts PREFIX N | stop" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# ejabberd (Debian's package) as a benchmark peer: ejabberd.sh start | provision N | accounts PREFIX N | stop
# Listens on 127.0.0.1:6222 only (STARTTLS required, EC P-256 self-signed certificate like the controller's key),
# domain grid.local, pubsub at pubsub.grid.local, SCRAM-SHA-256 (ejabberd 23.01 always uses 4096 iterations),
# PostgreSQL storage (database ejabberd_bench, new schema), no traffic shaper, offline limit 1,000,000,
# notifications of type normal. Erlang distribution on 127.0.0.1 only. Runtime files in $BENCH_PEERS_DIR
# (default /var/tmp/grid-bench/ejabberd), owned by the ejabberd user; stopped by its PID. ejabberdctl runs as the
# ejabberd user through setpriv, with this shell's open-file limit raised to the hard limit.
set -euo pipefail
cmd=${1:?start|provision N|stop}
dir=${BENCH_PEERS_DIR:-/var/tmp/grid-bench}/ejabberd
port=${EJABBERD_PORT:-6222}
db=ejabberd_bench
# as the ejabberd user without su: su's PAM session gives it a soft limit of 1,024 open files (the VM then dies at
# ~1,000 sessions); setpriv keeps this shell's limit
ctl() { setpriv --reuid=ejabberd --regid=ejabberd --init-groups env HOME=/var/lib/ejabberd ejabberdctl --config-dir "$dir" --config "$dir/ejabberd.yml" --ctl-config "$dir/ejabberdctl.cfg" \
        --logs "$dir/log" --spool "$dir/spool" "$@"; }
case $cmd in
  start)
    dpkg -s ejabberd erlang-p1-pgsql >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ejabberd erlang-p1-pgsql
    mkdir -p "$dir/log" "$dir/spool"
    if [ ! -f "$dir/server.pem" ]; then
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=grid.local" \
        -addext "subjectAltName=DNS:grid.local,DNS:pubsub.grid.local" -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
      cat "$dir/cert.pem" "$dir/key.pem" > "$dir/server.pem"
    fi
    # a new database, unless BENCH_KEEP_DB=1 and it exists (run.sh's cold start: the accounts made before the measured start)
    if [ "${BENCH_KEEP_DB:-}" != 1 ] || ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists $db" -c "create database $db" >/dev/null
      psql -h 127.0.0.1 -U postgres -d $db -q -f /usr/share/ejabberd/sql/pg.new.sql >/dev/null
    fi
    echo '{lookup, ["file", "native"]}.' > "$dir/inetrc"
    cat > "$dir/ejabberdctl.cfg" <<CFG
ERLANG_NODE=ejabberd-bench@localhost
INET_DIST_INTERFACE=127.0.0.1
ERL_OPTIONS="-kernel inet_dist_listen_min 4370 inet_dist_listen_max 4379"
CFG
    cat > "$dir/ejabberd.yml" <<YML
hosts: [grid.local]
loglevel: warning
certfiles: ["$dir/server.pem"]
listen:
  - port: $port
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    max_stanza_size: 262144
    shaper: none
    access: c2s
auth_method: [sql]
auth_password_format: scram
auth_scram_hash: sha256
sql_type: pgsql
sql_server: "127.0.0.1"
sql_port: 5432
sql_database: "$db"
sql_username: "postgres"
sql_password: ""
sql_pool_size: 10
new_sql_schema: true
default_db: sql
access_rules:
  c2s: {allow: all}
  pubsub_createnode: {allow: all}
shaper_rules:
  max_user_offline_messages: 1000000
  max_user_sessions: 10
modules:
  mod_disco: {}
  mod_ping: {}
  mod_stream_mgmt: {}
  mod_offline:
    access_max_user_messages: max_user_offline_messages
    db_type: sql
  mod_pubsub:
    host: "pubsub.grid.local"
    access_createnode: pubsub_createnode
    plugins: [flat]
    max_items_node: 1000
    db_type: sql
    default_node_config:
      notification_type: normal
YML
    chown -R ejabberd:ejabberd "$dir"
    ulimit -n "$(ulimit -Hn)"
    ctl start
    for _ in $(seq 60); do ctl status >/dev/null 2>&1 && break; sleep 1; done
    ctl status >/dev/null || { echo "ejabberd did not start; see $dir/log" >&2; exit 1; }
    echo "ejabberd: listening on 127.0.0.1:$port, pid $(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)"
    ;;
  provision)
    n=${2:-100}
    ctl register bench-pub grid.local bench-password-1 >/dev/null 2>&1 || true
    "$0" accounts bench-sub "$n"
    echo "ejabberd: bench-pub and $n subscribers provisioned"
    ;;
  accounts)
    # accounts PREFIX COUNT: PREFIX0..PREFIX<COUNT-1>, password bench-password-1. The first is registered by the
    # server itself; the others get a copy of its stored SCRAM credential (same password, salt and iteration
    # count) in one SQL statement, which takes seconds where registering one by one takes minutes.
    prefix=${2:?accounts PREFIX COUNT} count=${3:?accounts PREFIX COUNT} from=1
    ctl register "${prefix}0" grid.local bench-password-1 >/dev/null 2>&1 || true
    psql -h 127.0.0.1 -U postgres -d $db -q >/dev/null <<SQL
INSERT INTO users (username, server_host, password, serverkey, salt, iterationcount)
        SELECT '$prefix' || g, server_host, password, serverkey, salt, iterationcount FROM users, generate_series($from, $((count - 1))) g
        WHERE username = '${prefix}0' ON CONFLICT DO NOTHING;
SQL
    echo "ejabberd: accounts ${prefix}0..${prefix}$((count - 1))"
    ;;
  stop)
    pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
    ctl stop >/dev/null 2>&1 || true
    if [ -n "${pid:-}" ]; then
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill "$pid" 2>/dev/null || true
    fi
    echo "ejabberd: stopped"
    ;;
  *) echo "usage: ejabberd.sh start | provision N | accounts PREFIX N | stop" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Starts a local XMPP-Grid cluster in the foreground: run-cluster.sh SERVER_HOME CLUSTER_DIR EAR [TLS_CLASSPATH]
# N nodes (GRID_NODES, default 2) with standalone-grid-cluster.xml (config/install-cluster.cli) on one
# PostgreSQL (GRID_PG_HOST 127.0.0.1, GRID_PG_PORT 5432, GRID_PG_USER postgres, GRID_PG_PASSWORD, GRID_PG_DB grid;
# the database is created when absent). Node i has its own base directory CLUSTER_DIR/node-i, ports shifted by
# 100*(i-1) (HTTP 8080, 8180, ...; management 9990, 10090, ...) and XMPP on 5222+100*(i-1) / 5223+100*(i-1).
# Every node reads the grid's identity from CLUSTER_DIR/shared: CA and server key (tls/), audit key,
# administration token, the shared secret, the messaging cluster password. Node 1 starts first; the others
# start once it listens (GRID_STAGGER=0: all at once, as an orchestrator would start them). GRID_PORT_OFFSET (default 0)
# shifts every node's ports further. GRID_S2S=1 opens each node's ports for peer grids (federation) on
# 5269+100*(i-1) / 5270+100*(i-1). Ctrl+C (or SIGTERM to this script) stops them all. Extra settings for every node
# come from GRID_OPTS.
set -euo pipefail
server_home=$1 ear=$3 tls_cp=${4:-}
# absolute: the nodes get these paths as settings and resolve relative ones against their own working directory
cluster_dir=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
nodes=${GRID_NODES:-2} stagger=${GRID_STAGGER:-1} port_offset=${GRID_PORT_OFFSET:-0}
pg_host=${GRID_PG_HOST:-127.0.0.1} pg_port=${GRID_PG_PORT:-5432} pg_user=${GRID_PG_USER:-postgres}
pg_db=${GRID_PG_DB:-grid} pg_password=${GRID_PG_PASSWORD:-}
shared=$cluster_dir/shared
mkdir -p "$shared"

# -- the shared database (one for the whole cluster)
if command -v psql >/dev/null 2>&1; then
  export PGPASSWORD=$pg_password
  if ! psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    echo "run-cluster: no PostgreSQL answers at $pg_host:$pg_port as $pg_user (a cluster needs one shared database)" >&2
    exit 1
  fi
  if [ -z "$(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -Atqc "select 1 from pg_database where datname = '$pg_db'")" ]; then
    psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "create database \"$pg_db\"" >/dev/null
    echo "run-cluster: created database $pg_db"
  fi
else
  echo "run-cluster: no psql here; database $pg_db at $pg_host:$pg_port must exist" >&2
fi

# -- the grid's identity, once, in the shared directory (owner-only files)
domain=grid.local
[[ " ${GRID_OPTS:-} " =~ -Dgrid\.xmpp\.domain=([^[:space:]]+) ]] && domain=${BASH_REMATCH[1]}
(
  umask 077
  [ -s "$shared/messaging-cluster-password" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$shared/messaging-cluster-password"
)
if [ -n "$tls_cp" ]; then
  if [ -n "${GRID_IMPORT_CA:-}" ] && [ ! -f "$shared/tls/ca.p12" ]; then
    # an offline root (README, "Keep the CA's root offline"): the operator's intermediate becomes the grid CA
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$tls_cp" io.xmppgrid.security.GridKeyMaterial "$shared/tls" "$domain" \
      --import-ca "$GRID_IMPORT_CA"
  fi
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$tls_cp" io.xmppgrid.security.GridKeyMaterial "$shared/tls" "$domain"
fi
cluster_password=$(cat "$shared/messaging-cluster-password")

# standalone.sh runs the JVM as its child and passes TERM/INT on to it only in this mode; without it a
# stopped script would leave the JVM running (background jobs of a script ignore Ctrl+C)
export LAUNCH_JBOSS_IN_BACKGROUND=1
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "run-cluster: stopping ${#pids[@]} node(s)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop_all INT TERM EXIT

for i in $(seq 1 "$nodes"); do
  shift_by=$((port_offset + 100 * (i - 1)))
  node_dir=$cluster_dir/node-$i
  mkdir -p "$node_dir"
  # run-node.sh makes the base directory and copies the configuration and the EAR; the cluster settings:
  GRID_SERVER_CONFIG=standalone-grid-cluster.xml GRID_OPTS="-Djboss.node.name=node-$i \
-Djboss.socket.binding.port-offset=$shift_by -Djboss.tx.node.id=node-$i \
-Djboss.messaging.cluster.password=$cluster_password \
-Dgrid.xmpp.port=$((5222 + shift_by)) -Dgrid.xmpp.tls-port=$((5223 + shift_by)) ${GRID_S2S:+-Dgrid.xmpp.s2s-port=$((5269 + shift_by)) -Dgrid.xmpp.s2s-tls-port=$((5270 + shift_by))} \
-Dgrid.db.driver=postgresql -Dgrid.db.url=jdbc:postgresql://$pg_host:$pg_port/$pg_db \
-Dgrid.db.user=$pg_user -Dgrid.db.password=${pg_password:-trust} \
-Dgrid.tlsDirectory=$shared/tls -Dgrid.audit.keyFile=$shared/audit-key \
-Dgrid.admin.tokenFile=$shared/admin-token -Dgrid.secretFile=$shared/grid-secret ${GRID_OPTS:-}" \
    bash "$here/run-node.sh" "$server_home" "$node_dir" "$ear" > >(sed -u "s/^/[node-$i] /") 2>&1 &
  pids+=($!)
  if [ "$i" = 1 ] && [ "$nodes" -gt 1 ] && [ "$stagger" != 0 ]; then
    # node 1 first: it creates the schema, the token and the audit key; the others join its view
    log=$node_dir/log/server.log
    for _ in $(seq 1 300); do
      if grep -q 'GRIDRA0001' "$log" 2>/dev/null; then break; fi
      if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "run-cluster: node-1 did not start" >&2; exit 1; fi
      sleep 1
    done
    grep -q 'GRIDRA0001' "$log" 2>/dev/null || { echo "run-cluster: node-1 not listening after 300 s" >&2; exit 1; }
  fi
done
echo "run-cluster: $nodes node(s) started; shared identity in $shared (CA $shared/tls/ca.pem, token $shared/admin-token)"
wait

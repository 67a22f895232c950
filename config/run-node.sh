#!/usr/bin/env bash
# Starts one XMPP-Grid node in the foreground: run-node.sh SERVER_HOME NODE_DIR EAR [TLS_CLASSPATH]
# NODE_DIR is the server base directory (configuration, data, logs), made from the provisioned
# server's standalone/ on first use and kept afterwards. Extra settings come from GRID_OPTS,
# e.g. GRID_OPTS="-Dgrid.xmpp.domain=grid.example.org -Dgrid.xmpp.port=5222". GRID_SERVER_CONFIG chooses the
# server configuration (standalone-full-ha.xml; run-cluster.sh passes standalone-grid-cluster.xml).
set -euo pipefail
server_home=$1 node_dir=$2 ear=$3 tls_cp=${4:-}
if [ ! -d "$node_dir/configuration" ]; then
  mkdir -p "$node_dir"
  cp -a "$server_home/standalone/." "$node_dir/"
  rm -rf "$node_dir/data" "$node_dir/log" "$node_dir/tmp" "$node_dir"/configuration/standalone_xml_history
fi
server_config=${GRID_SERVER_CONFIG:-standalone-full-ha.xml}
# the configuration always comes from the provisioned server (config/install-grid.cli); data and logs stay
cp "$server_home/standalone/configuration/$server_config" "$node_dir/configuration/$server_config"
cp "$ear" "$node_dir/deployments/grid-ear.ear"
# the grid CA and keys before the first start, so that the console's HTTPS listener (which reads the CA's
# trust store at boot) accepts administrators' certificates from the start; existing material is kept
if [ -n "$tls_cp" ]; then
  domain=grid.local
  [[ " ${GRID_OPTS:-} " =~ -Dgrid\.xmpp\.domain=([^[:space:]]+) ]] && domain=${BASH_REMATCH[1]}
  if [ -n "${GRID_IMPORT_CA:-}" ] && [ ! -f "$node_dir/data/grid/tls/ca.p12" ]; then
    # an offline root (README, "Keep the CA's root offline"): the operator's intermediate becomes the grid CA
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$tls_cp" io.xmppgrid.security.GridKeyMaterial "$node_dir/data/grid/tls" "$domain" \
      --import-ca "$GRID_IMPORT_CA"
  fi
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$tls_cp" io.xmppgrid.security.GridKeyMaterial "$node_dir/data/grid/tls" "$domain"
fi
echo "XMPP-Grid node: base directory $node_dir"
echo "  CA certificate:       $node_dir/data/grid/tls/ca.pem"
echo "  administration token: $node_dir/data/grid/admin-token"
# a node that ran out of heap must not go on half-working (accepting logins it cannot serve, its embedded database
# closed): it exits, and whoever runs it (a supervisor, systemd Restart=always, an orchestrator) starts it again
export JBOSS_JAVA_SIZING="${JBOSS_JAVA_SIZING:--Xms64m -Xmx512m} -XX:+ExitOnOutOfMemoryError"
exec "$server_home/bin/standalone.sh" -c "$server_config" \
  -Djboss.server.base.dir="$node_dir" -Djava.net.preferIPv4Stack=true ${GRID_OPTS:-}

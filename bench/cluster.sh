#!/usr/bin/env bash
# Benchmarks of a local 2-node cluster on PostgreSQL (both nodes pinned to CPU 0, the generator to CPU 1: 2 cores).
#
#   bench/cluster.sh [--scenario fanout] [--rounds 2] [--subscribers 100] [--rates 20,50,100] [--seconds 10] [--warmup 3]
#                    [--first-warmup 90]
# What crossing nodes costs (issue 16): the fan-out scenario, the publisher on node 1 and the subscribers
#   one-node   all on node 1 (the same clustered node, so only forwarding differs), or
#   two-nodes  alternating between node 1 and node 2 (half of every notification crosses to node 2),
# interleaved round by round in one run. This measures overhead (latency added by the hop, CPU per delivery of the
# pair), not scale. The report's CPU column is both nodes' CPU per 1,000 deliveries. Report: <stamp>-fanout.md.
#
#   bench/cluster.sh --scenario failover [--rounds 1] [--subscribers 1000] [--rate 20] [--before 20] [--after 60]
# A node goes away under its platforms (issue 20): every subscriber on node 2, the publisher on node 1; node 2 is
# drained (administration API), serves again, then is killed (SIGKILL) under the same load; each round on a fresh
# cluster. Report: <stamp>-failover.md (time until every stream was back and caught up, items lost, items twice).
#
# Needs: mvn -DskipTests install (EAR, server, bench jar) and PostgreSQL on 127.0.0.1:5432 (user postgres); the
# database grid_bench_cluster is made afresh for every cluster start. Results in bench/results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scenario=fanout rounds= subscribers= rates=20,50,100 seconds=10 warmup=3 first_warmup=90 rate=20 before=20 after=60
while [ $# -gt 0 ]; do
  case $1 in
    --scenario) scenario=$2; shift 2 ;; --rate) rate=$2; shift 2 ;; --before) before=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;; --subscribers) subscribers=$2; shift 2 ;; --rates) rates=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --first-warmup) first_warmup=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case $scenario in
  fanout) rounds=${rounds:-2} subscribers=${subscribers:-100} ;;
  failover) rounds=${rounds:-1} subscribers=${subscribers:-1000} ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
jar=$root/bench/target/grid-bench.jar
ear=$root/grid-ear/target/grid-ear.ear
[ -f "$jar" ] && [ -f "$ear" ] || { echo "build first: mvn -DskipTests install" >&2; exit 1; }
tls_cp=$(ls "$root"/grid-ra/security/target/grid-security-*.jar | head -1):$(find ~/.m2/repository/org/bouncycastle -name 'bc*-jdk18on-*.jar' | tr '\n' ':')
server_cpu=() gen_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0) gen_cpu=(taskset -c 1); fi
cluster=$root/bench/target/cluster
stamp=$(date -u +%Y%m%d-%H%M%S)
out=$root/bench/results
tsv=$out/$stamp-$scenario.tsv
mkdir -p "$out"
log=$out/$stamp-cluster-servers.log
# the nodes run as bench/run.sh runs the controller: Temurin 25 where present, its heap settings (1 GB each here)
java_home=${CONTROLLER_JAVA_HOME:-}
[ -z "$java_home" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && java_home=/usr/lib/jvm/temurin-25-jdk-amd64
java_home=${java_home:-${JAVA_HOME:-}}
cluster_pid=
stop_cluster() {
  if [ -n "$cluster_pid" ]; then
    kill -TERM "$cluster_pid" 2>/dev/null || true
    wait "$cluster_pid" 2>/dev/null || true
    cluster_pid=
  fi
}
trap stop_cluster EXIT
# a fresh cluster: new database, new base directories, both nodes ready (after their warm-up), accounts provisioned
start_cluster() {
  rm -rf "$cluster"
  mkdir -p "$cluster"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists grid_bench_cluster" >/dev/null
  psql -h 127.0.0.1 -U postgres -d postgres -qc "create database grid_bench_cluster" >/dev/null
  GRID_NODES=2 GRID_PG_DB=grid_bench_cluster GRID_OPTS="-Dgrid.scram.iterations=4096 -Dgrid.connectionRatePerAddress=0 ${GRID_OPTS:-}" JAVA_HOME=$java_home \
    JBOSS_JAVA_SIZING="${CONTROLLER_HEAP:--Xms1g -Xmx1g -XX:MaxTenuringThreshold=2 -XX:SweeperThreshold=50}" \
    "${server_cpu[@]}" bash "$root/config/run-cluster.sh" "$root/config/target/wildfly" "$cluster" "$ear" "$tls_cp" >> "$log" 2>&1 &
  cluster_pid=$!
  for n in 1 2; do
    local http=$((8080 + 100 * (n - 1)))
    for _ in $(seq 400); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/grid-health/ready")" = 200 ] && break
      sleep 1
    done
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/grid-health/ready")" = 200 ] \
      || { echo "node-$n is not ready (see $log)" >&2; exit 1; }
  done
  echo "cluster: 2 nodes ready"
  GRID_TOKEN_FILE=$cluster/shared/admin-token GRID_API=http://127.0.0.1:8080/grid-admin/api \
    "$root/bench/targets/controller.sh" provision "$subscribers"
}
if [ "$scenario" = fanout ]; then
  start_cluster
  for ((r = 1; r <= rounds; r++)); do
    for layout in one-node two-nodes; do
      echo "== round $r: $layout"
      ports=5222
      [ $layout = two-nodes ] && ports=5222,5322
      "${gen_cpu[@]}" java -jar "$jar" fanout --name "$layout" --port 5222 --sub-ports $ports --subscribers "$subscribers" \
        --rates "$rates" --seconds "$seconds" --warmup "$warmup" --first-warmup "$first_warmup" \
        --out "$out" --stamp "$stamp-r$r" --tsv "$tsv" || true
    done
  done
  parameters="subscribers=$subscribers rates=$rates seconds=$seconds warmup=$warmup first-warmup=$first_warmup"
else
  for ((r = 1; r <= rounds; r++)); do
    start_cluster
    for event in drain kill; do
      echo "== round $r: $event"
      "${gen_cpu[@]}" java -jar "$jar" failover --name "$event" --event "$event" --port 5222 --victim-port 5322 \
        --victim node-2 --subscribers "$subscribers" --rate "$rate" --before "$before" --after "$after" \
        --token-file "$cluster/shared/admin-token" --out "$out" --stamp "$stamp-r$r" --tsv "$tsv" || true
    done
    stop_cluster
  done
  parameters="subscribers=$subscribers rate=$rate before=$before after=$after"
fi
java -jar "$jar" report --scenario "$scenario" --tsv "$tsv" --out "$out" --stamp "$stamp" \
  --parameters "cluster of 2 nodes on PostgreSQL, both on CPU 0, generator on CPU 1; $parameters rounds=$rounds; nodes: $("${java_home:+$java_home/bin/}java" -version 2>&1 | head -1 | tr -d '"')"

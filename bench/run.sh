#!/usr/bin/env bash
# Runs the fan-out benchmark against the controller, ejabberd and Prosody on this machine, interleaved:
#   bench/run.sh [--targets controller,ejabberd,prosody] [--rounds 2] [--subscribers 100] [--rates 50,100,200,500]
#                [--seconds 10] [--warmup 5]
# Each round starts one server at a time (pinned to CPU 0; the generator runs on CPU 1 where the machine has
# two or more), provisions its accounts, runs the generator, and stops the server by its PID, so drift hits all
# alike and no server competes with another. Results: bench/results/<stamp>-<server>-fanout.{md,png} per run and
# <stamp>.tsv with every step; `grid-bench report --stamp <stamp>` (run at the end) writes the combined table
# and plot <stamp>-fanout.md/.png. Needs: the project built (mvn -DskipTests install), root for apt and ss.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
targets=controller,ejabberd,prosody rounds=2 subscribers=100 rates=50,100,200,500 seconds=10 warmup=5 first_warmup=30
while [ $# -gt 0 ]; do
  case $1 in
    --targets) targets=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;; --subscribers) subscribers=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;; --seconds) seconds=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;;
    --first-warmup) first_warmup=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
stamp=$(date -u +%Y%m%d-%H%M%S)
out=$root/bench/results
server_cpu=() gen_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0) gen_cpu=(taskset -c 1); fi
jar=$root/bench/target/grid-bench.jar
[ -f "$jar" ] || { echo "build first: mvn -DskipTests install" >&2; exit 1; }

start_controller() {
  node=$root/config/target/node
  [ -d "$node/configuration" ] || { echo "start the controller once with mvn -Prun -DskipTests install (it makes $node)" >&2; exit 1; }
  "${server_cpu[@]}" bash "$root/config/run-node.sh" "$root/config/target/wildfly" "$node" "$root/grid-ear/target/grid-ear.ear" \
    > "$out/$stamp-controller-server.log" 2>&1 &
  for _ in $(seq 120); do grep -q 'GRIDRA0001' "$out/$stamp-controller-server.log" 2>/dev/null && break; sleep 1; done
  grep -q 'WFLYSRV0025\|GRIDRA0001' "$out/$stamp-controller-server.log" || { echo "controller did not start" >&2; exit 1; }
}
stop_controller() {
  pid=$(ss -ltnpH 'sport = :5222' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  [ -n "${pid:-}" ] && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
  echo "controller: stopped"
}

mkdir -p "$out"
for ((r = 1; r <= rounds; r++)); do
  for t in ${targets//,/ }; do
    echo "== round $r: $t"
    case $t in
      controller) start_controller; "$root/bench/targets/controller.sh" provision "$subscribers"; port=5222 pubsub=broker.grid.local ;;
      ejabberd) "${server_cpu[@]}" "$root/bench/peers/ejabberd.sh" start; "$root/bench/peers/ejabberd.sh" provision "$subscribers"; port=6222 pubsub=pubsub.grid.local ;;
      prosody) "${server_cpu[@]}" "$root/bench/peers/prosody.sh" start; "$root/bench/peers/prosody.sh" provision "$subscribers"; port=7222 pubsub=pubsub.grid.local ;;
      *) echo "unknown target $t" >&2; exit 2 ;;
    esac
    "${gen_cpu[@]}" java -jar "$jar" fanout --name "$t" --port $port --pubsub $pubsub --subscribers "$subscribers" \
      --rates "$rates" --seconds "$seconds" --warmup "$warmup" --first-warmup "$first_warmup" --out "$out" --stamp "$stamp-r$r" --tsv "$out/$stamp.tsv" || true
    case $t in
      controller) stop_controller ;;
      *) "$root/bench/peers/$t.sh" stop ;;
    esac
  done
done
java -jar "$jar" report --tsv "$out/$stamp.tsv" --out "$out" --stamp "$stamp" \
  --parameters "targets=$targets rounds=$rounds subscribers=$subscribers rates=$rates seconds=$seconds warmup=$warmup first-warmup=$first_warmup"

#!/usr/bin/env bash
# Runs one benchmark scenario against the controller, ejabberd and Prosody on this machine, interleaved:
#   bench/run.sh [--scenario fanout|connections|backlog|coldstart] [--targets controller,ejabberd,prosody] [--rounds 3]
#     fanout:      [--subscribers 100] [--rates 50,100,200,500] [--seconds 10] [--warmup 5] [--first-warmup 30]
#     connections: [--sessions 18000] [--rate 50] [--checkpoint 3000] [--hold 30] [--warmup-logins 2000]
#     backlog:     [--items 1000,10000,100000]
#     coldstart:   [--subscribers 1000] [--rate 20] [--minutes 5] [--interval 10]
#                  (targets by default controller,controller-nowarmup,ejabberd; rounds 1: each server is provisioned,
#                  stopped, started again, and the generator starts the moment it reports ready)
# Targets: controller (warm-up as configured, 60 s at most by default), controller-nowarmup (grid.warmup.seconds=0),
# controller-aot (warm-up and JDK 25's AOT cache, trained by the run's first start), controller-baseline (the EAR at
# BASELINE_EAR: another build, compared in the same run), ejabberd, prosody.
# Each round starts one server at a time (pinned to CPU 0; the generator runs on CPU 1 where the machine has
# two or more), provisions its accounts, runs the generator, and stops the server by its PID, so drift hits all
# alike and no server competes with another. Results: bench/results/<stamp>-r<round>-<server>-<scenario>.{md,png}
# per run and <stamp>-<scenario>.tsv with every step; `grid-bench report` (run at the end) writes the combined
# table (medians over the rounds) and plot <stamp>-<scenario>.md/.png. Needs: the project built (mvn -DskipTests
# install) and the controller's node made once (mvn -Prun -DskipTests install, then Ctrl+C); root for apt and ss.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scenario=fanout targets= rounds=
minutes=5 interval=10 rate_per_subscriber=
subscribers=100 rates=50,100,200,400 seconds=10 warmup=5 first_warmup=60
# logins: at 100/s both a fresh controller and the generator were CPU-bound on their one core, a third of it in
# the C2 compiler (500 warm-up logins were not enough); at 50/s after 2,000 warm-up logins, p99 was 38-69 ms
sessions=18000 rate=50 checkpoint=3000 hold=30 warmup_logins=2000 items=1000,10000,100000
while [ $# -gt 0 ]; do
  case $1 in
    --scenario) scenario=$2; shift 2 ;; --targets) targets=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;;
    --subscribers) subscribers=$2; shift 2 ;; --rates) rates=$2; shift 2 ;; --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;; --first-warmup) first_warmup=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;; --rate) rate=$2; shift 2 ;; --checkpoint) checkpoint=$2; shift 2 ;;
    --hold) hold=$2; shift 2 ;; --warmup-logins) warmup_logins=$2; shift 2 ;; --items) items=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;; --interval) interval=$2; shift 2 ;; --rate-per-subscriber) rate_per_subscriber=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case $scenario in
  fanout) args=(--subscribers "$subscribers" --rates "$rates" --seconds "$seconds" --warmup "$warmup" --first-warmup "$first_warmup")
          parameters="subscribers=$subscribers rates=$rates seconds=$seconds warmup=$warmup first-warmup=$first_warmup" ;;
  connections) args=(--sessions "$sessions" --rate "$rate" --checkpoint "$checkpoint" --hold "$hold" --warmup-logins "$warmup_logins")
          parameters="sessions=$sessions rate=$rate checkpoint=$checkpoint hold=$hold warmup-logins=$warmup_logins" ;;
  backlog) args=(--items "$items")
          parameters="items=$items" ;;
  coldstart) [ "$subscribers" = 100 ] && subscribers=1000
          cold_rate=${rate_per_subscriber:-20}
          args=(--subscribers "$subscribers" --rate "$cold_rate" --minutes "$minutes" --interval "$interval")
          parameters="subscribers=$subscribers rate=$cold_rate/s minutes=$minutes interval=$interval s"
          targets=${targets:-controller,controller-nowarmup,ejabberd} rounds=${rounds:-1} ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
targets=${targets:-controller,ejabberd,prosody} rounds=${rounds:-3}
stamp=$(date -u +%Y%m%d-%H%M%S)
out=$root/bench/results
tsv=$out/$stamp-$scenario.tsv
server_cpu=() gen_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0) gen_cpu=(taskset -c 1); fi
jar=$root/bench/target/grid-bench.jar
[ -f "$jar" ] || { echo "build first: mvn -DskipTests install" >&2; exit 1; }

# The controller runs on the newest JDK here (Temurin 25 where present: cheaper TLS, and its JIT did better than 17's)
# with a 2 GB heap (WildFly's default of 512 MB made G1 spend a third of the CPU of a large backlog), pinned before
# it starts like the peers, so its JVM sees one CPU and picks SerialGC (at 1,000 subscribers it used 0.046 s of CPU
# per 1,000 deliveries and saturated at 21,700/s; pinned after start, with G1, 0.050 s and 19,300/s). Objects that
# survive two young collections are promoted (-XX:MaxTenuringThreshold=2): with SerialGC's default of 15, the
# sessions' state was copied between survivor spaces for minutes, and those 30-85 ms pauses were the fan-out's p99.
# The JIT keeps compiling WildFly's code for minutes, and every 15% of the code cache newly compiled made SerialGC
# run a full collection (cause "CodeCache GC Threshold", 0.48-0.52 s) in the middle of a measurement:
# -XX:SweeperThreshold=50 lets 50% accumulate first (one run each: one such pause without it, none with it).
# Override with CONTROLLER_JAVA_HOME, CONTROLLER_HEAP and CONTROLLER_PIN=after.
controller_java_home=${CONTROLLER_JAVA_HOME:-}
[ -z "$controller_java_home" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && controller_java_home=/usr/lib/jvm/temurin-25-jdk-amd64
controller_java_home=${controller_java_home:-${JAVA_HOME:-}}
controller_heap=${CONTROLLER_HEAP:--Xms2g -Xmx2g -XX:MaxTenuringThreshold=2 -XX:SweeperThreshold=50}
parameters="$parameters; controller: $("${controller_java_home:+$controller_java_home/bin/}java" -version 2>&1 | head -1 | tr -d '"'), heap $controller_heap, pinned ${CONTROLLER_PIN:-before} start"
start_controller() {
  local variant=$1 extra= aot= ear=$root/grid-ear/target/grid-ear.ear
  # controller-baseline: another build's EAR (BASELINE_EAR), to compare a change with what it changes in one run
  if [ "$variant" = controller-baseline ]; then ear=${BASELINE_EAR:?BASELINE_EAR=path of the EAR to compare with}; fi
  [ "$variant" = controller-nowarmup ] && extra=-Dgrid.warmup.seconds=0
  # controller-aot: JDK 25's ahead-of-time cache (JEP 483/514/515), trained by the first start of the run (its warm-up
  # and the provisioning; written when that JVM exits), used by the starts after it
  if [ "$variant" = controller-aot ]; then
    if [ -f "$out/$stamp-controller.aot" ]; then aot="-XX:AOTCache=$out/$stamp-controller.aot"
    else aot="-XX:AOTCacheOutput=$out/$stamp-controller.aot"; fi
  fi
  node=$root/config/target/node
  [ -d "$node/configuration" ] || { echo "start the controller once with mvn -Prun -DskipTests install (it makes $node)" >&2; exit 1; }
  # SCRAM iterations as the peers' (4096), so clients do the same work for every server; every client comes from
  # one address here: no limit on new connections per address (the peers have none by default)
  local pin_before=()
  [ "${CONTROLLER_PIN:-before}" = before ] && pin_before=("${server_cpu[@]}")
  started=$(date +%s)
  JAVA_HOME=$controller_java_home JBOSS_JAVA_SIZING="$controller_heap $aot" GRID_OPTS="-Dgrid.scram.iterations=4096 -Dgrid.connectionRatePerAddress=0 $extra ${GRID_OPTS:-}" \
    "${pin_before[@]}" bash "$root/config/run-node.sh" "$root/config/target/wildfly" "$node" "$ear" \
    > "$out/$stamp-controller-server.log" 2>&1 &
  for _ in $(seq 120); do grep -q 'GRIDRA0001' "$out/$stamp-controller-server.log" 2>/dev/null && break; sleep 1; done
  grep -q 'GRIDRA0001' "$out/$stamp-controller-server.log" || { echo "controller did not start" >&2; exit 1; }
  if [ ${#server_cpu[@]} -gt 0 ]; then
    taskset -a -p -c 0 "$(ss -ltnpH 'sport = :5222' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)" >/dev/null
  fi
  # ready is what a load balancer waits for: after the node's warm-up (issue 22), if it has one
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/grid-health/ready)" = 200 ] && break
    sleep 0.5
  done
  echo "controller ($variant): ready $(( $(date +%s) - started )) s after it was started"
}
stop_controller() {
  pid=$(ss -ltnpH 'sport = :5222' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  [ -n "${pid:-}" ] && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
  echo "controller: stopped"
}
# accounts the scenario needs: the publisher, subscribers (fan-out, backlog), or one account per session (connections)
provision() {
  local t=$1
  case $scenario in
    connections)
      if [ "$t" = controller ]; then java -jar "$jar" provision --names bench-c --count "$sessions" --concurrency 8 --token-file "$root/config/target/node/data/grid/admin-token"
      else "$root/bench/peers/$t.sh" accounts bench-c "$sessions"; fi ;;
    *)
      local n=$subscribers
      [ "$scenario" = backlog ] && n=1
      if [ "$t" = controller ]; then "$root/bench/targets/controller.sh" provision "$n"
      else "$root/bench/peers/$t.sh" provision "$n"; fi ;;
  esac
}

start_target() {
  case $1 in
    controller*) start_controller "$1"; port=5222 pubsub=broker.grid.local ;;
    ejabberd) "${server_cpu[@]}" env BENCH_KEEP_DB="${BENCH_KEEP_DB:-}" "$root/bench/peers/ejabberd.sh" start; port=6222 pubsub=pubsub.grid.local ;;
    prosody) "${server_cpu[@]}" env BENCH_KEEP_DB="${BENCH_KEEP_DB:-}" "$root/bench/peers/prosody.sh" start; port=7222 pubsub=pubsub.grid.local ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}
stop_target() {
  case $1 in
    controller*) stop_controller ;;
    *) "$root/bench/peers/$1.sh" stop ;;
  esac
}

# whatever ends this script (a failed step included) stops the server it started, so none is left running
running=
cleanup() {
  case $running in
    controller*) stop_controller ;;
    ejabberd|prosody) "$root/bench/peers/$running.sh" stop ;;
  esac
}
trap cleanup EXIT

mkdir -p "$out"
for ((r = 1; r <= rounds; r++)); do
  for t in ${targets//,/ }; do
    echo "== round $r: $t"
    running=$t
    start_target "$t"
    provision "${t%%-*}"
    if [ "$scenario" = coldstart ]; then
      # the accounts exist; now the start that is measured, from a new process
      stop_target "$t"
      BENCH_KEEP_DB=1 start_target "$t"
    fi
    "${gen_cpu[@]}" java -jar "$jar" "$scenario" --name "$t" --port $port --pubsub $pubsub "${args[@]}" \
      --out "$out" --stamp "$stamp-r$r" --tsv "$tsv" || true
    stop_target "$t"
    running=
  done
done
java -jar "$jar" report --scenario "$scenario" --tsv "$tsv" --out "$out" --stamp "$stamp" --interval "$interval" \
  --parameters "scenario=$scenario targets=$targets rounds=$rounds $parameters"

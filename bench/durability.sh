#!/usr/bin/env bash
# What durability costs: the backlog scenario (a window of 200 publishes in flight, each committed with its item,
# the offline subscriber's stored notification and its audit entry, then the drain) against the controller alone on
#   h2-sync   the embedded H2 as configured (WRITE_DELAY=0: each commit written to the file before it returns),
#   h2-async  H2's own default (WRITE_DELAY 500 ms: commits acknowledged from memory; NOT crash-safe),
#   postgres  PostgreSQL on 127.0.0.1:5432 (database grid_bench, its defaults: fsync and synchronous_commit on),
# interleaved round by round:  bench/durability.sh [--rounds 2] [--items 10000] [--only h2-sync,h2-async,postgres]
# Reports: bench/results/<stamp>-backlog.md per run (published /s and server CPU ms per publish are the columns
# that matter here; the controller's CPU only: PostgreSQL's own processes are not counted). Several sizes
# (--items 10000,10000,10000) publish again into the same node: the later ones show a warmer node.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=2 items=10000 only=h2-sync,h2-async,postgres
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;; --items) items=$2; shift 2 ;; --only) only=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
node=$root/config/target/node
if [ ! -d "$node/configuration" ]; then # the node run.sh uses, made as config/run-node.sh makes it
  mkdir -p "$node" && cp -a "$root/config/target/wildfly/standalone/." "$node/"
  rm -rf "$node/data" "$node/log" "$node/tmp"
fi
h2_url="jdbc:h2:retry:$node/data/grid/bench-%s;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000"
for ((r = 1; r <= rounds; r++)); do
  for mode in ${only//,/ }; do
    echo "== durability round $r: $mode"
    case $mode in
      h2-sync) opts="-Dgrid.db.url=$(printf "$h2_url" sync);WRITE_DELAY=0" ;;
      h2-async) opts="-Dgrid.db.url=$(printf "$h2_url" async)" ;;
      postgres)
        psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname='grid_bench'" | grep -q 1 \
          || psql -h 127.0.0.1 -U postgres -d postgres -qc "create database grid_bench"
        opts="-Dgrid.db.driver=postgresql -Dgrid.db.url=jdbc:postgresql://127.0.0.1:5432/grid_bench -Dgrid.db.user=postgres -Dgrid.db.password=trust" ;;
      *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
    GRID_OPTS="$opts ${GRID_OPTS:-}" "$root/bench/run.sh" --scenario backlog --targets controller --rounds 1 --items "$items"
  done
done

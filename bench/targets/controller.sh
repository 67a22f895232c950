#!/usr/bin/env bash
# The XMPP-Grid controller as a benchmark target: controller.sh provision N
# The node must be running (mvn -Prun -DskipTests install, from the project directory); accounts
# bench-pub and bench-sub0..N-1 (password bench-password-1, role template trusted) are created through the
# administration API; existing ones are kept.
set -euo pipefail
cmd=${1:?provision N}
n=${2:-100}
root=$(cd "$(dirname "$0")/../.." && pwd)
token_file=${GRID_TOKEN_FILE:-$root/config/target/node/data/grid/admin-token}
api=${GRID_API:-http://127.0.0.1:8080/grid-admin/api}
token=$(cat "$token_file")
case $cmd in
  provision)
    create() {
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
        --data-urlencode "name=$1" --data-urlencode 'password=bench-password-1' --data-urlencode 'role=trusted' "$api/platforms")
      [ "$code" = 201 ] || [ "$code" = 409 ] || { echo "creating $1 failed: HTTP $code" >&2; exit 1; }
    }
    create bench-pub
    # the subscribers over concurrent requests (the API answers ~150 creations/s; one curl at a time ~16/s)
    java -jar "$root/bench/target/grid-bench.jar" provision --api "$api" --token-file "$token_file" \
      --names bench-sub --count "$n" --concurrency 8 > /dev/null
    echo "controller: bench-pub and $n subscribers provisioned"
    ;;
  *) echo "usage: controller.sh provision N" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Chooses the database of an integration-test server: test-database.sh PROPERTIES_FILE DBNAME
# When a PostgreSQL answers on 127.0.0.1:5432 (user postgres, as on CI), a fresh database DBNAME is
# created and PROPERTIES_FILE points the server's GridDS at it; otherwise the file stays empty and the
# server uses its embedded H2. The server reads the file with -P (see arquillian.xml).
set -euo pipefail
props=$1 db=$2
: > "$props"
if command -v psql >/dev/null 2>&1 && psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists $db" -c "create database $db" >/dev/null
  printf 'grid.db.driver=postgresql\ngrid.db.url=jdbc:postgresql://127.0.0.1:5432/%s\ngrid.db.user=postgres\ngrid.db.password=trust-auth-ignores-this\n' "$db" > "$props"
  echo "integration tests use PostgreSQL database $db on 127.0.0.1:5432"
else
  echo "integration tests use the embedded H2 database (no PostgreSQL on 127.0.0.1:5432)"
fi

#!/usr/bin/env bash
# Load test of the production layout (issue 16): 200 people through nginx at
# once — clerks at the windows, visitors in the policy zone, enterprises with
# the calculator, the manager's dashboard (bench/locustfile.py).
#
#   bench/load.sh                         # USERS=200 SPAWN=10 DURATION=3m
#
# 1. A template database with the full demo (setup_demo --demo), made once:
#    several minutes; later runs copy it in seconds (LOAD_TEMPLATE, or
#    LOAD_REBUILD=1 to make it again).
# 2. scripts/deploy-check brings the layout up on a copy of it (nginx, two
#    gunicorn app servers, two RQ workers, PostgreSQL, Redis), smoke-tests it,
#    then runs locust headless against nginx; everything is torn down after.
# 3. Prints p50/p95/p99 and errors per endpoint group, the load average before
#    and after, and 5xx counts from nginx's log; writes bench/out/load/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PGURL=${DEPLOY_PG:-postgres://postgres@127.0.0.1:5432}
TEMPLATE=${LOAD_TEMPLATE:-tb_deploy_load_template}
OUT=bench/out/load
mkdir -p "$OUT"

exists=$(psql "$PGURL/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$TEMPLATE'")
if [ -z "$exists" ] || [ -n "${LOAD_REBUILD:-}" ]; then
  echo "== template database $TEMPLATE with the full demo (once; several minutes)"
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $TEMPLATE WITH (FORCE)"
  psql "$PGURL/postgres" -qc "CREATE DATABASE $TEMPLATE"
  DATABASE_URL="$PGURL/$TEMPLATE" "$BIN/python" manage.py migrate --noinput -v0
  DATABASE_URL="$PGURL/$TEMPLATE" "$BIN/python" manage.py setup_demo --demo >/dev/null
fi

export DEPLOY_TEMPLATE=$TEMPLATE
export DEPLOY_DB=${DEPLOY_DB:-tb_deploy_load}
export DEPLOY_PORT=${DEPLOY_PORT:-8380}
export DEPLOY_REDIS_URL=${DEPLOY_REDIS_URL:-redis://127.0.0.1:6379/7}
export DEPLOY_CACHE_URL=${DEPLOY_CACHE_URL:-$DEPLOY_REDIS_URL}
# The rate limits count per person or per address, and every simulated person
# comes from this one address: raised for the run, or the test would measure
# the limiter (429s). In production each person has their own address.
export TONGBAN_RATE_LOGIN=100000/m TONGBAN_RATE_SEARCH=100000/m TONGBAN_RATE_SUGGEST=100000/m
export LOAD_USERS=${USERS:-200} LOAD_SPAWN=${SPAWN:-10} LOAD_DURATION=${DURATION:-3m} LOAD_OUT=$OUT BIN
export DEPLOY_THEN='
  cat /proc/loadavg > "$LOAD_OUT/loadavg-before.txt"
  "$BIN/locust" -f bench/locustfile.py --headless -u "$LOAD_USERS" -r "$LOAD_SPAWN" -t "$LOAD_DURATION" \
      --host "$DEPLOY_URL" --csv "$LOAD_OUT/load" --only-summary --loglevel WARNING \
      > "$LOAD_OUT/locust.txt" 2>&1 || true
  cat /proc/loadavg > "$LOAD_OUT/loadavg-after.txt"
  cp "$DEPLOY_RUN/nginx-error.log" "$LOAD_OUT/" 2>/dev/null || true
  grep -c "\"status\":5" "$DEPLOY_RUN/nginx-access.log" > "$LOAD_OUT/nginx-5xx.txt" || true
  grep -h "\"status\":5" "$DEPLOY_RUN/nginx-access.log" | head -20 > "$LOAD_OUT/nginx-5xx-sample.txt" || true
  grep -h "Traceback\|\"level\":\"ERROR\"" "$DEPLOY_RUN"/app*/app.log | head -20 > "$LOAD_OUT/app-errors.txt" || true
  "$BIN/python" bench/load_report.py "$LOAD_OUT"
'
scripts/deploy-check

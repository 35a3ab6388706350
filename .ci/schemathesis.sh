#!/usr/bin/env bash
# Schemathesis against a live server: every operation of /api/schema/ with about 20 generated
# requests each (positive and negative), as a superuser with a DRF token, then anonymously (the
# public path: small-cell suppression, the cached national payloads); fails on any 5xx
# (not_a_server_error) or any response that does not match the schema (response_schema_conformance).
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuopin_ci bash .ci/schemathesis.sh
#
# Data: when the database has no current 2020 run, the script loads the tree, the tags and one demo
# county (622921, 2019-2020) and scores both periods, so the score endpoints return rows (checked).
# Server: gunicorn, 2 workers, on a free port of 127.0.0.1, DEBUG off, throttling off
# (TUOPIN_API_THROTTLE=0: hundreds of requests a minute are the point), Celery eager
# (CELERY_BROKER_URL unset). Its log (tracebacks) is printed when the run fails.
# Excluded: POST /api/v1/imports/{id}/commit/ and /undo/ (they write or remove committed survey
# data, and a generated id can name a real batch). POST /api/v1/imports/ stays in: it validates and
# keeps a report (dry_run), and a generated file never passes validation, so nothing is committed.
# Phases: coverage (boundary and invalid values from the schema), fuzzing (SCHEMATHESIS_EXAMPLES per
# operation, 20), stateful (sequences through the schema's links). SCHEMATHESIS_SEED is fixed, so a
# failure reproduces. About a minute on a loaded database; loading one adds about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL)}"
: "${CACHE_URL:=}"
export DATABASE_URL CACHE_URL TUOPIN_API_THROTTLE=0 DEBUG=0
unset CELERY_BROKER_URL
PY=.venv/bin/python

if ! $PY manage.py shell -c "
import sys
from indicators.models import ComputationRun
sys.exit(0 if ComputationRun.objects.filter(is_current=True, period_id=2020).exists() else 1)
" >/dev/null 2>&1; then
  # enough for every endpoint to return rows, in about a minute: the tree (no boundaries: the API has
  # no geometry), the tags, one demo county over two periods, both scored
  echo "loading the tree and one demo county, scoring 2019 and 2020 (no current 2020 run in the database)"
  $PY manage.py migrate --noinput -v 0
  $PY manage.py import_divisions >/dev/null
  $PY manage.py import_region_tags >/dev/null
  $PY manage.py generate_demo --counties 622921 --periods 2019-2020 >/dev/null
  for year in 2019 2020; do $PY manage.py recompute --period "$year" --verbosity 0 >/dev/null; done
fi

DJANGO_SUPERUSER_PASSWORD="$(head -c 24 /dev/urandom | base64)" \
  $PY manage.py createsuperuser --noinput --username schemathesis --email schemathesis@example.invalid \
  >/dev/null 2>&1 || true  # already there
TOKEN=$($PY manage.py drf_create_token schemathesis | awk '{print $3}')
[ ${#TOKEN} -eq 40 ] || { echo "no token" >&2; exit 1; }

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp)
.venv/bin/gunicorn config.wsgi -w 2 -b "127.0.0.1:$PORT" --timeout 60 --access-logfile - >"$LOG" 2>&1 &
SERVER=$!
stop() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -f "$LOG"
}
trap stop EXIT
get() {  # GET a path of the server (with the token when a second argument is given); the body on stdout
  $PY -c 'import sys, urllib.request as u
r = u.Request(sys.argv[1], headers={"Authorization": "Token " + sys.argv[2]} if len(sys.argv) > 2 else {})
sys.stdout.write(u.urlopen(r, timeout=30).read().decode())' "http://127.0.0.1:$PORT$1" "${@:2}"
}
for _ in $(seq 60); do
  get /api/schema/ >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 1
done

for path in "region-scores/?level=3&period=2020" "household-scores/?page_size=1"; do  # rows to check
  body=$(get "/api/v1/$path" "$TOKEN")
  [[ $body == *'"results":[{'* ]] || { echo "no rows at /api/v1/$path" >&2; exit 1; }
done

run() {  # the arguments: the authentication header, or none (anonymous)
  timeout 600 .venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/schema/" "$@" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-20}" \
    --seed "${SCHEMATHESIS_SEED:-20201231}" \
    --exclude-path-regex '/imports/\{[^}]+\}/(commit|undo)/$' \
    --generation-database none \
    --request-timeout 30 \
    --workers 2 \
    --no-color
}
status=0
echo "--- as an administrator (token)"
run -H "Authorization: Token $TOKEN" || status=$?
echo "--- anonymous (public scores: suppression and the cached national payloads)"
run || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (errors)"
  grep -v '"GET \|"POST \|"PUT \|"PATCH \|"DELETE \|"HEAD \|"OPTIONS ' "$LOG" | tail -200 || true
fi
exit "$status"

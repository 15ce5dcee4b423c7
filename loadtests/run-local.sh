#!/usr/bin/env bash
# `make loadtest`: a bounded load against a freshly seeded embedded store, ending with the
# verdict; exits with the verdict's code. Settings by environment: LOAD_SHAPE, LOAD_TIME,
# LOAD_PORT, LOAD_DB, LOAD_OUT; extra arguments go to locust.
set -euo pipefail
BIN=${BIN:-.venv/bin}
DB=${LOAD_DB:-var/loadtest.db}
PORT=${LOAD_PORT:-8010}
SHAPE=${LOAD_SHAPE:-loadtests/shapes/steady.yaml}
TIME=${LOAD_TIME:-60s}
OUT=${LOAD_OUT:-var/load}

mkdir -p "$OUT" "$(dirname "$DB")"
rm -f "$DB" "$DB-wal" "$DB-shm" "$OUT/requests.jsonl"
export OMNILOOM_DATABASE_URL="sqlite:///$DB"
"$BIN/omniloom" seed > /dev/null
"$BIN/omniloom" serve --port "$PORT" --request-log "$OUT/requests.jsonl" > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
# Wait until the server accepts connections (it first prints its keys, then listens).
"$BIN/python" - "$PORT" <<'EOF'
import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("the server did not start; see the server.log beside the results")
EOF
"$BIN/locust" -f loadtests/locustfile.py --host "http://127.0.0.1:$PORT" --headless \
    --only-summary --run-time "$TIME" --shape-file "$SHAPE" --results-dir "$OUT" \
    --verdict --request-log "$OUT/requests.jsonl" "$@"

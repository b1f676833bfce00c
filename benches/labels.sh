#!/usr/bin/env bash
# The label page under load (issue 17), measured the way shoppers load it: random issued codes
# over 1,000,000 labels, a writer changing a right every 100 ms beside the readers, 64
# connections, throughput as a share of /healthz in the same run; then scans counted exactly:
# after a clean stop (SIGTERM), the stored scans have grown by exactly what the service counted,
# and a fixed-count phase (benches/label_scans.py, N requests sent) adds exactly N.
#
#   benches/labels.sh /work/bench-data/labels-sqlite                  # SQLite (creates the data once)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gi_bench_labels \
#       benches/labels.sh /work/bench-data/labels-pg                  # PostgreSQL
#
# knobs: BENCH_ENTERPRISES=10000 BATCHES=10 (of 100,000 labels each) DURATION=10s WARMUP=2s
#        CONNS=64 THREADS=2 WRITE_INTERVAL=0.1 EXACT=20000 SKIP_BUILD=1
# Steps: build; demo data if missing; as the demo reviewer, set a quota and order one batch of
# 100,000 for each of BATCHES rights, and download their codes (once); start the service and time
# start -> /readyz; wrk (benches/register.lua) over /healthz, /l/{code} and
# /api/v1/public/labels/{code}; the fixed-count phase; SIGTERM; compare the stored scans.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DATA=${1:-target/bench-labels}
ENTERPRISES=${BENCH_ENTERPRISES:-10000}
BATCHES=${BATCHES:-10}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WRITE_INTERVAL=${WRITE_INTERVAL:-0.1}
EXACT=${EXACT:-20000}
BIN=${CARGO_TARGET_DIR:-target}/release/gi-registry
[[ "$BIN" = /* ]] || BIN="$ROOT/$BIN"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --locked >&2

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
WORK="$DATA/bench"
mkdir -p "$WORK"
: >"$WORK/wrk.log"
if [ -n "${DATABASE_URL:-}" ]; then DB_KIND=postgres; else DB_KIND=sqlite; fi
export GI_DATA_DIR="$DATA" GI_METRICS_PUBLIC=true

if ! RUST_LOG=warn "$BIN" migrate >&2 || [ ! -f "$DATA/.demo-done" ]; then
    echo "creating $ENTERPRISES demo enterprises in $DATA ($DB_KIND)" >&2
    RUST_LOG=warn "$BIN" demo-data --enterprises "$ENTERPRISES" >&2
    touch "$DATA/.demo-done"
fi

PORT=${BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
BASE="http://127.0.0.1:$PORT"
PID="" WRITER=""
cleanup() {
    [ -n "$WRITER" ] && kill "$WRITER" 2>/dev/null || true
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
}
trap cleanup EXIT

start() { # -> READY_MS
    local t0 t1
    t0=$(date +%s%N)
    GI_BIND="127.0.0.1:$PORT" RUST_LOG=info "$BIN" >"$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 3000); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ]; then
            t1=$(date +%s%N)
            READY_MS=$(( (t1 - t0) / 1000000 ))
            return 0
        fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.01
    done
    echo "the service did not become ready; log:" >&2; cat "$WORK/server.log" >&2; exit 1
}

stop() { # SIGTERM and wait: the last scans are flushed on the way out
    kill -TERM "$PID"
    wait "$PID" || true
    PID=""
}

stored_scans() { # the labels' rows plus the log their ranges have not folded
    local sql="SELECT (SELECT COALESCE(SUM(scans), 0) FROM labels) + (SELECT COALESCE(SUM(l.scans), 0) FROM label_scan_log l JOIN label_fold_ranges f ON f.range_no = l.range_no WHERE l.seq > f.folded_seq)"
    if [ "$DB_KIND" = postgres ]; then
        psql "$DATABASE_URL" -Atc "$sql"
    else
        python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DATA/gi-registry.db" "$sql"
    fi
}

api() { # method path token [json]
    curl -s -X "$1" -H 'content-type: application/json' -H "authorization: Bearer $3" \
        ${4:+--data "$4"} "$BASE$2"
}

start
TOKEN=$(curl -s -H 'content-type: application/json' \
    --data '{"username":"demo.reviewer","password":"demo-password-2026"}' \
    "$BASE/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
api GET "/api/v1/authorizations?status=active&per_page=100" "$TOKEN" |
    python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)["items"]]' >"$WORK/rights.txt"
if [ ! -f "$DATA/.labels-done" ]; then
    YEAR=$(TZ=Asia/Shanghai date +%Y)
    t0=$(date +%s.%N)
    head -n "$BATCHES" "$WORK/rights.txt" | while read -r right; do
        api PUT "/api/v1/authorizations/$right/label-quota" "$TOKEN" "{\"year\":$YEAR,\"quantity\":100000}" >/dev/null
        batch=$(api POST "/api/v1/authorizations/$right/label-batches" "$TOKEN" '{"quantity":100000}' |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
        echo "$batch"
    done >"$WORK/batches.txt"
    t1=$(date +%s.%N)
    echo "issued $BATCHES batches of 100,000 in $(python3 -c "print(f'{$t1-$t0:.1f}')") s" | tee "$DATA/.labels-done" >&2
fi
: >"$WORK/codes.csv"
while read -r batch; do
    api GET "/api/v1/label-batches/$batch/codes.csv" "$TOKEN" | tail -n +2 >>"$WORK/codes.csv"
done <"$WORK/batches.txt"
cut -d, -f1 "$WORK/codes.csv" | tr -d '\r' | sed 's|^|/l/|' >"$WORK/page.txt"
sed 's|^/l/|/api/v1/public/labels/|' "$WORK/page.txt" >"$WORK/api.txt"
echo /healthz >"$WORK/healthz.txt"
LABELS=$(wc -l <"$WORK/page.txt")
stop

# Each run's flushes leave about a million dead label rows behind. A server with autovacuum on
# (the default) clears them between runs; where it is off (this workplace's machines), the
# tables are vacuumed here, or every run would measure the bloat of all the runs before it.
if [ "$DB_KIND" = postgres ] && [ "$(psql "$DATABASE_URL" -Atc 'SHOW autovacuum')" = off ]; then
    psql "$DATABASE_URL" -qc 'VACUUM (ANALYZE) labels, label_scan_log, label_fold_ranges, label_flush_counter'
fi
BEFORE=$(stored_scans)
start
measure() { # lines-file -> RESULT line
    if [ "$WARMUP" != 0 ]; then
        LINES_FILE="$1" wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" --timeout 10s -s benches/register.lua "$BASE" >/dev/null
    fi
    LINES_FILE="$1" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s benches/register.lua "$BASE" |
        tee -a "$WORK/wrk.log" | grep '^RESULT'
}
declare -A RESULTS
RESULTS[healthz]=$(measure "$WORK/healthz.txt")
python3 benches/register_writer.py "$BASE" "$WORK/rights.txt" --interval "$WRITE_INTERVAL" \
    >"$WORK/writer.txt" 2>"$WORK/writer.log" &
WRITER=$!
sleep 1
RESULTS[page]=$(measure "$WORK/page.txt")
RESULTS[api]=$(measure "$WORK/api.txt")
kill -TERM "$WRITER"; wait "$WRITER" || true; WRITER=""
RSS_KB=$(ps -o rss= -p "$PID" | tr -d ' ')
curl -s "$BASE/metrics" >"$WORK/metrics.txt"
COUNTED=$(awk '/^gi_label_scans_counted_total/ {print $2}' "$WORK/metrics.txt")
FLUSHES=$(awk '/^gi_label_scan_flushes_total/ {print $2}' "$WORK/metrics.txt")
FLUSH_SECONDS=$(awk '/^gi_label_scan_flush_seconds_total/ {print $2}' "$WORK/metrics.txt")
stop
AFTER_WRK=$(stored_scans)
start
SENT=$(python3 benches/label_scans.py "$BASE" "$WORK/api.txt" "$EXACT" --conns "$CONNS")
stop
AFTER_EXACT=$(stored_scans)

echo "== $(date -u '+%F %T') UTC; $DB_KIND; $ENTERPRISES demo enterprises, $LABELS labels issued; $(nproc) cores; wrk -t$THREADS -c$CONNS -d$DURATION (after ${WARMUP} warm-up); writer every ${WRITE_INTERVAL}s during the label workloads"
echo
echo "| workload | req/s | share of /healthz | p50 ms | p99 ms | non-2xx | 5xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|"
for w in healthz page api; do
    case $w in healthz) l="/healthz" ;; page) l="label page /l/{code}, random issued code" ;; api) l="label JSON /api/v1/public/labels/{code}" ;; esac
    python3 - "$l" "${RESULTS[healthz]}" "${RESULTS[$w]}" <<'PY'
import sys
label, healthz, line = sys.argv[1:]
def parse(s):
    return {k: float(v) for k, v in (kv.split("=") for kv in s.split()[1:])}
h, r = parse(healthz), parse(line)
s5xx = "—" if r["s5xx"] < 0 else f"{r['s5xx']:.0f}"  # counted only with STATUS_CLASSES=1
print(f"| {label} | {r['rps']:.0f} | {100 * r['rps'] / h['rps']:.1f} % | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
      f"| {r['requests'] - r['s2xx']:.0f} | {s5xx} | {r['socket_errors']:.0f} |")
PY
done
echo
echo "- start → /readyz 200 with $LABELS labels: $READY_MS ms ($(grep -o '"label index built".*' "$WORK/server.log" | head -1 || true))"
echo "- RSS after the wrk runs (ps -o rss): $(( RSS_KB / 1024 )) MB"
echo "- scans stored before: $BEFORE; counted by the service during wrk: $COUNTED; stored after its clean stop: $AFTER_WRK (grew $(( AFTER_WRK - BEFORE )))"
echo "- flushes that wrote scans: ${FLUSHES:-?}, $(python3 -c "import sys; f, s = sys.argv[1:]; print(f'{1000 * float(s) / max(float(f), 1):.0f} ms each on average')" "${FLUSHES:-0}" "${FLUSH_SECONDS:-0}")"
echo "- fixed count: $SENT; stored grew $(( AFTER_EXACT - AFTER_WRK ))"
echo "- writer: $(cat "$WORK/writer.txt")"

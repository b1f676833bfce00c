#!/usr/bin/env bash
# The public register under load (issue 12), measured the way users load it: random credit codes
# over the whole data set, random name fragments, a writer changing a right every 100 ms beside
# the readers, 64 connections, every workload's throughput as a share of /healthz in the same run.
#
#   benches/register.sh /work/bench-data/sqlite-100k                  # SQLite (creates the data once)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gi_bench_100k \
#       benches/register.sh /work/bench-data/pg-100k                  # PostgreSQL (data dir: secrets)
#   BENCH_ENTERPRISES=2000 DURATION=5s benches/register.sh /tmp/small
#
# knobs: BENCH_ENTERPRISES=100000 DURATION=10s WARMUP=2s CONNS=64 THREADS=2 WRITE_INTERVAL=0.1
#        BENCH_PORT (default: a free port) SKIP_BUILD=1 (use target/release/gi-registry as it is)
# Steps: build the release binary; create demo data if missing (`gi-registry demo-data`, timed);
# draw request lines from the data (benches/register_data.py); start the service and time
# start -> /readyz 200; wrk (benches/register.lua) over /healthz, then verify, search, home and goal
# with benches/register_writer.py running beside them. Before each workload the script waits until
# /readyz answers in < 0.2 s, so one workload's backlog does not count against the next. Prints one
# Markdown table, start->readyz, the process's RSS after the run and the writer's changes.
# Request lines, wrk output and logs go to $DATA/bench/.
set -euo pipefail
# The verify workload expects some 404s (unknown codes): count the status classes.
export STATUS_CLASSES=1
cd "$(dirname "$0")/.."
ROOT=$PWD

DATA=${1:-target/bench-register}
ENTERPRISES=${BENCH_ENTERPRISES:-100000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WRITE_INTERVAL=${WRITE_INTERVAL:-0.1}
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

if ! GI_DATA_DIR="$DATA" RUST_LOG=warn "$BIN" migrate >&2 || [ ! -f "$DATA/.demo-done" ]; then
    echo "creating $ENTERPRISES demo enterprises in $DATA ($DB_KIND)" >&2
    t0=$(date +%s.%N)
    GI_DATA_DIR="$DATA" RUST_LOG=warn "$BIN" demo-data --enterprises "$ENTERPRISES" >&2
    t1=$(date +%s.%N)
    echo "demo-data --enterprises $ENTERPRISES: $(python3 -c "print(f'{$t1-$t0:.0f}')") s" | tee "$DATA/.demo-done" >&2
fi

if [ "$DB_KIND" = postgres ]; then
    python3 benches/register_data.py "$WORK" --postgres "$DATABASE_URL" >"$WORK/data.txt"
else
    python3 benches/register_data.py "$WORK" --sqlite "$DATA/gi-registry.db" >"$WORK/data.txt"
fi

PORT=${BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
BASE="http://127.0.0.1:$PORT"
PID="" WRITER=""
cleanup() {
    [ -n "$WRITER" ] && kill "$WRITER" 2>/dev/null || true
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
}
trap cleanup EXIT

t0=$(date +%s%N)
GI_DATA_DIR="$DATA" GI_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
PID=$!
ready=""
for _ in $(seq 1 3000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ]; then ready=1; break; fi
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.01
done
t1=$(date +%s%N)
[ -n "$ready" ] || { echo "the service did not become ready; log:" >&2; cat "$WORK/server.log" >&2; exit 1; }
READY_MS=$(( (t1 - t0) / 1000000 ))

drain() { # wait until the previous workload's backlog is gone: /readyz (one query) answers in < 0.2 s
    for _ in $(seq 1 120); do
        t=$(curl -s -o /dev/null -m 30 -w '%{time_total}' "$BASE/readyz" || echo 30)
        python3 -c "import sys; sys.exit(0 if $t < 0.2 else 1)" && return 0
        sleep 1
    done
    echo "the service did not drain in 120 s" >&2
}

measure() { # lines-file -> RESULT line
    drain
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
WORKLOADS=(verify search home goal)
for w in "${WORKLOADS[@]}"; do RESULTS[$w]=$(measure "$WORK/$w.txt"); done
kill -TERM "$WRITER"
wait "$WRITER" || true
WRITER=""
RSS_KB=$(ps -o rss= -p "$PID" | tr -d ' ')

label() {
    case $1 in
    healthz) echo "/healthz" ;;
    verify) echo "verify, random code (10 % without a right or unknown)" ;;
    search) echo "search, random fragment (1-2 chars, no match, registry prefix)" ;;
    home) echo "home page / (half with a random ?q=)" ;;
    goal) echo "goal" ;;
    esac
}

echo "== $(date -u '+%F %T') UTC; $DB_KIND; $(head -1 "$WORK/data.txt"); $(nproc) cores; wrk -t$THREADS -c$CONNS -d$DURATION (after ${WARMUP} warm-up); writer every ${WRITE_INTERVAL}s during verify..goal"
echo
echo "| workload | req/s | share of /healthz | p50 ms | p99 ms | non-2xx (unexpected) | 404 (no right / unknown code) | 5xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|---|"
for w in healthz "${WORKLOADS[@]}"; do
    python3 - "$(label "$w")" "$w" "${RESULTS[healthz]}" "${RESULTS[$w]}" <<'PY'
import sys
label, workload, healthz, line = sys.argv[1:]
def parse(s):
    return {k: float(v) for k, v in (kv.split("=") for kv in s.split()[1:])}
h, r = parse(healthz), parse(line)
expected_404 = r["s404"] if workload == "verify" else 0
unexpected = r["requests"] - r["s2xx"] - expected_404
print(f"| {label} | {r['rps']:.0f} | {100 * r['rps'] / h['rps']:.1f} % | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
      f"| {unexpected:.0f} | {expected_404:.0f} | {r['s5xx']:.0f} | {r['socket_errors']:.0f} |")
PY
done
echo
echo "- start → /readyz 200: $READY_MS ms"
echo "- RSS after the run (ps -o rss): $(( RSS_KB / 1024 )) MB"
echo "- writer: $(cat "$WORK/writer.txt")"

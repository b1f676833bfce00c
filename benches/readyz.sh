#!/usr/bin/env bash
# /readyz under a flood (anyone may send it), beside the writer: wrk on /healthz, then on
# /readyz, 64 connections, each with benches/register_writer.py changing a right every 100 ms.
# Run on the data benches/labels.sh made (it needs that run's bench/rights.txt):
#
#   SKIP_BUILD=1 benches/readyz.sh /work/bench-data/labels-sqlite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gi_bench_labels \
#       SKIP_BUILD=1 benches/readyz.sh /work/bench-data/labels-pg
#
# knobs: DURATION=10s CONNS=64 THREADS=2 WRITE_INTERVAL=0.1 SKIP_BUILD=1
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=$(cd "${1:?the data directory of a benches/labels.sh run}" && pwd)
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WRITE_INTERVAL=${WRITE_INTERVAL:-0.1}
BIN=${CARGO_TARGET_DIR:-target}/release/gi-registry
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --locked >&2
[ -f "$DATA/bench/rights.txt" ] || { echo "run benches/labels.sh on $DATA first" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
PID="" WRITER=""
cleanup() {
    [ -n "$WRITER" ] && kill "$WRITER" 2>/dev/null || true
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

GI_DATA_DIR="$DATA" GI_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 1000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ] && break
    sleep 0.02
done

echo "| workload | req/s | p50 ms | p99 ms | non-2xx | writer beside it |"
echo "|---|---|---|---|---|---|"
for path in /healthz /readyz; do
    echo "$path" >"$WORK/lines.txt"
    python3 benches/register_writer.py "$BASE" "$DATA/bench/rights.txt" --interval "$WRITE_INTERVAL" \
        >"$WORK/writer.txt" 2>/dev/null &
    WRITER=$!
    result=$(LINES_FILE="$WORK/lines.txt" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s \
        -s benches/register.lua "$BASE" | grep '^RESULT')
    kill -TERM "$WRITER" 2>/dev/null || true; wait "$WRITER" || true; WRITER=""
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$result"; }
    echo "| $path | $(field rps) | $(field p50_ms) | $(field p99_ms) | $(( $(field requests) - $(field s2xx) )) | $(sed 's/^WRITER //' "$WORK/writer.txt") |"
done

#!/usr/bin/env bash
# Load benchmark on the release build, with wrk from a second process on loopback: health,
# verify, search, goal, the home page, sign-in and the signed-in pages (the review queue, one
# application, a producer's list, with a session cookie), then submit-and-approve cycles
# (benches/workflow_cycle.py). Creates the demo data on first use.
#
#   benches/public.sh                 # 100,000 demo enterprises in target/bench-data
#   BENCH_ENTERPRISES=2000 DURATION=5s benches/public.sh /tmp/small
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gi_bench benches/public.sh /tmp/pg-bench
#
# Prints a Markdown table: requests/s, p50 and p99 latency for each endpoint at 1 and 64
# connections, and each one's throughput as a share of /healthz in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${1:-target/bench-data}
ENTERPRISES=${BENCH_ENTERPRISES:-100000}
DURATION=${DURATION:-10s}
PORT=${BENCH_PORT:-18300}
BIN=target/release/gi-registry

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked >&2

mkdir -p "$DATA"
if ! GI_DATA_DIR="$DATA" "$BIN" migrate >&2 || [ ! -f "$DATA/.demo-done" ]; then
    echo "creating $ENTERPRISES demo enterprises in $DATA" >&2
    GI_DATA_DIR="$DATA" RUST_LOG=warn "$BIN" demo-data --enterprises "$ENTERPRISES" >&2
    touch "$DATA/.demo-done"
fi

GI_DATA_DIR="$DATA" GI_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.1
done

BASE="http://127.0.0.1:$PORT"
CODE=$(curl -sf "$BASE/api/v1/public/authorized-users?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["uscc"])')

# Session cookies for the signed-in pages: the demo reviewer and the first demo producer.
session() {
    curl -sf "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"demo-password-2026\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
REVIEWER=$(session demo.reviewer)
PRODUCER=$(session demo000000)
APPLICATION=$(curl -sf "$BASE/api/v1/applications?sort=urgency&per_page=1" -H "authorization: Bearer $REVIEWER" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

# name | path | wrk script | session token
ENDPOINTS=(
    "healthz|/healthz"
    "verify by credit code|/api/v1/public/verify/$CODE"
    "search by name part (云岭)|/api/v1/public/authorized-users?q=%E4%BA%91%E5%B2%AD"
    "search by name part, rare (仙湖宝晶)|/api/v1/public/authorized-users?q=%E4%BB%99%E6%B9%96%E5%AE%9D%E6%99%B6"
    "search, no filter (first page)|/api/v1/public/authorized-users"
    "goal|/api/v1/public/goal"
    "home page|/"
    "login (argon2id)|/api/v1/auth/login|benches/login.lua"
    "review queue page (signed in)|/review||$REVIEWER"
    "one application page (signed in)|/review/$APPLICATION||$REVIEWER"
    "my applications page (signed in)|/applications||$PRODUCER"
)

measure() { # connections path [lua script] [session token] -> "rps p50 p99 non-2xx"
    local script=()
    [ -n "${3:-}" ] && script=(-s "$3")
    [ -n "${4:-}" ] && script+=(-H "Cookie: gi_session=$4")
    wrk -t"$(( $1 < 2 ? 1 : 2 ))" -c"$1" -d"$DURATION" --latency "${script[@]}" "$BASE$2" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
p50, p99 = ms("50%"), ms("99%")
bad = errors.group(1) if errors else 0
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {bad}")
'
}

echo "| endpoint | conns | req/s | p50 ms | p99 ms | vs /healthz | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for conns in 1 64; do
    healthz_rps=""
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path script token <<<"$entry"
        read -r rps p50 p99 bad < <(measure "$conns" "$path" "$script" "$token")
        [ -z "$healthz_rps" ] && healthz_rps=$rps
        share=$(python3 -c "print(f'{100*$rps/$healthz_rps:.0f} %')")
        echo "| $name | $conns | $rps | $p50 | $p99 | $share | $bad |"
    done
done

echo
echo "Submit-and-approve cycles (${CYCLES:-200} cycles, 4 clients):"
echo
python3 benches/workflow_cycle.py "$BASE" --cycles "${CYCLES:-200}" --clients 4

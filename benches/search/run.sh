#!/usr/bin/env bash
# Search benchmark: a synthetic library of Vietnamese lessons, the real server's
# start-up (time until search answers, pages served meanwhile, memory), and
# query latency over a mixed query set. See README.md beside this file.
#
#   bash benches/search/run.sh
#
# Settings (environment, all optional):
#   LESSONS=10000     lessons in the synthetic library (100 per course, about 400 words each)
#   ROUNDS=25         rounds of the query set for the latency figures
#   HTTP_ROUNDS=25    rounds of the query set over HTTP (keep-alive), per kind of request
#   EDITS=10          lessons edited one at a time, each timed until its page and search show it
#   ANSWERS=FILE      keep the uncompressed API answers of the query set there (to compare two builds)
#   SKIP_BUILD=1      use the existing release binaries as they are
set -euo pipefail

LESSONS=${LESSONS:-10000}
ROUNDS=${ROUNDS:-25}
HTTP_ROUNDS=${HTTP_ROUNDS:-25}
EDITS=${EDITS:-10}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }
command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install curl)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-search-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    local rc=$?
    set +e
    if [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
if [[ ${SKIP_BUILD:-} != 1 ]]; then
    say "building the release server and the benchmark tool"
    cargo build --release -p daotao-server --bin daotao-server --example search-bench >&2 || die "the release build failed"
fi
BIN="$TARGET/daotao-server"
BENCH="$TARGET/examples/search-bench"
[[ -x $BIN && -x $BENCH ]] || die "release binaries not found in $TARGET"

say "generating $LESSONS lessons from the bundled courses' sentences"
"$BENCH" generate "$WORK/courses" "$LESSONS" "$ROOT/courses" >&2
du -sh "$WORK/courses" >&2

# --- the real server's start-up -------------------------------------------------------------
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

say "starting daotao-server on $BASE with the synthetic library"
START=$(now)
DAOTAO_BIND="127.0.0.1:$PORT" DAOTAO_DATABASE_URL="sqlite://$WORK/bench.sqlite" \
    DAOTAO_COURSES_DIR="$WORK/courses" DAOTAO_LOG=info NO_COLOR=1 \
    "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

LISTENING=""
SEARCHABLE=""
PAGE_MAX_MS=0
PAGES_WHILE_INDEXING=0
for _ in $(seq 1 1200); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$WORK/server.log" >&2; die "daotao-server exited"; }
    if [[ -z $LISTENING ]] && curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then
        LISTENING=$(since "$START")
    fi
    if [[ -n $LISTENING ]]; then
        body=$(curl -fsS "$BASE/api/v1/search?q=chinh+quyen+so&limit=1" || true)
        if [[ $body == *'"total":'* && $body != *'"total":0'* ]]; then
            SEARCHABLE=$(since "$START")
            break
        fi
        # Still indexing: a lesson page must answer meanwhile.
        code_ms=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' "$BASE/courses/khoa-000/bai-0")
        [[ ${code_ms%% *} == 200 ]] || die "a lesson page answered ${code_ms%% *} while indexing"
        PAGES_WHILE_INDEXING=$((PAGES_WHILE_INDEXING + 1))
        PAGE_MAX_MS=$(awk -v a="$PAGE_MAX_MS" -v b="${code_ms##* }" 'BEGIN { b *= 1000; printf "%.1f", (b > a ? b : a) }')
    fi
    sleep 0.05
done
[[ -n $SEARCHABLE ]] || die "search did not answer within 60 s"
INDEX_MS=$(sed -n 's/.*search index built.*elapsed_ms=\([0-9]*\).*/\1/p' "$WORK/server.log" | head -n1)
sleep 1
RSS=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
HWM=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")

# --- query latency over HTTP, then edits, on the running server ----------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
say "measuring query latency over HTTP, keep-alive ($HTTP_ROUNDS rounds of the query set per kind)"
HTTP_LOAD=$(loadavg)
HTTP=$("$BENCH" http "$BASE" "$HTTP_ROUNDS" ${ANSWERS:+"$ANSWERS"})
say "editing $EDITS lessons, one at a time, each until its page and search show it"
EDIT_LOAD=$(loadavg)
EDIT=$("$BENCH" edit "$BASE" "$WORK/courses" "$EDITS")
REINDEXED=$(grep -c 'search index updated' "$WORK/server.log" || true)
REBUILT=$(grep -c 'search index built' "$WORK/server.log" || true)
RSS_AFTER=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# --- query latency, in process ------------------------------------------------------------------
say "measuring query latency in process ($ROUNDS rounds of the query set)"
MEASURE=$("$BENCH" measure "$WORK/courses" "$ROUNDS")

echo
echo "search benchmark: $LESSONS lessons, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| what | figure | aim |"
echo "| --- | ---: | --- |"
echo "| server start to listening (library loaded and rendered, catalog synced) | ${LISTENING} s | |"
echo "| server start to search answering | ${SEARCHABLE} s | under 10 s |"
echo "| index build in the server (log) | ${INDEX_MS} ms | |"
echo "| lesson pages served while indexing (slowest) | ${PAGES_WHILE_INDEXING} (${PAGE_MAX_MS} ms) | served |"
echo "| server resident memory after indexing (peak) | ${RSS} MB (${HWM} MB) | under 300 MB |"
echo
echo "| server resident memory after the edits | ${RSS_AFTER} MB | |"
echo "| index updates of one course (log) / whole rebuilds, start-up included (log) | ${REINDEXED} / ${REBUILT} | |"
echo
echo "Over HTTP, one keep-alive connection per kind (\`search-bench http\`, load average $HTTP_LOAD):"
echo
echo '```'
echo "$HTTP"
echo '```'
echo
echo "Edit to visible (\`search-bench edit\`, load average $EDIT_LOAD):"
echo
echo '```'
echo "$EDIT"
echo '```'
echo
echo "In process (\`search-bench measure\`):"
echo
echo '```'
echo "$MEASURE"
echo '```'

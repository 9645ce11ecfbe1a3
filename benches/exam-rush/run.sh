#!/usr/bin/env bash
# Exam rush: hundreds of learners of one unit log in, then start, answer and
# submit a quiz within seconds, against the release server, on SQLite and on
# PostgreSQL. See README.md beside this file.
#
#   bash benches/exam-rush/run.sh
#
# Settings (environment, all optional):
#   BACKENDS="sqlite postgres"   which databases to run on, in this order
#   LEARNERS=2000                learners in the unit (all enrolled, all log in, all take the quiz)
#   LOGIN_CONCURRENCY=64         logins in flight at once
#   CONCURRENCY=64               learners between start and submit at once
#   COURSE=an-toan-thong-tin-co-ban QUIZ=cuoi-khoa   the bundled quiz taken (20 minutes, 10 of its questions drawn)
#   RIGHT_SHARE=0.8              share of learners who answer from the key (and pass, completing the course)
#   AIM_SECONDS=10 AIM_P99_MS=300  the aim: all started and submitted within, p99 of start and submit under
#   POSTGRES_ADMIN_URL=postgres://postgres@127.0.0.1:5432/test  a server where a throw-away database
#                                is created (daotao_exam_rush, dropped at the end)
#   SKIP_BUILD=1                 use the release binaries as they are
#
# Exit status: 0 when the aim is met on every backend, 1 when it is not, 2 on errors or when it could not measure.
set -euo pipefail

BACKENDS=${BACKENDS:-sqlite postgres}
LEARNERS=${LEARNERS:-2000}
LOGIN_CONCURRENCY=${LOGIN_CONCURRENCY:-64}
CONCURRENCY=${CONCURRENCY:-64}
COURSE=${COURSE:-an-toan-thong-tin-co-ban}
QUIZ=${QUIZ:-cuoi-khoa}
RIGHT_SHARE=${RIGHT_SHARE:-0.8}
AIM_SECONDS=${AIM_SECONDS:-10}
AIM_P99_MS=${AIM_P99_MS:-300}
POSTGRES_ADMIN_URL=${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_NAME=daotao_exam_rush
PASSWORD=mat-khau-thi-2026

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

command -v curl >/dev/null 2>&1 || die "curl is needed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-exam-rush.XXXXXX")
SERVER_PID=""
PG_CREATED=""
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
SERVER="$TARGET/daotao-server"
TOOL="$TARGET/exam-rush"

stop_server() {
    if [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    local rc=$?
    set +e
    stop_server
    if [[ -n $PG_CREATED ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" >/dev/null 2>&1
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

if [[ ${SKIP_BUILD:-} != 1 ]]; then
    say "building the release server and the load tool"
    cargo build --release -p daotao-server -p daotao-exam-rush >&2 || die "the release build failed"
fi
[[ -x $SERVER && -x $TOOL ]] || die "$SERVER or $TOOL not found (build failed?)"

echo "# exam rush, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' plus uncommitted changes')"
echo "machine: $(uname -m), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"

status=0
for backend in $BACKENDS; do
    case $backend in
        sqlite) url="sqlite://$WORK/exam-rush.sqlite" ;;
        postgres)
            url=$("$TOOL" create-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME") \
                || die "cannot create a PostgreSQL database on $POSTGRES_ADMIN_URL"
            PG_CREATED=1
            ;;
        *) die "unknown backend $backend (sqlite or postgres)" ;;
    esac
    say "$backend: seeding $LEARNERS learners"
    "$TOOL" seed --database-url "$url" --courses "$ROOT/courses" --learners "$LEARNERS" \
        --password "$PASSWORD" --course "$COURSE" || die "seeding failed"

    port=$(free_port)
    say "$backend: starting daotao-server on 127.0.0.1:$port (request log at the default level, to a temporary file)"
    NO_COLOR=1 DAOTAO_BIND="127.0.0.1:$port" DAOTAO_DATABASE_URL="$url" DAOTAO_COURSES_DIR="$ROOT/courses" \
        "$SERVER" >"$WORK/server-$backend.log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 1 300); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$WORK/server-$backend.log" >&2; die "daotao-server exited"; }
        ((i == 300)) && { tail -n 30 "$WORK/server-$backend.log" >&2; die "daotao-server not ready after 30 s"; }
        sleep 0.1
    done

    echo
    echo "## $backend"
    rc=0
    "$TOOL" run --base-url "http://127.0.0.1:$port" --courses "$ROOT/courses" --learners "$LEARNERS" \
        --password "$PASSWORD" --course "$COURSE" --quiz "$QUIZ" --right-share "$RIGHT_SHARE" \
        --login-concurrency "$LOGIN_CONCURRENCY" \
        --concurrency "$CONCURRENCY" --aim-seconds "$AIM_SECONDS" --aim-p99-ms "$AIM_P99_MS" || rc=$?
    if grep -Eq ' (ERROR|WARN) ' "$WORK/server-$backend.log"; then
        echo
        echo "server log warnings and errors (first 10):"
        grep -E ' (ERROR|WARN) ' "$WORK/server-$backend.log" | head -n 10 | sed 's/^/    /'
    fi
    stop_server
    if [[ $backend == postgres ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" || true
        PG_CREATED=""
    fi
    ((rc > status)) && status=$rc
done
exit "$status"

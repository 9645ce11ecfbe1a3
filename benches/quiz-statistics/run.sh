#!/usr/bin/env bash
# Quiz statistics (#19): seeds 100,000 submitted attempts of the bundled 10-question quiz, then times the
# item analysis alone and the read + analysis the trainers' page does, on SQLite and on PostgreSQL.
# See README.md beside this file.
#
#   bash benches/quiz-statistics/run.sh
#
# Settings (environment, all optional):
#   BACKENDS="sqlite postgres"   which databases to run on, in this order
#   ATTEMPTS=100000 REPEAT=5     the attempts seeded, the runs of each measure
#   AIM_SECONDS=2                the aim for read + analysis (median)
#   POSTGRES_ADMIN_URL=postgres://postgres@127.0.0.1:5432/test  a server where a throw-away database
#                                is created (daotao_quiz_statistics, dropped at the end)
#   SKIP_BUILD=1                 use the release binary as it is
#
# Exit status: 0 when the aim is met on every backend, 1 when not, 2 on errors.
set -euo pipefail

BACKENDS=${BACKENDS:-sqlite postgres}
ATTEMPTS=${ATTEMPTS:-100000}
REPEAT=${REPEAT:-5}
AIM_SECONDS=${AIM_SECONDS:-2}
POSTGRES_ADMIN_URL=${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_NAME=daotao_quiz_statistics

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-quiz-statistics.XXXXXX")
PG_CREATED=""
TOOL="${CARGO_TARGET_DIR:-$ROOT/target}/release/quiz-statistics"
cleanup() {
    local rc=$?
    set +e
    [[ -n $PG_CREATED ]] && "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" >/dev/null 2>&1
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

if [[ ${SKIP_BUILD:-} != 1 ]]; then
    say "building the benchmark tool (release)"
    cargo build --release -p daotao-quiz-statistics-bench >&2 || die "the release build failed"
fi
[[ -x $TOOL ]] || die "$TOOL not found (build failed?)"

echo "# quiz statistics, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine: $(uname -m), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
for backend in $BACKENDS; do
    case $backend in
        sqlite) url="sqlite://$WORK/quiz-statistics.sqlite" ;;
        postgres)
            url=$("$TOOL" create-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME") \
                || die "cannot create a PostgreSQL database on $POSTGRES_ADMIN_URL"
            PG_CREATED=1
            ;;
        *) die "unknown backend $backend (sqlite or postgres)" ;;
    esac
    echo
    echo "## $backend"
    say "$backend: seeding $ATTEMPTS attempts"
    "$TOOL" seed --database-url "$url" --courses "$ROOT/courses" --attempts "$ATTEMPTS" || die "seeding failed"
    rc=0
    "$TOOL" run --database-url "$url" --courses "$ROOT/courses" --repeat "$REPEAT" --aim-seconds "$AIM_SECONDS" || rc=$?
    if [[ $backend == postgres ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" || true
        PG_CREATED=""
    fi
    ((rc > status)) && status=$rc
done
exit "$status"

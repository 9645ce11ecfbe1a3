#!/usr/bin/env bash
# Report scale: seeds a province of 100,000 learners in 500 units with enrollments, lessons read, quiz
# attempts and competency awards, then times the release `daotao-admin report ...` exports (competency and
# progress, CSV and XLSX) on SQLite and on PostgreSQL, and reads every file back. See README.md beside this file.
#
#   bash benches/report-scale/run.sh
#
# Settings (environment, all optional):
#   BACKENDS="sqlite postgres"   which databases to run on, in this order
#   LEARNERS=100000 UNITS=500    the province seeded (plus INACTIVE=1000 deactivated accounts)
#   AIM_SECONDS=10 AIM_MIB=1024  the aim, per export: wall time and peak resident memory
#   POSTGRES_ADMIN_URL=postgres://postgres@127.0.0.1:5432/test  a server where a throw-away database
#                                is created (daotao_report_scale, dropped at the end)
#   SKIP_BUILD=1                 use the release binaries as they are
#   KEEP=1                       keep the temporary folder (the SQLite file and the exports)
#
# Exit status: 0 when the aim is met by every export on every backend, 1 when it is not, 2 on errors or a wrong
# export (a row count or figure that does not match the database).
set -euo pipefail

BACKENDS=${BACKENDS:-sqlite postgres}
LEARNERS=${LEARNERS:-100000}
INACTIVE=${INACTIVE:-1000}
UNITS=${UNITS:-500}
AIM_SECONDS=${AIM_SECONDS:-10}
AIM_MIB=${AIM_MIB:-1024}
POSTGRES_ADMIN_URL=${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_NAME=daotao_report_scale

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# GNU time measures wall time and peak memory of each export.
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (/usr/bin/time)"
    if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get install -y time >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y time >&2; } \
        || die "GNU time is needed: apt-get install time"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-report-scale.XXXXXX")
PG_CREATED=""
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
ADMIN="$TARGET/daotao-admin"
TOOL="$TARGET/report-scale"

cleanup() {
    local rc=$?
    set +e
    if [[ -n $PG_CREATED ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" >/dev/null 2>&1
    fi
    if [[ ${KEEP:-} == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ${SKIP_BUILD:-} != 1 ]]; then
    say "building the release admin tool and the benchmark tool"
    cargo build --release -p daotao-admin -p daotao-report-scale >&2 || die "the release build failed"
fi
[[ -x $ADMIN && -x $TOOL ]] || die "$ADMIN or $TOOL not found (build failed?)"

echo "# report scale, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' plus uncommitted changes')"
echo "machine: $(uname -m), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
for backend in $BACKENDS; do
    case $backend in
        sqlite) url="sqlite://$WORK/report-scale.sqlite" ;;
        postgres)
            url=$("$TOOL" create-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME") \
                || die "cannot create a PostgreSQL database on $POSTGRES_ADMIN_URL"
            PG_CREATED=1
            ;;
        *) die "unknown backend $backend (sqlite or postgres)" ;;
    esac
    echo
    echo "## $backend"
    say "$backend: seeding $LEARNERS learners in $UNITS units"
    "$TOOL" seed --database-url "$url" --courses "$ROOT/courses" --learners "$LEARNERS" --inactive "$INACTIVE" \
        --units "$UNITS" || die "seeding failed"
    echo
    rc=0
    "$TOOL" run --database-url "$url" --admin "$ADMIN" --courses "$ROOT/courses" --work "$WORK/$backend" \
        --aim-seconds "$AIM_SECONDS" --aim-mib "$AIM_MIB" --label "$backend" || rc=$?
    if [[ $backend == postgres ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" || true
        PG_CREATED=""
    fi
    ((rc > status)) && status=$rc
done
exit "$status"

#!/usr/bin/env bash
# Programmes scale: seeds a province of 100,000 people in 500 units, then times the daily programme
# assignment pass (day 0: everyone assigned; day 1: the daily pass) and the compliance report (CSV per
# person, CSV per unit, XLSX), each step as its own process under /usr/bin/time -v, on SQLite and on
# PostgreSQL, and checks the report against the database. See README.md beside this file.
#
#   bash benches/programmes-scale/run.sh
#
# Settings (environment, all optional):
#   BACKENDS="sqlite postgres"   which databases to run on, in this order
#   PEOPLE=100000 UNITS=500      the province seeded (plus INACTIVE=1000 deactivated accounts)
#   AIM_ASSIGN_SECONDS=30 AIM_REPORT_SECONDS=10 AIM_MIB=1024   the aims, per step
#   POSTGRES_ADMIN_URL=postgres://postgres@127.0.0.1:5432/test  a server where a throw-away database
#                                is created (daotao_programmes_scale, dropped at the end)
#   SKIP_BUILD=1                 use the release binary as it is
#   KEEP=1                       keep the temporary folder (the SQLite file and the reports)
#
# Exit status: 0 when every step meets its aim on every backend, 1 when one does not, 2 on errors or a
# report that does not match the database.
set -euo pipefail

BACKENDS=${BACKENDS:-sqlite postgres}
PEOPLE=${PEOPLE:-100000}
INACTIVE=${INACTIVE:-1000}
UNITS=${UNITS:-500}
AIM_ASSIGN_SECONDS=${AIM_ASSIGN_SECONDS:-30}
AIM_REPORT_SECONDS=${AIM_REPORT_SECONDS:-10}
AIM_MIB=${AIM_MIB:-1024}
POSTGRES_ADMIN_URL=${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_NAME=daotao_programmes_scale

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (/usr/bin/time)"
    if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get install -y time >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y time >&2; } \
        || die "GNU time is needed: apt-get install time"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-programmes-scale.XXXXXX")
PG_CREATED=""
TOOL="${CARGO_TARGET_DIR:-$ROOT/target}/release/programmes-scale"

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
    say "building the benchmark tool (release)"
    cargo build --release -p daotao-programmes-scale >&2 || die "the release build failed"
fi
[[ -x $TOOL ]] || die "$TOOL not found (build failed?)"

echo "# programmes scale, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' plus uncommitted changes')"
echo "machine: $(uname -m), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"

status=0
for backend in $BACKENDS; do
    case $backend in
        sqlite) url="sqlite://$WORK/programmes-scale.sqlite" ;;
        postgres)
            url=$("$TOOL" create-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME") \
                || die "cannot create a PostgreSQL database on $POSTGRES_ADMIN_URL"
            PG_CREATED=1
            ;;
        *) die "unknown backend $backend (sqlite or postgres)" ;;
    esac
    echo
    echo "## $backend"
    say "$backend: seeding $PEOPLE people in $UNITS units"
    "$TOOL" seed --database-url "$url" --courses "$ROOT/courses" --people "$PEOPLE" --inactive "$INACTIVE" \
        --units "$UNITS" || die "seeding failed"
    echo
    rc=0
    "$TOOL" run --database-url "$url" --courses "$ROOT/courses" --work "$WORK/$backend" \
        --aim-assign-seconds "$AIM_ASSIGN_SECONDS" --aim-report-seconds "$AIM_REPORT_SECONDS" \
        --aim-mib "$AIM_MIB" --label "$backend" || rc=$?
    if [[ $backend == postgres ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" || true
        PG_CREATED=""
    fi
    ((rc > status)) && status=$rc
done
exit "$status"

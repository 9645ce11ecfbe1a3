#!/usr/bin/env bash
# Exam rush: thousands of learners of one unit log in, then start, answer and
# submit a quiz within seconds, against the release server, on SQLite and on
# PostgreSQL (there with one server, or several behind a real nginx). See
# README.md beside this file.
#
#   bash benches/exam-rush/run.sh
#
# Settings (environment, all optional):
#   BACKENDS="sqlite postgres"   which databases to run on, in this order
#   LEARNERS=5000                learners in the unit (all enrolled, all log in, all take the quiz)
#   SERVERS=1                    PostgreSQL only: how many servers on the one database; more than one are
#                                put behind a real nginx (round robin, docs/operations.md's configuration)
#                                and the load goes through it. SQLite always runs one server.
#   NGINX=/usr/sbin/nginx        the nginx binary (SERVERS > 1)
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
LEARNERS=${LEARNERS:-5000}
SERVERS=${SERVERS:-1}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
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

[[ $SERVERS =~ ^[1-9][0-9]*$ ]] || die "SERVERS must be a positive number"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-exam-rush.XXXXXX")
SERVER_PIDS=()
NGINX_PID=""
PG_CREATED=""
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
SERVER="$TARGET/daotao-server"
TOOL="$TARGET/exam-rush"

stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}" $NGINX_PID; do
        if kill "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null || true
        fi
    done
    SERVER_PIDS=()
    NGINX_PID=""
}
cleanup() {
    local rc=$?
    set +e
    stop_servers
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

# Waits until $1 answers 200, or dies with the tail of log $3 when process $2 is gone or after 30 s.
wait_healthy() {
    local url=$1 pid=$2 log=$3 i
    for i in $(seq 1 300); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "$url: the process exited"; }
        ((i == 300)) && { tail -n 30 "$log" >&2; die "$url: no answer after 30 s"; }
        sleep 0.1
    done
}

# Starts daotao-server number $2 of backend $1 on database $3 on a free port, left in PORT (not printed:
# in a command substitution, the server would be the child of a subshell, out of SERVER_PIDS).
start_server() {
    local backend=$1 n=$2 url=$3 port log
    port=$(free_port)
    log="$WORK/server-$backend-$n.log"
    NO_COLOR=1 DAOTAO_BIND="127.0.0.1:$port" DAOTAO_DATABASE_URL="$url" DAOTAO_COURSES_DIR="$ROOT/courses" \
        DAOTAO_TRUSTED_PROXIES=127.0.0.1 "$SERVER" >"$log" 2>&1 &
    SERVER_PIDS+=($!)
    wait_healthy "http://127.0.0.1:$port/healthz" "$!" "$log"
    PORT=$port
}

# Starts nginx in front of the servers on ports "$@", configured as docs/operations.md says (round robin,
# keepalive 16 to the servers), with Debian's default worker settings; its port is left in PORT.
start_nginx() {
    local port dir="$WORK/nginx" upstream="" user="" p
    [[ -x $NGINX ]] || die "SERVERS=$SERVERS needs nginx (Debian's nginx-light); none at $NGINX"
    mkdir -p "$dir"
    port=$(free_port)
    for p in "$@"; do upstream+="        server 127.0.0.1:$p;"$'\n'; done
    # As root, nginx's workers would run as nobody, who cannot write in this temporary folder.
    ((EUID == 0)) && user="user root;"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
$user
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_processes auto;
events { worker_connections 768; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    upstream daotao {
$upstream        keepalive 16;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://daotao;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
}
CONF
    "$NGINX" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" </dev/null >/dev/null 2>&1 &
    NGINX_PID=$!
    wait_healthy "http://127.0.0.1:$port/healthz" "$NGINX_PID" "$dir/error.log"
    PORT=$port
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

    servers=1
    [[ $backend == postgres ]] && servers=$SERVERS
    ports=()
    for n in $(seq 1 "$servers"); do
        say "$backend: starting daotao-server $n of $servers (request log at the default level, to a temporary file)"
        start_server "$backend" "$n" "$url"
        ports+=("$PORT")
    done
    if ((servers > 1)); then
        start_nginx "${ports[@]}"
        base="http://127.0.0.1:$PORT"
        mode="$servers servers behind nginx"
    else
        base="http://127.0.0.1:${ports[0]}"
        mode="one server"
    fi
    say "$backend: $mode, the load sent to $base"

    echo
    echo "## $backend, $mode"
    rc=0
    "$TOOL" run --base-url "$base" --courses "$ROOT/courses" --learners "$LEARNERS" \
        --password "$PASSWORD" --course "$COURSE" --quiz "$QUIZ" --right-share "$RIGHT_SHARE" \
        --login-concurrency "$LOGIN_CONCURRENCY" \
        --concurrency "$CONCURRENCY" --aim-seconds "$AIM_SECONDS" --aim-p99-ms "$AIM_P99_MS" || rc=$?
    if grep -Eq ' (ERROR|WARN) ' "$WORK"/server-"$backend"-*.log; then
        echo
        echo "server log warnings and errors (first 10):"
        grep -hE ' (ERROR|WARN) ' "$WORK"/server-"$backend"-*.log | head -n 10 | sed 's/^/    /'
    fi
    # An error the server logged (a background job's too) is an error of the run.
    if grep -Eq ' ERROR ' "$WORK"/server-"$backend"-*.log; then
        echo "FAIL: the server logged errors" >&2
        rc=2
    fi
    if [[ -n $NGINX_PID ]] && grep -Eq '\[(error|crit|alert|emerg)\]' "$WORK/nginx/error.log"; then
        echo
        echo "nginx errors (first 10):"
        grep -E '\[(error|crit|alert|emerg)\]' "$WORK/nginx/error.log" | head -n 10 | sed 's/^/    /'
        rc=2
    fi
    stop_servers
    if [[ $backend == postgres ]]; then
        "$TOOL" drop-postgres --admin-url "$POSTGRES_ADMIN_URL" --name "$PG_NAME" || true
        PG_CREATED=""
    fi
    ((rc > status)) && status=$rc
done
exit "$status"

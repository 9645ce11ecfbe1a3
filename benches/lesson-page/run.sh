#!/usr/bin/env bash
# Lesson-page throughput: daotao-server against nginx serving the same bytes
# as a static file, on this machine, in this run. See README.md beside this file.
#
#   bash benches/lesson-page/run.sh
#
# Settings (environment, all optional):
#   LESSON=/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc  the page to load
#   THREADS=2 CONNECTIONS=64 DURATION=10s WARMUP=3s                  wrk settings (same for both servers)
#   ROUNDS=3          rounds of all the loads (order alternates); each server's best round is reported
#   MIN_RATIO=0.5     fail (exit 1) when daotao/nginx requests/s is below this (identity or gzip row)
#   NGINX_GZIP_LEVEL=6  nginx gzip_comp_level; 6 is what the server's gzip (flate2 default) uses
#   SKIP_BUILD=1      use the existing target/release/daotao-server as it is
set -euo pipefail

LESSON=${LESSON:-/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-3}
MIN_RATIO=${MIN_RATIO:-0.5}
NGINX_GZIP_LEVEL=${NGINX_GZIP_LEVEL:-6}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# --- tools ------------------------------------------------------------------
need_pkgs=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_pkgs+=(nginx)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v gzip >/dev/null 2>&1 || need_pkgs+=(gzip)
if ((${#need_pkgs[@]})); then
    say "installing ${need_pkgs[*]} (Debian packages)"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    # Try with the package lists as they are; refresh them only if that fails.
    if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${need_pkgs[@]}"; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" apt-get install -y --no-install-recommends "${need_pkgs[@]}"
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- scratch space and cleanup -----------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/daotao-bench.XXXXXX")
SERVER_PID=""
NGINX_PID=""
cleanup() {
    local rc=$?
    set +e
    for pid in "$SERVER_PID" "$NGINX_PID"; do
        if [[ -n $pid ]] && kill "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
        fi
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nothing listens on now (probe a few random ones).
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

# --- daotao-server -------------------------------------------------------------
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/daotao-server"
if [[ ${SKIP_BUILD:-} != 1 ]]; then
    say "building the release server"
    cargo build --release -p daotao-server >&2 || die "the release build failed"
fi
[[ -x $BIN ]] || die "$BIN not found (build failed?)"

DAOTAO_PORT=$(free_port)
mkdir -p "$WORK/db"
say "starting daotao-server on 127.0.0.1:$DAOTAO_PORT (log: default level, to a temporary file of ~400 bytes a request)"
DAOTAO_BIND="127.0.0.1:$DAOTAO_PORT" \
    DAOTAO_DATABASE_URL="sqlite://$WORK/db/bench.sqlite" \
    DAOTAO_COURSES_DIR="$ROOT/courses" \
    "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for i in $(seq 1 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$DAOTAO_PORT/healthz" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$WORK/server.log" >&2; die "daotao-server exited"; }
    ((i == 300)) && { tail -n 30 "$WORK/server.log" >&2; die "daotao-server not ready after 30 s"; }
    sleep 0.1
done

DAOTAO_URL="http://127.0.0.1:$DAOTAO_PORT$LESSON"
mkdir -p "$WORK/www$(dirname "$LESSON")"
PAGE="$WORK/www$LESSON"
code=$(curl -sS -H 'Accept-Encoding: identity' -D "$WORK/daotao.headers" -o "$PAGE" -w '%{http_code}' "$DAOTAO_URL")
[[ $code == 200 ]] || die "GET $LESSON answered $code"

# --- nginx -----------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
# The same security headers and cache-control as the server sends, so the two
# responses differ by little more than nginx's own Server/ETag/Last-Modified.
csp=$(tr -d '\r' <"$WORK/daotao.headers" | sed -n 's/^content-security-policy: //Ip')
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
user root;
worker_processes $(nproc);
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=100;
    gzip on; # text/html is always among gzip_types
    gzip_comp_level $NGINX_GZIP_LEVEL;
    gzip_vary on;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location / {
            types { }
            default_type text/html;
            charset utf-8;
            add_header Cache-Control "no-cache";
            add_header Content-Security-Policy "$csp";
            add_header X-Content-Type-Options nosniff;
            add_header Referrer-Policy same-origin;
            add_header X-Frame-Options DENY;
        }
    }
}
EOF
say "starting nginx on 127.0.0.1:$NGINX_PORT ($(nproc) workers)"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT$LESSON"
for i in $(seq 1 100); do
    if curl -fsS -o /dev/null "$NGINX_URL" 2>/dev/null; then break; fi
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx/logs/error.log" >&2; die "nginx exited"; }
    ((i == 100)) && die "nginx not ready after 10 s"
    sleep 0.1
done

# --- same bytes? -------------------------------------------------------------------
curl -sS -H 'Accept-Encoding: identity' -o "$WORK/nginx.identity" "$NGINX_URL"
cmp -s "$PAGE" "$WORK/nginx.identity" || die "nginx does not serve the same bytes as daotao"
# The rows: what the client says in Accept-Encoding. Only identity and gzip are
# held to MIN_RATIO; the browser row (what Chrome and Firefox send) is shown
# because there the two servers may choose different codings.
ROWS=(identity gzip browser)
declare -A ACCEPT=([identity]=identity [gzip]=gzip [browser]='gzip, deflate, br, zstd')
declare -A BODY_BYTES CONTENT_ENCODING
for enc in "${ROWS[@]}"; do
    for name in daotao nginx; do
        url=$DAOTAO_URL
        [[ $name == nginx ]] && url=$NGINX_URL
        curl -sS -H "Accept-Encoding: ${ACCEPT[$enc]}" -D "$WORK/$name.$enc.headers" -o "$WORK/$name.$enc.body" "$url"
        BODY_BYTES[$name.$enc]=$(wc -c <"$WORK/$name.$enc.body")
        CONTENT_ENCODING[$name.$enc]=$(tr -d '\r' <"$WORK/$name.$enc.headers" \
            | sed -n 's/^content-encoding: //Ip' | head -n1)
        : "${CONTENT_ENCODING[$name.$enc]:=identity}"
        if [[ $enc == gzip ]]; then
            [[ ${CONTENT_ENCODING[$name.$enc]} == gzip ]] || die "$name did not gzip the page"
            gzip -dc <"$WORK/$name.$enc.body" | cmp -s - "$PAGE" || die "$name's gzip body is not the page"
        fi
    done
done

# --- load ----------------------------------------------------------------------------
# wrk's latency figures are in us, ms or s; turn them into ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

declare -A RPS P50 P99 ALL
load() { # name url encoding round
    local name=$1 url=$2 enc=$3 round=$4 out="$WORK/wrk.$1.$3.$4.txt" rps
    say "round $round: wrk $name, Accept-Encoding: ${ACCEPT[$enc]} (warm-up $WARMUP, then $DURATION)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Accept-Encoding: ${ACCEPT[$enc]}" "$url" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Accept-Encoding: ${ACCEPT[$enc]}" "$url" >"$out"
    if grep -Eq 'Non-2xx|Socket errors' "$out"; then
        cat "$out" >&2
        die "$name answered with errors under load"
    fi
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    ALL[$name.$enc]+="${ALL[$name.$enc]:+ }$rps"
    # Keep each server's best round: other work on the machine only ever slows a round down.
    if [[ -z ${RPS[$name.$enc]:-} ]] || ((rps > RPS[$name.$enc])); then
        RPS[$name.$enc]=$rps
        P50[$name.$enc]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
        P99[$name.$enc]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq 1 "$ROUNDS"); do
    for enc in "${ROWS[@]}"; do
        # Alternate who goes first, so neither always runs on the warmer (or busier) machine.
        if ((round % 2)); then order=(daotao nginx); else order=(nginx daotao); fi
        for name in "${order[@]}"; do
            url=$DAOTAO_URL
            [[ $name == nginx ]] && url=$NGINX_URL
            load "$name" "$url" "$enc" "$round"
        done
    done
done

# --- report ----------------------------------------------------------------------------
echo
echo "lesson page $LESSON: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up), best of $ROUNDS rounds, $(nproc) cores shared by wrk and the servers"
echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (anything else running skews the figures)"
echo
echo "| Accept-Encoding | server | sent as | body bytes | requests/s (best) | p50 ms | p99 ms | every round, req/s | daotao/nginx |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: |"
status=0
for enc in "${ROWS[@]}"; do
    ratio=$(awk -v a="${RPS[daotao.$enc]}" -v b="${RPS[nginx.$enc]}" 'BEGIN { printf "%.2f", a / b }')
    for name in daotao nginx; do
        r=""
        [[ $name == daotao ]] && r=$ratio
        echo "| ${ACCEPT[$enc]} | $name | ${CONTENT_ENCODING[$name.$enc]} | ${BODY_BYTES[$name.$enc]} | ${RPS[$name.$enc]} | ${P50[$name.$enc]} | ${P99[$name.$enc]} | ${ALL[$name.$enc]} | $r |"
    done
    if [[ $enc != browser ]] && awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN { exit !(r < m) }'; then
        echo "FAIL: $enc: daotao reaches $ratio of nginx's requests/s (aim: at least $MIN_RATIO)" >&2
        status=1
    fi
done
echo
echo "Response headers with Accept-Encoding: gzip (date left out):"
for name in daotao nginx; do
    echo
    echo "$name:"
    tr -d '\r' <"$WORK/$name.gzip.headers" | grep -v -i -e '^date:' -e '^$' | sed 's/^/    /'
done
echo
if ((status == 0)); then
    echo "OK: daotao reaches at least $MIN_RATIO of nginx's requests/s with identity and with gzip" >&2
fi
exit "$status"

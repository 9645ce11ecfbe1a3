#!/usr/bin/env bash
# The mail sender's throughput (#18): N reminders queued in the outbox, sent by `daotao-admin mail send`
# (release build) to a real SMTP server on this machine (aiosmtpd, as the tests use), on SQLite and on
# PostgreSQL. Checks that every message arrived exactly once. Aim: at least 200 messages/s.
#
# Run from the repository root: bash benches/mail-send/run.sh [N]   (default 10000)
# Needs: python3 with aiosmtpd (python3 -m pip install aiosmtpd==1.4.6), psql and the PostgreSQL server of
# ../shared/DESIGN.md for the PostgreSQL half (DAOTAO_BENCH_POSTGRES_URL to point elsewhere).
set -euo pipefail

n="${1:-10000}"
root="$(pwd)"
pg_base="${DAOTAO_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
cargo build --release -q -p daotao-admin
admin="$root/target/release/daotao-admin"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

run() { # backend database-url
  local backend="$1" url="$2" out="$work/received-$1"
  mkdir -p "$out"
  python3 tests/smtp/smtp_server.py --raw --port "$port" --out "$out" >"$work/smtp-$backend.log" 2>&1 &
  local smtp=$!
  until grep -q "listening on" "$work/smtp-$backend.log" 2>/dev/null; do sleep 0.1; done
  export DAOTAO_DATABASE_URL="$url" DAOTAO_SMTP_URL="smtp://127.0.0.1:$port" \
    DAOTAO_MAIL_FROM="Đào tạo số <daotao@tinhmau.example>" DAOTAO_COURSES_DIR="$root/courses"
  "$admin" status >/dev/null # creates and migrates the database
  python3 benches/mail-send/seed.py "$backend" "$url" "$n"
  local started ended
  started=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss-$backend" "$admin" mail send >"$work/send-$backend.log"
  ended=$(date +%s.%N)
  kill "$smtp"; wait "$smtp" 2>/dev/null || true
  python3 - "$out" "$n" "$backend" "$started" "$ended" $(cat "$work/rss-$backend") <<'PY'
import os, sys
out, n, backend, started, ended = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
rss, cpu = int(sys.argv[6]), float(sys.argv[7]) + float(sys.argv[8])
seen = {}
with open(os.path.join(out, "recipients.txt"), encoding="utf-8") as f:
    for line in f:
        seen[line.strip()] = seen.get(line.strip(), 0) + 1
assert len(seen) == n, f"{len(seen)} of {n} recipients got their message"
assert all(v == 1 for v in seen.values()), "a message arrived twice"
secs = ended - started
print(f"{backend:10} {n} messages in {secs:.1f} s: {n / secs:.0f} messages/s, sender CPU {cpu:.1f} s, peak memory {rss / 1024:.0f} MB, each arrived once")
PY
}

run sqlite "sqlite://$work/bench.sqlite"
if pg_isready -q -d "$pg_base" 2>/dev/null || psql "$pg_base" -c 'select 1' >/dev/null 2>&1; then
  db="daotao_bench_mail_$$"
  psql -q "$pg_base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  run postgres "${pg_base%/*}/$db"
  psql -q "$pg_base" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
else
  echo "postgres   skipped: no PostgreSQL at $pg_base"
fi

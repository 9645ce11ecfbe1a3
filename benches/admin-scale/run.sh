#!/usr/bin/env bash
# The admin-scale benchmark: seeds 100,000 accounts in 500 units and times the
# queries of the admin terminal UI's screens. Run from the repository root:
#   bash benches/admin-scale/run.sh                       # a fresh SQLite file
#   bash benches/admin-scale/run.sh postgres://postgres@127.0.0.1:5432/daotao_bench   # an empty PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/../.."
args=()
if [ -n "${1:-}" ]; then args=(--database-url "$1"); fi
cargo run --quiet --release -p daotao-core --example admin_scale -- "${args[@]}"

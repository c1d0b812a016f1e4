#!/usr/bin/env bash
# A short demo on the embedded default (SQLite + DuckDB files in ./bistand-data-demo, no server):
# a household applies for three months, one member starts working, decisions and payments follow.
set -euo pipefail
export BISTAND_HOME="${BISTAND_HOME:-./bistand-data-demo}"
export BISTAND_USER="${BISTAND_USER:-demo.handlaggare}"
rm -rf "$BISTAND_HOME"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "bistand $*"; bistand "$@"; }

say "bistand household register --municipality 1765 --applicant 640823-3234 --on 2021-01-04 --json"
HID=$(bistand household register --municipality 1765 --applicant 640823-3234 --on 2021-01-04 --json \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["household_id"])')
echo "household: $HID"
run household add-member "$HID" --person 701063-2391 --role co_applicant --from 2021-01-04
run household add-member "$HID" --person 20160601-0005 --role child --from 2021-01-04
run household set-cohabiting "$HID" yes --from 2021-01-04
for month in 2021-01 2021-02 2021-03; do
  run apply "$HID" --month "$month" --cost rent=7500 --received "$month-01"
done
run income report "$HID" --member 640823-3234 --kind employment --month 2021-02 --amount 8000
run household show "$HID"
run history "$HID"
if bistand --help | grep -q ' decide '; then
  for month in 2021-01 2021-02 2021-03; do run decide "$HID" --month "$month" --yes; done
  run payments run --month 2021-03 --format table
fi
if bistand --help | grep -q ' report '; then
  run report monthly --month 2021-03
fi
printf '\nData is in %s (events.sqlite, reports.duckdb).\n' "$BISTAND_HOME"

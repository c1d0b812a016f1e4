#!/usr/bin/env bash
# A short demo on the embedded default (SQLite + DuckDB files in ./bistand-data-demo, no server):
# a family applies for three months, the applicant starts working, jobbstimulans opens after six
# months of support, decisions are taken, the month is paid, and the read model answers in SQL.
# Three users act, each in their own role: an administrator starts the store's user register, a
# handläggare decides, an ekonom (a different person: four-eyes) pays, and a revisor reads. Every refused
# attempt (a revisor recording, a handläggare deciding above their delegation) is recorded: `users log`.
set -euo pipefail
export BISTAND_HOME="${BISTAND_HOME:-./bistand-data-demo}"
rm -rf "$BISTAND_HOME"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "bistand $*"; bistand "$@"; }
as() { local who=$1; shift; say "BISTAND_USER=$who bistand $*"; BISTAND_USER=$who bistand "$@"; }

as demo.admin users add demo.admin --role administrator      # the first user of a new store
as demo.admin users add demo.handlaggare --role handlaggare
as demo.admin users add demo.ekonom --role ekonom
as demo.admin users add demo.revisor --role revisor
export BISTAND_USER=demo.handlaggare

say "bistand household register --municipality 1765 --applicant 640823-3234 --on 2020-06-01 --json"
HID=$(bistand household register --municipality 1765 --applicant 640823-3234 --on 2020-06-01 --json \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["household_id"])')
echo "household: $HID"
run household add-member "$HID" --person 701063-2391 --role co_applicant --from 2020-06-01
run household add-member "$HID" --person 20160601-0005 --role child --from 2020-06-01
run household set-cohabiting "$HID" yes --from 2020-06-01
run household external-support "$HID" --person 640823-3234 \
    --months 2020-08,2020-09,2020-10,2020-11,2020-12 --source "Karlstads kommun, intyg 2021-01-10"
for month in 2021-01 2021-02 2021-03; do
  run apply "$HID" --month "$month" --cost rent=7500 --received "$month-01"
done
run income report "$HID" --member 640823-3234 --kind employment --month 2021-02 --amount 8000
for month in 2021-01 2021-02; do run decide "$HID" --month "$month" --yes; done
run decide "$HID" --month 2021-03 --yes
as demo.ekonom payments run --month 2021-03 --on 2021-02-25
run household show "$HID"
as demo.revisor history "$HID"
as demo.revisor verify "$HID"
say "BISTAND_USER=demo.revisor bistand apply $HID --month 2021-04 --actor-role handlaggare   # refused, and recorded"
BISTAND_USER=demo.revisor bistand apply "$HID" --month 2021-04 --actor-role handlaggare || true
say "bistand decide $HID --month 2021-03 --amend --raise-norm 500 --reason 'Särskilda behov' --yes   # needs enhetschef: refused, and recorded"
bistand decide "$HID" --month 2021-03 --amend --raise-norm 500 --reason "Särskilda behov" --yes || true
as demo.admin users log
run report monthly --month 2021-03
run report jobbstimulans --month 2021-03
run sql "SELECT month, outcome, aid, income_disregarded FROM decisions ORDER BY month"
printf '\nData is in %s (events.sqlite, reports.duckdb). Try: BISTAND_HOME=%s bistand sql --shell\n' \
  "$BISTAND_HOME" "$BISTAND_HOME"

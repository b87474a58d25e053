#!/usr/bin/env bash
# test.sh: bt86's test command (README, CI). Installs what the tests need
# (scripts/setup.sh, idempotent), then runs gofmt, go vet and every test
# with -v into a log, prints the conformance suites' pass counts and each
# package's result, runs the benchmark harness in -quick mode, then the
# bounded fuzzing and soak (below), and exits non-zero if any failed.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash "$ROOT/scripts/setup.sh" || { echo "test.sh: set-up failed"; exit 1; }
log=${BT86_TEST_LOG:-$(mktemp -t bt86-test.XXXXXX)}
gofmt_out=$(gofmt -l . | grep -v '^vendor/' || true)
if [ -n "$gofmt_out" ]; then
  echo "gofmt would change:"; echo "$gofmt_out"; exit 1
fi
go vet ./... || exit 1
go test -count=1 -v -timeout 50m ./... >"$log" 2>&1
rc=$?
echo "== conformance suites =="
grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" || echo "(none ran)"
grep -E '^[A-Za-z0-9_-]+: [0-9]+ of the failures' "$log" || true
echo "== failures =="
grep -E -- '^\s*--- FAIL|^panic:|^FAIL' "$log" || echo "(none)"
if [ $rc -ne 0 ]; then
  # What each failure printed (t.Fatalf messages, serial tails, panics):
  # the lines before every "--- FAIL" and after every "panic:", capped.
  echo "== failure details =="
  grep -E -B 80 -- '^\s*--- FAIL' "$log" | head -n 600
  grep -E -A 60 -- '^panic:' "$log" | head -n 200
fi
echo "== packages =="
grep -E '^(ok|FAIL|\?)\s' "$log"
# The benchmark harness end to end, -quick (figures are not checked: only
# that every runner gave numbers or a reason and no workload failed).
echo "== benchmark (go run ./bench -quick) =="
bench_out=$(mktemp -d -t bt86-bench.XXXXXX)
timeout 20m go run ./bench -quick -check -results "" -out "$bench_out" >"$bench_out/table.md" 2>"$bench_out/log"
brc=$?
cat "$bench_out/table.md"
grep -E '^bench: check|: unavailable: ' "$bench_out/log" || true
[ $brc -eq 0 ] || { echo "benchmark: go run ./bench -quick failed ($brc); log: $bench_out/log"; [ $rc -ne 0 ] || rc=$brc; }
echo "full log: $log"
# Reliability (testsuite/RELIABILITY.md): every fuzz target for FUZZTIME
# (default 10s; FUZZ=0 skips), then SOAK Linux boots under emu -icount
# whose serial outputs must be identical (default 3; SOAK=0 skips).
if [ "${FUZZ:-1}" != 0 ]; then
  echo "== fuzz (${FUZZTIME:-10s} per target) =="
  FUZZTIME=${FUZZTIME:-10s} bash "$ROOT/scripts/fuzz.sh" || rc=1
fi
if [ "${SOAK:-3}" -gt 0 ]; then
  echo "== soak (${SOAK:-3} boots) =="
  bash "$ROOT/scripts/soak.sh" "${SOAK:-3}" || rc=1
fi
exit $rc

#!/usr/bin/env bash
# fuzz.sh: runs Go fuzz targets one at a time for a bounded time each and
# fails if any of them finds a crash (go test then writes the input to the
# package's testdata/fuzz/<Target>/, where it becomes a regression seed).
#
#   scripts/fuzz.sh                      every func Fuzz* in the tree, FUZZTIME each
#   scripts/fuzz.sh ./decoder:FuzzDecode one target (several may be given)
#
# Environment: FUZZTIME (default 10s; any -fuzztime value), FUZZMINTIME
# (-fuzzminimizetime, default 0: no minimization), FUZZPAR
# (-parallel, default 1 so CI's cores stay for the tests), FUZZLOG (a
# directory that keeps each target's full output; default a temp dir).
# Each target's last progress line (execs, execs/s, corpus total) is
# printed as "fuzz <pkg> <Target>: ...".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
fuzztime=${FUZZTIME:-10s}
par=${FUZZPAR:-1}
# Minimizing new inputs is off by default: the Go fuzzer's coordinator
# loses its worker while minimizing ("fuzzing process hung or terminated
# unexpectedly while minimizing: EOF", golang/go#52569), which we saw
# with slow targets (FuzzDifferential) on a loaded machine; the minimized
# inputs it wrote all passed.
mintime=${FUZZMINTIME:-0}
logdir=${FUZZLOG:-$(mktemp -d -t bt86-fuzz.XXXXXX)}
mkdir -p "$logdir"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  while IFS=: read -r file _ rest; do
    name=${rest#func }
    name=${name%%(*}
    targets+=("./$(dirname "${file#./}"):$name")
  done < <(grep -rn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(' . | sort)
fi

failed=0
for t in "${targets[@]}"; do
  pkg=${t%%:*}
  name=${t##*:}
  log="$logdir/$(echo "${pkg#./}" | tr / _)_$name.log"
  go test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" -fuzzminimizetime="$mintime" -parallel="$par" "$pkg" >"$log" 2>&1
  rc=$?
  last=$(grep -E '^fuzz: elapsed' "$log" | tail -n 1)
  # go test can fail a run with only "context deadline exceeded" when the
  # time is up in the middle of an input or of the baseline; that is not
  # a crash (a crash writes "Failing input written to ..." or names the
  # failing seed corpus entry).
  if [ $rc -ne 0 ] && ! grep -qE 'Failing input written|seed corpus entry|^panic:|hung' "$log" &&
     [ "$(grep -E -- '^\s+\S' "$log" | sed 's/^[[:space:]]*//' | sort -u)" = "context deadline exceeded" ]; then
    echo "fuzz $pkg $name: ok (stopped by the deadline) ${last#fuzz: }"
  elif [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz $pkg $name: FAIL (log $log)"
    grep -E -A 20 -- '--- FAIL|^panic:|Failing input written' "$log" | head -n 40
  else
    echo "fuzz $pkg $name: ok ${last#fuzz: }"
  fi
done
exit $failed

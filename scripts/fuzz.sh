#!/usr/bin/env bash
# Run every Go fuzz target of the module, one after another, for a bounded
# time each, and fail if any of them finds an input that fails.
#
#   scripts/fuzz.sh            FUZZTIME each (default 10s)
#   FUZZTIME=2m scripts/fuzz.sh
#
# Env: FUZZTIME (10s; a duration, or Nx for N inputs), FUZZPARALLEL (fuzzing
# workers per target, default 1: the machine's two cores are shared with the
# services and other work), GO (go).
#
# A failing input is written by `go test` to <package>/testdata/fuzz/<target>/:
# commit it with the fix, and it runs in every `go test` from then on.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
FUZZPARALLEL=${FUZZPARALLEL:-1}

# Packages with a fuzz target in their test files (untracked ones included);
# `go test -list` then names the targets as the compiler sees them.
mapfile -t pkgs < <(grep -rl --include='*_test.go' -E '^func Fuzz[A-Z0-9_]' . \
  --exclude-dir=.local --exclude-dir=.git --exclude-dir=vendor | xargs -r -n1 dirname | sort -u)
if ((${#pkgs[@]} == 0)); then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi

failed=()
ran=0
t0=$SECONDS
for pkg in "${pkgs[@]}"; do
  mapfile -t targets < <("$GO" test -list '^Fuzz' "$pkg" | grep -E '^Fuzz')
  for target in "${targets[@]}"; do
    echo "fuzz: $pkg $target for $FUZZTIME"
    ran=$((ran + 1))
    # -run '^$': the package's unit tests are `go test`'s business, not this loop's.
    out=$(mktemp)
    if ! "$GO" test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPARALLEL" "$pkg" 2>&1 | tee "$out"; then
      # Go's fuzzer can report "context deadline exceeded" when -fuzztime ends
      # while a worker is still on an input (seen in CI on FuzzDecode); that
      # is the clock, not a finding: a finding always writes its input.
      if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written to' "$out"; then
        echo "fuzz: $pkg $target: the fuzz time ran out mid-input (no failing input): not a finding"
      else
        failed+=("$pkg $target")
      fi
    fi
    rm -f "$out"
  done
done

echo "fuzz: $ran targets, $((SECONDS - t0))s"
if ((${#failed[@]} > 0)); then
  printf 'fuzz: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Builds jiesu's libFuzzer targets (build-fuzz: clang, ASan+UBSan, the libraries instrumented) and
# runs each one: first over its committed seeds and regression inputs, once each (fuzz/corpus/T,
# fuzz/regressions/T), then FUZZ_SECONDS of fuzzing from them. Exits 1 when any target crashes,
# finds undefined behaviour or a leak, breaks one of its properties or times out; the input is
# kept under build-fuzz/fuzz-artifacts/T/ and the line to reproduce it is printed.
# Idempotent: configures build-fuzz only when it is not configured, rebuilds what changed.
#
#   scripts/fuzz-smoke.sh                      every target, 20 s each (make fuzz-smoke)
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh     long runs (make fuzz)
#   FUZZ_TARGETS="csv_import_fuzz" FUZZ_SECONDS=0 scripts/fuzz-smoke.sh   replay one target only
#
# Environment: FUZZ_SECONDS (default 20; 0 = replay only), FUZZ_TARGETS (default all),
# FUZZ_ARGS (more libFuzzer flags), FUZZ_BUILD_DIR (default build-fuzz), JOBS (build jobs).
# New inputs the fuzzing finds go to build-fuzz/fuzz-corpus/T (kept between runs, never into the
# repository: fuzz/README.md says how to add one as a seed). Needs clang and libclang-rt-14-dev
# (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${JOBS:-$(nproc)}
ALL_TARGETS="case_body_fuzz case_action_fuzz list_query_fuzz open311_form_fuzz csv_import_fuzz
  gazetteer_fuzz tokenizer_fuzz"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

# One build at a time (two runs side by side would compile the same objects at once).
mkdir -p "$BUILD"
exec 9>"$BUILD/.fuzz-build.lock"
flock 9
if [ ! -f "$BUILD/build.ninja" ] || ! grep -q '^JIESU_FUZZ:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DJIESU_TESTS=OFF -DJIESU_FUZZ=ON >/dev/null
fi
cmake --build "$BUILD" -j "$JOBS" --target jiesu_fuzzers
flock -u 9

# Stop at the first error, symbolized; leaks are errors too (LeakSanitizer runs at exit).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Flags for one target beyond the common ones: the address matcher's cost grows with the square of
# the text's length under the sanitizers (fuzz/README.md), so its inputs stay shorter.
target_flags() {
  case "$1" in
    gazetteer_fuzz) echo "-max_len=1024" ;;
    *) echo "" ;;
  esac
}

failed=()
start_all=$(date +%s)
for t in $TARGETS; do
  bin="$BUILD/fuzz/$t"
  seeds="fuzz/corpus/$t"
  regressions="fuzz/regressions/$t"
  artifacts="$BUILD/fuzz-artifacts/$t"
  work="$BUILD/fuzz-corpus/$t"
  mkdir -p "$artifacts" "$work"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=("-dict=fuzz/dict/$t.dict")

  # 1. Every committed input once (files as arguments: nothing is written anywhere).
  inputs=()
  for d in "$seeds" "$regressions"; do
    [ -d "$d" ] && while IFS= read -r -d '' f; do inputs+=("$f"); done \
      < <(find "$d" -type f -print0 | sort -z)
  done
  echo "== $t: ${#inputs[@]} committed inputs"
  if [ ${#inputs[@]} -gt 0 ] &&
     ! "$bin" -timeout=10 "${inputs[@]}" >"$artifacts/replay.log" 2>&1; then
    tail -n 40 "$artifacts/replay.log"
    echo "FAIL $t: a committed input fails (log: $artifacts/replay.log)"
    failed+=("$t")
    continue
  fi

  # 2. Fuzzing from them for FUZZ_SECONDS.
  [ "$FUZZ_SECONDS" -gt 0 ] || continue
  log="$artifacts/fuzz.log"
  # shellcheck disable=SC2046,SC2086  # target_flags and FUZZ_ARGS are lists of flags
  if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "${dict[@]}" $(target_flags "$t") ${FUZZ_ARGS:-} \
       "$work" "$seeds" $([ -d "$regressions" ] && echo "$regressions") >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)
    echo "   ok: $runs runs in ${FUZZ_SECONDS} s, $cov, corpus $(find "$work" -type f | wc -l) new"
  else
    tail -n 60 "$log"
    crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    echo "FAIL $t (log: $log)"
    [ -n "$crash" ] && echo "   reproduce: $bin $crash" &&
      echo "   keep it: cp $crash fuzz/regressions/$t/<what-it-breaks>"
    failed+=("$t")
  fi
done

echo "fuzz: $(wc -w <<<"$TARGETS") targets in $(( $(date +%s) - start_all )) s," \
     "${#failed[@]} failing${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]

#!/bin/sh
# Run the libFuzzer harnesses (make fuzz): tests/fuzz/run.sh SECONDS TARGET...
# Each target first replays its committed regression inputs (tests/fuzz/regress/TARGET/), then fuzzes for SECONDS
# from its corpus (build/fuzz/corpus/TARGET, kept between runs), the seeds (build/fuzz/seeds/TARGET) and those
# inputs. One input taking more than FUZZ_HANG seconds (default 5: a hang; the instrumented parsers are 3 to 5 times
# slower than photherm's, so this is 1 to 2 s of a real run, on a loaded machine too) or the process more than 2 GiB (a memory blow-up), a sanitizer
# report, a crash or a PETSc error from a parser fails the target; the input is left in build/fuzz/crashes/. Turn
# it into a regression input: copy it to tests/fuzz/regress/TARGET/ and fix the code.
set -u
cd "$(dirname "$0")/../.."
seconds=$1
shift
hang=${FUZZ_HANG:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# MPI's and PETSc's start-up allocations live as long as the process; photherm's own leaks are found per input.
export LSAN_OPTIONS="suppressions=tests/fuzz/lsan.supp:print_suppressions=0"
failed=""
for t in "$@"; do
  bin=build/fuzz/fuzz_$t
  mkdir -p "build/fuzz/corpus/$t" build/fuzz/crashes
  regdir=""
  regress=0
  if [ -d "tests/fuzz/regress/$t" ]; then
    regdir="tests/fuzz/regress/$t"
    regress=$(find "$regdir" -type f | wc -l)
  fi
  if [ "$regress" -gt 0 ]; then
    if ! "$bin" -timeout="$hang" -rss_limit_mb=2048 "tests/fuzz/regress/$t"/* >"build/fuzz/$t-regress.log" 2>&1; then
      echo "fuzz $t: a regression input of tests/fuzz/regress/$t fails again (build/fuzz/$t-regress.log):" >&2
      tail -n 30 "build/fuzz/$t-regress.log" >&2
      failed="$failed $t"
      continue
    fi
  fi
  start=$(date +%s)
  if "$bin" -max_total_time="$seconds" -timeout="$hang" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/crashes/$t-" "build/fuzz/corpus/$t" "build/fuzz/seeds/$t" $regdir \
    >"build/fuzz/$t.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$t.log")
    cov=$(grep -o 'cov: [0-9]*' "build/fuzz/$t.log" | tail -n 1)
    echo "fuzz $t: ${runs:-?} inputs in $(($(date +%s) - start)) s, $cov, $regress regression inputs: no crash, hang or blow-up"
  else
    echo "fuzz $t: FAILED after $(($(date +%s) - start)) s (build/fuzz/$t.log); the input is in build/fuzz/crashes/:" >&2
    grep -E "ERROR|SUMMARY|Test unit written|fuzz:|timeout|out-of-memory" "build/fuzz/$t.log" | head -n 20 >&2
    failed="$failed $t"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz: failed:$failed" >&2
  exit 1
fi

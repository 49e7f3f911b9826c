#!/bin/sh
# photherm and 3D-ICE side by side on 3D-ICE's micro-channel example (benchmarks/README.md section 11): two 10 x 10 mm
# dies, each above a cavity of 50 channels (4-resistor model), five 0.2 s power slots. The stack is 3D-ICE's own
# bin/example_steady.stk with its solver set to its transient (20 ms steps, 0.2 s slots, as 3D-ICE's transient_mc4rm
# example) and outputs of every die's largest and mean temperature at every step; photherm runs
# benchmarks/microchannel/transient_mc4rm.yaml, the same stack written as a case, once with 3D-ICE's fixed 20 ms
# backward-Euler steps and once with its own adaptive steps. Prints CPU time and peak memory of each and the per-die
# comparison (compare_3dice.py).
#
# Usage: benchmarks/microchannel/run.sh [--src DIR]   (DIR: a 3D-ICE checkout, passed to build-3dice.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ice=$(sh "$root/benchmarks/3dice-build/build-3dice.sh" "$@" | tail -1)
bindir=$(dirname "$ice")
work="$root/benchmarks/results/tmp/microchannel"
rm -rf "$work" && mkdir -p "$work/ice"
cp "$bindir/core.flp" "$bindir/mem.flp" "$work/ice/"
sed '/^solver/,$d' "$bindir/example_steady.stk" > "$work/ice/transient_mc4rm.stk"
cat >> "$work/ice/transient_mc4rm.stk" <<'STK'
solver:
   transient step 0.02, slot 0.2 ;
   initial temperature 300.0 ;

output:
   Tflp     (  CORE_DIE,   "core_max.txt", maximum, step ) ;
   Tflp     (  CORE_DIE,   "core_avg.txt", average, step ) ;
   Tflp     (  MEMORY_DIE, "mem_max.txt",  maximum, step ) ;
   Tflp     (  MEMORY_DIE, "mem_avg.txt",  average, step ) ;
STK
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$work/ice" && /usr/bin/time -o time.txt -f "3D-ICE: %U s CPU (user), %e s wall, %M kB peak" "$ice" transient_mc4rm.stk > run.log 2>&1)
cat "$work/ice/time.txt"
/usr/bin/time -f "photherm, 20 ms steps: %U s CPU (user), %e s wall, %M kB peak" \
  "$root/bin/photherm" run "$here/transient_mc4rm.yaml" -o "$work/fixed.h5" -quiet -ts_adapt_type none
/usr/bin/time -f "photherm, adaptive steps: %U s CPU (user), %e s wall, %M kB peak" \
  "$root/bin/photherm" run "$here/transient_mc4rm.yaml" -o "$work/adaptive.h5" -quiet
echo "photherm with 3D-ICE's 20 ms steps:"
/usr/bin/python3 "$here/compare_3dice.py" "$work/fixed.h5" "$work/ice"
echo "photherm with its adaptive steps (accurate in time):"
/usr/bin/python3 "$here/compare_3dice.py" "$work/adaptive.h5" "$work/ice"

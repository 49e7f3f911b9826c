#!/bin/sh
# photherm and 3D-ICE side by side with 3D-ICE's 2-resistor (porous) micro-channel model (benchmarks/README.md
# section 11): 3D-ICE's micro-channel example (bin/example_steady.stk, two 10 x 10 mm dies over two cavities) with
# both cavities switched to `microchannel 2rm` (100 um channels and walls, the same flow and h top and bottom), run
# with the transient of its transient_mc4rm example (20 ms steps, five 0.2 s slots); photherm runs
# benchmarks/microchannel/transient_mc2rm.yaml, the same stack as a case (model: 2rm, h divided by the porosity,
# h_side 0: cases/README.md section 9.6), at 3D-ICE's fixed steps. Prints CPU time and peak memory of each and the
# per-die comparison (compare_3dice.py).
#
# Usage: benchmarks/microchannel/run_2rm.sh [--src DIR]   (DIR: a 3D-ICE checkout, passed to build-3dice.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ice=$(sh "$root/benchmarks/3dice-build/build-3dice.sh" "$@" | tail -1)
bindir=$(dirname "$ice")
work="$root/benchmarks/results/tmp/microchannel-2rm"
rm -rf "$work" && mkdir -p "$work/ice"
cp "$bindir/core.flp" "$bindir/mem.flp" "$work/ice/"
# the 4rm cavity block (from "microchannel 4rm" to the line before "dimensions") replaced by its 2rm form
sed -e '/^solver/,$d' -e '/^microchannel 4rm/,/^dimensions/{/^dimensions/!d}' "$bindir/example_steady.stk" > "$work/ice/body.stk"
{
  sed '/^dimensions/,$d' "$work/ice/body.stk"
  cat <<'STK'
microchannel 2rm :
   height 100 ;
   channel length 100 ;
   wall    length 100 ;
   wall material SILICON ;
   coolant flow rate 42 ;
   coolant heat transfer coefficient top 5.7132e-8 ,
                                  bottom 4.7132e-8 ;
   coolant volumetric heat capacity 4.172e-12 ;
   coolant incoming temperature 300.0 ;

STK
  sed -n '/^dimensions/,$p' "$work/ice/body.stk"
  cat <<'STK'
solver:
   transient step 0.02, slot 0.2 ;
   initial temperature 300.0 ;

output:
   Tflp     (  CORE_DIE,   "core_max.txt", maximum, step ) ;
   Tflp     (  CORE_DIE,   "core_avg.txt", average, step ) ;
   Tflp     (  MEMORY_DIE, "mem_max.txt",  maximum, step ) ;
   Tflp     (  MEMORY_DIE, "mem_avg.txt",  average, step ) ;
STK
} > "$work/ice/transient_mc2rm.stk"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$work/ice" && /usr/bin/time -o time.txt -f "3D-ICE 2rm: %U s CPU (user), %e s wall, %M kB peak" "$ice" transient_mc2rm.stk > run.log 2>&1)
cat "$work/ice/time.txt"
/usr/bin/time -f "photherm 2rm, 20 ms steps: %U s CPU (user), %e s wall, %M kB peak" \
  "$root/bin/photherm" run "$here/transient_mc2rm.yaml" -o "$work/fixed.h5" -quiet -ts_adapt_type none
echo "photherm with 3D-ICE's 20 ms steps, both 2rm:"
/usr/bin/python3 "$here/compare_3dice.py" "$work/fixed.h5" "$work/ice" "$here/transient_mc2rm.yaml"

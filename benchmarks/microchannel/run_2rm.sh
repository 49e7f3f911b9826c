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
. "$here/ice.sh"  # sets root (the repository) and the 3D-ICE steps ice_setup, ice_transient, ice_run
ice_setup "$root/benchmarks/results/tmp/microchannel-2rm" "$@"
cp "$bindir/core.flp" "$bindir/mem.flp" "$work/ice/"
# the 4rm cavity block (from "microchannel 4rm" to the line before "dimensions") replaced by its 2rm form (mc2rm_cavity.stk)
sed -e '/^solver/,$d' -e '/^microchannel 4rm/,/^dimensions/{/^dimensions/!d}' "$bindir/example_steady.stk" > "$work/ice/body.stk"
{
  sed '/^dimensions/,$d' "$work/ice/body.stk"
  cat "$here/mc2rm_cavity.stk"
  sed -n '/^dimensions/,$p' "$work/ice/body.stk"
  ice_transient
} > "$work/ice/transient_mc2rm.stk"
ice_run "3D-ICE 2rm" transient_mc2rm.stk
/usr/bin/time -f "photherm 2rm, 20 ms steps: %U s CPU (user), %e s wall, %M kB peak" \
  "$root/bin/photherm" run "$here/transient_mc2rm.yaml" -o "$work/fixed.h5" -quiet -ts_adapt_type none
echo "photherm with 3D-ICE's 20 ms steps, both 2rm:"
/usr/bin/python3 "$here/compare_3dice.py" "$work/fixed.h5" "$work/ice" "$here/transient_mc2rm.yaml"

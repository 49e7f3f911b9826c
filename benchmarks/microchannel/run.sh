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
. "$here/ice.sh"  # sets root (the repository) and the 3D-ICE steps ice_setup, ice_transient, ice_run
ice_setup "$root/benchmarks/results/tmp/microchannel" "$@"
cp "$bindir/core.flp" "$bindir/mem.flp" "$work/ice/"
sed '/^solver/,$d' "$bindir/example_steady.stk" > "$work/ice/transient_mc4rm.stk"
ice_transient >> "$work/ice/transient_mc4rm.stk"
ice_run "3D-ICE" transient_mc4rm.stk
/usr/bin/time -f "photherm, 20 ms steps: %U s CPU (user), %e s wall, %M kB peak" \
  "$root/bin/photherm" run "$here/transient_mc4rm.yaml" -o "$work/fixed.h5" -quiet -ts_adapt_type none
/usr/bin/time -f "photherm, adaptive steps: %U s CPU (user), %e s wall, %M kB peak" \
  "$root/bin/photherm" run "$here/transient_mc4rm.yaml" -o "$work/adaptive.h5" -quiet
echo "photherm with 3D-ICE's 20 ms steps:"
/usr/bin/python3 "$here/compare_3dice.py" "$work/fixed.h5" "$work/ice"
echo "photherm with its adaptive steps (accurate in time):"
/usr/bin/python3 "$here/compare_3dice.py" "$work/adaptive.h5" "$work/ice"

#!/bin/sh
# photherm and 3D-ICE side by side on the set-up of 3D-ICE's CFD validation of the 4-resistor model
# (benchmarks/README.md section 11): a 10 x 10 mm two-die stack around a 100 um cavity of 50 um channels at 100 um
# pitch, 100 W/cm^2 (50 W per die), 48 mL/min, steady. 3D-ICE runs its own regression stack of this set-up
# (test/mc4rm/steady/2dies_background.stk) with outputs of each die's largest and mean temperature; photherm runs
# benchmarks/microchannel/cfd_setup.yaml. Prints CPU time and memory of each and the comparison (compare_cfd.py).
#
# Usage: benchmarks/microchannel/run_cfd.sh [--src DIR]   (DIR: a 3D-ICE checkout, passed to build-3dice.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ice.sh"  # sets root (the repository) and the 3D-ICE steps ice_setup, ice_transient, ice_run
ice_setup "$root/benchmarks/results/tmp/microchannel-cfd" "$@"
src=$(dirname "$bindir")
cp "$src/test/background.flp" "$work/ice/"
sed '/^output/,$d' "$src/test/mc4rm/steady/2dies_background.stk" > "$work/ice/cfd.stk"
cat >> "$work/ice/cfd.stk" <<'STK'
output:
  Tflp ( die1, "die1_max.txt", maximum, final ) ;
  Tflp ( die1, "die1_avg.txt", average, final ) ;
  Tflp ( die2, "die2_max.txt", maximum, final ) ;
  Tflp ( die2, "die2_avg.txt", average, final ) ;
  T ( die1, 5000, 4800, "die1_node.txt", final ) ;
  Tcoolant ( channel1, "outlet_max.txt", maximum, final ) ;
  Tcoolant ( channel1, "outlet_avg.txt", average, final ) ;
STK
ice_run "3D-ICE" cfd.stk
/usr/bin/time -f "photherm: %U s CPU (user), %e s wall, %M kB peak" "$root/bin/photherm" run "$here/cfd_setup.yaml" -o "$work/cfd.h5" -quiet
/usr/bin/python3 "$here/compare_cfd.py" "$work/cfd.h5" "$work/ice"

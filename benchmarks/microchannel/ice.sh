# The 3D-ICE steps of the side-by-side scripts run.sh, run_2rm.sh and run_cfd.sh (benchmarks/README.md section 11),
# sourced by them (`. "$here/ice.sh"`) under `set -eu` with $here their folder; sets $root, the repository.
# shellcheck shell=sh disable=SC2034,SC2154
root=$(cd "$here/../.." && pwd)

# ice_setup WORK [--src DIR]: builds 3D-ICE (benchmarks/3dice-build/build-3dice.sh, DIR passed on to it), sets $ice (the
# program that runs a stack file), $bindir (its directory) and $work (WORK), and makes WORK/ice afresh.
ice_setup() {
  work=$1
  shift
  ice=$(sh "$root/benchmarks/3dice-build/build-3dice.sh" "$@" | tail -1)
  bindir=$(dirname "$ice")
  rm -rf "$work" && mkdir -p "$work/ice"
}

# ice_transient: the solver and output sections of a stack run as 3D-ICE's transient_mc4rm example (20 ms steps, 0.2 s
# slots, from 300 K) with outputs of every die's largest and mean temperature at every step (compare_3dice.py).
ice_transient() {
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
}

# ice_run LABEL STK: prints the load average, runs 3D-ICE on the stack file STK in $work/ice (its output in run.log
# there) and prints its CPU time, wall time and peak memory after LABEL.
ice_run() {
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$work/ice" && /usr/bin/time -o time.txt -f "$1: %U s CPU (user), %e s wall, %M kB peak" "$ice" "$2" > run.log 2>&1)
  cat "$work/ice/time.txt"
}

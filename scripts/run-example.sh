#!/bin/sh
# make run: solve the shipped 2.5D co-packaged-optics example end to end, plot its time series, show where results are.
# Usage: scripts/run-example.sh [extra photherm options]   (for instance -P time.end=50ms)
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
echo "photherm: running cases/cpo-2p5d.yaml (a 200 ms AI training workload on a 700-820 W ASIC with an optical engine beside it; about a minute on two cores)" >&2
./bin/photherm run cases/cpo-2p5d.yaml -o results/cpo-2p5d.h5 "$@"
if /usr/bin/python3 -c "import h5py, matplotlib" 2>/dev/null; then
  /usr/bin/python3 scripts/plot_run.py results/cpo-2p5d.h5 -o results/cpo-2p5d.png
  echo "time series (ASIC power, ring temperatures, tuning power, line margins, throughput): results/cpo-2p5d.png"
fi

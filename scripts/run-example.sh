#!/bin/sh
# make run: solve the shipped 2.5D co-packaged-optics example end to end and show where its results are.
# Usage: scripts/run-example.sh [extra photherm options]   (for instance -P time.end=50ms)
set -eu
cd "$(dirname "$0")/.."
mkdir -p results
echo "photherm: running cases/cpo-2p5d.yaml (a 200 ms AI training workload; about a minute on two cores)" >&2
./bin/photherm run cases/cpo-2p5d.yaml -o results/cpo-2p5d.h5 "$@"

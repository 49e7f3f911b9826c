#!/bin/sh
# Build 3D-ICE (https://github.com/esl-epfl/3d-ice, GPL-3.0) for the side-by-side comparisons of benchmarks/README.md,
# with tools Debian installs: gcc, make, bison, flex, unzip and OpenBLAS (libopenblas-dev); 3D-ICE brings its own
# SuperLU_MT 4.0 (superlu_mt-4.0.0.zip in its repository), built here by its install-superlumt.sh.
#
# Usage: benchmarks/3dice-build/build-3dice.sh [--src DIR] [--ref REF] [--deps]
#   --src DIR  build the 3D-ICE checkout in DIR instead of cloning
#   --ref REF  the tag or commit to clone (default 4.0)
#   --deps     install the Debian packages first (apt-get; sudo when not root)
# The clone and the build go to benchmarks/results/tmp/3d-ice (git-ignored); the last line printed is the path of
# 3D-ICE-Emulator, the program that runs a stack file: `3D-ICE-Emulator stack.stk` (outputs beside the stack file).
# Timed on the development machine: about 5 minutes on one core (SuperLU_MT 3, 3D-ICE 2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=""
ref="4.0"
deps=0
while [ $# -gt 0 ]; do
  case "$1" in
    --src) src=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --deps) deps=1; shift ;;
    *) echo "usage: $0 [--src DIR] [--ref REF] [--deps]" >&2; exit 2 ;;
  esac
done
if [ "$deps" = 1 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y gcc make bison flex unzip libopenblas-dev git
fi
for tool in gcc make bison flex unzip; do
  command -v "$tool" >/dev/null || { echo "build-3dice: $tool is missing (install it, or pass --deps)" >&2; exit 1; }
done
[ -e /lib/x86_64-linux-gnu/libopenblas.so ] || { echo "build-3dice: OpenBLAS is missing (libopenblas-dev, or pass --deps)" >&2; exit 1; }
if [ -z "$src" ]; then
  src="$here/../results/tmp/3d-ice"
  if [ ! -d "$src/.git" ]; then
    mkdir -p "$(dirname "$src")"
    git clone --quiet https://github.com/esl-epfl/3d-ice.git "$src"
  fi
  git -C "$src" checkout --quiet "$ref"
fi
cd "$src"
if [ ! -e superlu_mt-4.0.0/lib/libsuperlu_mt_OPENMP.a ]; then
  rm -rf superlu_mt-4.0.0
  bash install-superlumt.sh > superlu-build.log 2>&1 || { echo "build-3dice: SuperLU_MT failed, see $src/superlu-build.log" >&2; exit 1; }
fi
make lib bin > 3dice-build.log 2>&1 || { echo "build-3dice: 3D-ICE failed, see $src/3dice-build.log" >&2; exit 1; }
echo "$(pwd)/bin/3D-ICE-Emulator"

#!/bin/sh
# Install the Debian 12 packages photherm needs to build, test and view results.
# Usage: scripts/install-deps.sh [--if-missing]
#   --if-missing  do nothing when the build dependencies are already present (used by make)
set -eu

BUILD_PKGS="build-essential pkg-config petsc-dev libhdf5-openmpi-dev libyaml-dev check openmpi-bin"
# xvfb: scripts/render_slice.py renders offscreen with Debian's X-only ParaView on a private Xvfb server
TOOL_PKGS="hdf5-tools clang-format-14 python3-yaml python3-h5py python3-numpy python3-matplotlib paraview xvfb"

have_build_deps() {
  command -v mpicc >/dev/null 2>&1 &&
    command -v pkg-config >/dev/null 2>&1 &&
    pkg-config --exists PETSc hdf5-openmpi yaml-0.1 check 2>/dev/null &&
    command -v h5diff >/dev/null 2>&1 &&
    /usr/bin/python3 -c 'import yaml, h5py, numpy, matplotlib' >/dev/null 2>&1
}

if [ "${1:-}" = "--if-missing" ] && have_build_deps; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "photherm: this is not a Debian-like system (no apt-get). Install PETSc >= 3.18 with MPI and HDF5," >&2
  echo "  parallel HDF5, libyaml, Check, pkg-config and Python 3 with PyYAML, h5py, NumPy and Matplotlib," >&2
  echo "  then set PETSC_DIR/PETSC_ARCH or PKG_CONFIG_PATH so that 'pkg-config --exists PETSc hdf5-openmpi yaml-0.1 check' succeeds." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "photherm: installing packages needs root. Run as root:" >&2
    echo "  apt-get update && apt-get install -y $BUILD_PKGS $TOOL_PKGS" >&2
    exit 1
  fi
fi

echo "photherm: installing Debian packages: $BUILD_PKGS $TOOL_PKGS" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $BUILD_PKGS $TOOL_PKGS

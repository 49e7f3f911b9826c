#!/bin/sh
# Install the Debian 12 packages photherm needs to build, test and view results.
# Usage: scripts/install-deps.sh [--if-missing]
#   --if-missing  do nothing when every package below is already present (used by make and make test); when only
#                 tools are missing and cannot be installed (no apt-get, or no root and no sudo), say which and go on,
#                 so that the build still works (the tests that use a missing tool then fail)
set -eu

BUILD_PKGS="build-essential pkg-config petsc-dev libhdf5-openmpi-dev libyaml-dev check openmpi-bin"
# python3-paraview: pvpython, which runs scripts/render_slice.py and tests/verify/test_paraview.py (paraview only
#   recommends it, and recommends are not installed here)
# xvfb: scripts/render_slice.py renders offscreen with Debian's X-only ParaView on a private Xvfb server
# clang-14, libclang-rt-14-dev: the libFuzzer harnesses of make fuzz (tests/fuzz/), with ASan and UBSan
# libopenblas0-serial: an optimised BLAS and LAPACK in place of Debian's reference ones (the alternatives system
#   switches libblas.so.3 and liblapack.so.3, which PETSc and photherm load, to it): the reduced model's dense
#   products run several times faster; photherm's results do not depend on it beyond rounding
TOOL_PKGS="hdf5-tools clang-format-14 clang-14 libclang-rt-14-dev python3-yaml python3-h5py python3-numpy python3-matplotlib paraview python3-paraview xvfb libopenblas0-serial"

have() {
  command -v "$1" >/dev/null 2>&1
}

# Whether the first file a glob names exists (the shell's own glob: no command needed).
have_file() {
  [ -e "$1" ]
}

# "yes" when a build dependency is missing (pkg-config cannot tell which package lacks).
missing_build() {
  if ! have mpicc || ! have mpirun || ! have pkg-config || ! pkg-config --exists PETSc hdf5-openmpi yaml-0.1 check 2>/dev/null; then
    echo yes
  fi
}

# The tool packages that are missing, each judged by the command or Python module photherm uses from it.
missing_tools() {
  have h5diff || echo hdf5-tools
  have clang-format-14 || echo clang-format-14
  have clang-14 || echo clang-14
  have_file /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a || echo libclang-rt-14-dev
  for m in yaml h5py numpy matplotlib; do
    /usr/bin/python3 -c "import $m" >/dev/null 2>&1 || echo "python3-$m"
  done
  have paraview || echo paraview
  have pvpython || echo python3-paraview
  have Xvfb || echo xvfb
  have_file /usr/lib/*/libopenblas.so.0 || echo libopenblas0-serial
}

MISSING_BUILD=$(missing_build)
MISSING_TOOLS=$(missing_tools | tr '\n' ' ' | sed 's/ *$//')

if [ "${1:-}" = "--if-missing" ] && [ -z "$MISSING_BUILD" ] && [ -z "$MISSING_TOOLS" ]; then
  exit 0
fi

# Only tools are missing and they cannot be installed: the build goes on, make test reports what fails.
tools_only_warning() {
  echo "photherm: warning: missing Debian packages $MISSING_TOOLS; the tests and scripts that use them fail until" >&2
  echo "  they are installed ($1)" >&2
  exit 0
}

if ! have apt-get; then
  if [ "${1:-}" = "--if-missing" ] && [ -z "$MISSING_BUILD" ]; then
    tools_only_warning "this is not a Debian-like system: install their equivalents"
  fi
  echo "photherm: this is not a Debian-like system (no apt-get). Install PETSc >= 3.18 with MPI and HDF5," >&2
  echo "  parallel HDF5, libyaml, Check, pkg-config and Python 3 with PyYAML, h5py, NumPy and Matplotlib," >&2
  echo "  then set PETSC_DIR/PETSC_ARCH or PKG_CONFIG_PATH so that 'pkg-config --exists PETSc hdf5-openmpi yaml-0.1 check' succeeds;" >&2
  echo "  for ParaView scripting, clang-format, fuzzing and the tests also HDF5's tools, clang-format 14, clang 14 with libFuzzer, ParaView with pvpython and Xvfb;" >&2
  echo "  an optimised BLAS (OpenBLAS, MKL) makes the reduced model's build several times faster." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then
    SUDO="sudo"
  else
    if [ "${1:-}" = "--if-missing" ] && [ -z "$MISSING_BUILD" ]; then
      tools_only_warning "as root: apt-get install -y --no-install-recommends $MISSING_TOOLS"
    fi
    echo "photherm: installing packages needs root. Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends $BUILD_PKGS $TOOL_PKGS" >&2
    exit 1
  fi
fi

[ -z "$MISSING_BUILD" ] || echo "photherm: missing: build dependencies (MPI, PETSc, parallel HDF5, libyaml or Check)" >&2
[ -z "$MISSING_TOOLS" ] || echo "photherm: missing: $MISSING_TOOLS" >&2
echo "photherm: installing Debian packages: $BUILD_PKGS $TOOL_PKGS" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $BUILD_PKGS $TOOL_PKGS

/*
  photherm/import.h - converting the inputs of other thermal simulators into photherm cases (HotSpot 7, 3D-ICE 4).

  An importer reads the other tool's files, reports every problem in them as a case-file error (FILE:LINE:COL, one
  line each, exit 2, nothing written), builds a description of the package in photherm's terms (materials, layers,
  blocks, boundaries, sources, time, output) and writes it as a readable case file whose comments name the source files,
  plus the power trace it needs. The written case is loaded before anything is written, so an importer never leaves a
  case photherm would refuse. cases/README.md section 19 states how each format maps onto a case.
  Ownership: nothing is returned; the functions write the files and set the exit code.

  Layer: above case (it loads the case it writes to validate it) and base; called by cli only.
*/
#pragma once

#include <photherm/case.h>

PH_EXTERN PetscErrorCode PhImportHotSpot(MPI_Comm comm, int argc, char **argv, const char output[], int *exit_code);
PH_EXTERN PetscErrorCode PhImport3DIce(MPI_Comm comm, int argc, char **argv, const char output[], int *exit_code);

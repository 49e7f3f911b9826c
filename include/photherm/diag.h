/*
  photherm/diag.h - problems found in user input, collected so that all of them are reported at once.

  Bad input (case files, traces, -P values, the command line) is never a PETSc error: each check adds one entry
  and validation goes on (STYLE.md, channel 1). Every rank builds the same list, and rank 0 prints it.
  Ownership: PhDiagCreate() gives the caller a collector to destroy with PhDiagDestroy(); it copies every string.

  Layer: base; every input check (case, mesh file, traces, command line) records its problems here. It calls only sys.
*/
#pragma once

#include <photherm/sys.h>

typedef struct _p_PhDiag *PhDiag;

/* Where a problem sits: a file (or "-P" for the command line), 1-based line and column; line 0 means no position. */
typedef struct {
  const char *file;
  PetscInt    line;
  PetscInt    column;
} PhSourceLoc;

PH_EXTERN PetscErrorCode PhDiagCreate(PhDiag *diag);
PH_EXTERN void           PhDiagEscape(const char *s, char *out, size_t len);
PH_EXTERN PetscErrorCode PhDiagFPrintf(MPI_Comm comm, FILE *stream, const char format[], ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
PH_EXTERN PetscErrorCode PhDiagAdd(PhDiag diag, PhSourceLoc loc, const char key_path[], const char format[], ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
PH_EXTERN PetscErrorCode PhDiagWarn(PhDiag diag, PhSourceLoc loc, const char key_path[], const char format[], ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
PH_EXTERN PetscErrorCode PhDiagGetCount(PhDiag diag, PetscInt *errors, PetscInt *warnings);
PH_EXTERN PetscErrorCode PhDiagGetMessage(PhDiag diag, PetscInt index, const char **message);
PH_EXTERN PetscErrorCode PhDiagPrint(PhDiag diag, MPI_Comm comm, FILE *stream);
PH_EXTERN PetscErrorCode PhDiagDestroy(PhDiag *diag);

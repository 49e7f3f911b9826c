/*
  photherm/output.h - the result file (DESIGN §7): one HDF5 file written collectively from all ranks, and its XDMF
  companion for ParaView.

  The file is written as OUT.partial and renamed to OUT when PhOutputClose() is called with success; a failed run
  leaves OUT.partial and never truncates an existing OUT. Every dataset and summary value carries `units` and
  `definition` (for a summary attribute `x`: attributes `x.units` and `x.definition`).

  Ownership: PhOutputCreate() gives the caller an object to finish with PhOutputClose() and free with
  PhOutputDestroy(). The case, mesh and DM are borrowed.
*/
#pragma once

#include <petscdmda.h>
#include <photherm/case.h>
#include <photherm/h5.h>
#include <photherm/mesh.h>

typedef struct _p_PhOutput *PhOutput;

PH_EXTERN PetscErrorCode PhOutputCreate(MPI_Comm comm, const char path[], PhCase problem, PhMesh mesh, DM da, const char command_line[],
                                        PhOutput *out);
PH_EXTERN PetscErrorCode PhOutputWriteField(PhOutput out, const char name[], Vec field, PetscReal scale, PetscReal shift, const char units[],
                                            const char definition[]);
PH_EXTERN PetscErrorCode PhOutputAppendSnapshot(PhOutput out, PetscReal t, Vec temperature);
PH_EXTERN PetscErrorCode PhOutputWriteTable(PhOutput out, const char path[], PetscInt nrows, PetscInt ncols, const PetscReal *data, PetscInt nnames,
                                            const char *const names[], const char units[], const char definition[]);
PH_EXTERN PetscErrorCode PhOutputSetReal(PhOutput out, const char group[], const char name[], PetscReal value, const char units[],
                                         const char definition[]);
PH_EXTERN PetscErrorCode PhOutputSetString(PhOutput out, const char group[], const char name[], const char value[]);
PH_EXTERN PetscErrorCode PhOutputClose(PhOutput out, const char **final_path, const char **xdmf_path);
PH_EXTERN PetscErrorCode PhOutputDestroy(PhOutput *out);
PH_EXTERN PetscErrorCode PhOutputXdmfPath(const char h5_path[], char *xdmf, size_t len);

/*
  photherm/h5.h - small HDF5 helpers shared by the mesh file, the result file and their readers (DESIGN §4, §7). The
  layout of the mesh file belongs to the mesh module (photherm/mesh.h).

  Readers report a missing or malformed dataset through `ok` (bad input is the caller's diagnostic); writers raise
  PETSc errors (a failed write is a failed run). Arrays returned by readers are PetscMalloc'd: free with PetscFree().

  Layer: base; the mesh file (mesh module) and the result file (output module) are written and read through these
  helpers, and no other module calls HDF5 for them. It calls only sys.
*/
#pragma once

#include <hdf5.h>
#include <photherm/sys.h>

PH_EXTERN PetscErrorCode PhH5ReadReals(hid_t file, const char name[], PetscInt *n, PetscReal **data, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadRealTable(hid_t file, const char name[], PetscInt *rows, PetscInt *cols, PetscReal **data, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadStringAttribute(hid_t file, const char object[], const char attr[], PetscInt *n, char ***strings, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadTable(hid_t file, const char name[], int nint, const char *const fields[], PetscInt *n, char ***names, int **ints,
                                       PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5FreeStrings(PetscInt n, char ***strings);
PH_EXTERN PetscErrorCode PhH5WriteReals(hid_t loc, const char name[], PetscInt n, const PetscReal *data, const char units[], const char definition[]);
PH_EXTERN PetscErrorCode PhH5WriteString(hid_t obj, const char attr[], const char value[]);
PH_EXTERN PetscErrorCode PhH5WriteStringAttribute(hid_t loc, const char object[], const char attr[], PetscInt n, const char *const strings[]);
PH_EXTERN PetscErrorCode PhH5WriteTextAttributes(hid_t loc, const char object[], const char units[], const char definition[]);
PH_EXTERN PetscErrorCode PhH5WriteTable(hid_t file, const char name[], PetscInt n, const char *const names[], int nint, const char *const fields[],
                                        const int *ints, const char definition[]);
PH_EXTERN PetscErrorCode PhH5SelectBox(hid_t dset, hsize_t lead, const PetscInt lo[3], const PetscInt hi[3], hid_t *fspace, hid_t *mspace);
PH_EXTERN PetscErrorCode PhH5CreateGroups(hid_t file, const char path[]);

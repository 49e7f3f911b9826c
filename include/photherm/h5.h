/*
  photherm/h5.h - small HDF5 helpers shared by the mesh file, the result file and their readers (DESIGN §4, §7).

  Readers report a missing or malformed dataset through `ok` (bad input is the caller's diagnostic); writers raise
  PETSc errors (a failed write is a failed run). Arrays returned by readers are PetscMalloc'd: free with PetscFree().

  Layer: base; the mesh file (mesh module) and the result file (output module) are written and read through these
  helpers, and no other module calls HDF5 for them. It calls only sys.
*/
#pragma once

#include <hdf5.h>
#include <photherm/sys.h>

/* Names in the mesh group (DESIGN §4). Layers and blocks are compound tables with half-open cell-index ranges. */
#define PH_H5_MESH          "/mesh"
#define PH_H5_MESH_X        "/mesh/x"
#define PH_H5_MESH_Y        "/mesh/y"
#define PH_H5_MESH_Z        "/mesh/z"
#define PH_H5_MESH_MATERIAL "/mesh/material"
#define PH_H5_MESH_LAYERS   "/mesh/layers"
#define PH_H5_MESH_BLOCKS   "/mesh/blocks"

/* One row of /mesh/layers: cells k0 <= k < k1. */
typedef struct {
  char *name;
  int   k0, k1;
} PhH5LayerRow;

/* One row of /mesh/blocks: cells i0 <= i < i1, j0 <= j < j1, k0 <= k < k1. */
typedef struct {
  char *name;
  int   i0, i1, j0, j1, k0, k1;
} PhH5BlockRow;

PH_EXTERN PetscErrorCode PhH5ReadReals(hid_t file, const char name[], PetscInt *n, PetscReal **data, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadRealTable(hid_t file, const char name[], PetscInt *rows, PetscInt *cols, PetscReal **data, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadStringAttribute(hid_t file, const char object[], const char attr[], PetscInt *n, char ***strings, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadLayers(hid_t file, PetscInt *n, PhH5LayerRow **rows, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5ReadBlocks(hid_t file, PetscInt *n, PhH5BlockRow **rows, PetscBool *ok);
PH_EXTERN PetscErrorCode PhH5FreeStrings(PetscInt n, char ***strings);
PH_EXTERN PetscErrorCode PhH5WriteReals(hid_t loc, const char name[], PetscInt n, const PetscReal *data, const char units[], const char definition[]);
PH_EXTERN PetscErrorCode PhH5WriteString(hid_t obj, const char attr[], const char value[]);
PH_EXTERN PetscErrorCode PhH5WriteStringAttribute(hid_t loc, const char object[], const char attr[], PetscInt n, const char *const strings[]);
PH_EXTERN PetscErrorCode PhH5WriteTextAttributes(hid_t loc, const char object[], const char units[], const char definition[]);
PH_EXTERN PetscErrorCode PhH5WriteLayers(hid_t file, PetscInt n, const PhH5LayerRow rows[]);
PH_EXTERN PetscErrorCode PhH5WriteBlocks(hid_t file, PetscInt n, const PhH5BlockRow rows[]);
PH_EXTERN PetscErrorCode PhH5CreateGroups(hid_t file, const char path[]);

/* src/mesh_impl.h - private to src/mesh*.c: the layout of the mesh object. */
#pragma once

#include <photherm/mesh.h>

struct _p_PhMesh {
  MPI_Comm    comm;
  PhCase      problem;      /* borrowed */
  PetscInt    n[3];         /* cells along x, y, z */
  PetscReal  *line[3];      /* node coordinates, m; lengths n[d] + 1 */
  PetscInt    nedge[3];     /* mandatory coordinates as merged, before the domain ends were made exact (none for a mesh file): */
  PetscReal  *edge[3];      /* every edge of the case maps to the last of them at or below it (DESIGN §3.4), m */
  PetscInt   *edge_line[3]; /* and that one's line */
  PhIndexBox *layer_box, *block_box, *source_box;
  PetscInt  **channel; /* per layer: NULL, or for a micro-channel layer the cells [2c, 2c+1) across the flow of each channel c */
};

PH_INTERN PetscErrorCode PhMeshReadLines_Private(PhMesh mesh);
PH_INTERN PetscErrorCode PhMeshReadMaterial_Private(PhMesh mesh, const PhIndexBox *box, PetscInt *material);

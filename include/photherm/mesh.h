/*
  photherm/mesh.h - the rectilinear voxel mesh: grid lines, cell materials, and the cell boxes of layers, blocks and
  sources (DESIGN §3.4, §4).

  Every rank builds the same grid lines from the case (they are small); cell data (materials) is produced only for the
  index box a rank asks for, so memory per rank follows its share of the cells.

  Ownership: PhMeshCreate() gives the caller a mesh to destroy with PhMeshDestroy(). The case is borrowed and must
  outlive the mesh. Arrays returned by the getters belong to the mesh.
*/
#pragma once

#include <photherm/case.h>
#include <photherm/diag.h>
#include <photherm/h5.h>

typedef struct _p_PhMesh *PhMesh;

/* A half-open box of cell indices: lo[d] <= index < hi[d] in directions x, y, z. */
typedef struct {
  PetscInt lo[3], hi[3];
} PhIndexBox;

/*
  The one way to visit cells of a box: intersect it with the box a rank owns (PhThermalGetOwnedBox()), then loop with
  PH_BOX_FOR and index DMDA arrays (DMDAVecGetArray) as a[k][j][i] with global indices. An empty intersection has
  lo >= hi in some direction and the loop does nothing.
*/
static inline PhIndexBox PhIndexBoxIntersect(const PhIndexBox *a, const PhIndexBox *b)
{
  PhIndexBox c;

  for (int d = 0; d < 3; d++) {
    c.lo[d] = a->lo[d] > b->lo[d] ? a->lo[d] : b->lo[d];
    c.hi[d] = a->hi[d] < b->hi[d] ? a->hi[d] : b->hi[d];
  }
  return c;
}

#define PH_BOX_FOR(box, i, j, k) \
  for (PetscInt k = (box).lo[2]; k < (box).hi[2]; k++) \
    for (PetscInt j = (box).lo[1]; j < (box).hi[1]; j++) \
      for (PetscInt i = (box).lo[0]; i < (box).hi[0]; i++)

/* Cells of a box (0 when it is empty). */
static inline PetscInt PhIndexBoxCount(const PhIndexBox *box)
{
  PetscInt n = 1;

  for (int d = 0; d < 3; d++) n *= box->hi[d] > box->lo[d] ? box->hi[d] - box->lo[d] : 0;
  return n;
}

/* Where cell (i, j, k) (global indices) sits in a flat array that stores the cells of `box` [k][j][i], x fastest: the
   one flattening for arrays that are not DMDA vectors. */
static inline PetscInt PhIndexBoxOffset(const PhIndexBox *box, PetscInt i, PetscInt j, PetscInt k)
{
  return ((k - box->lo[2]) * (box->hi[1] - box->lo[1]) + (j - box->lo[1])) * (box->hi[0] - box->lo[0]) + (i - box->lo[0]);
}

/* What the memory estimate counts, per cell and per rank. */
typedef struct {
  PetscReal cells; /* cells of the whole mesh */
  PetscReal bytes_per_cell;
  PetscReal fixed_per_rank; /* libraries, MPI and replicated data, bytes */
  PetscInt  ranks;          /* ranks the cells are divided over */
  PetscInt  ranks_per_node; /* ranks sharing one node's memory */
  PetscReal per_rank;       /* bytes */
  PetscReal per_node;       /* bytes */
  PetscReal available;      /* bytes available on this node (0 when unknown) */
} PhMemoryEstimate;

PH_EXTERN PetscErrorCode PhMeshCreate(MPI_Comm comm, PhCase problem, PhDiag diag, PhMesh *mesh);
PH_EXTERN PetscErrorCode PhMeshGetSizes(PhMesh mesh, PetscInt *nx, PetscInt *ny, PetscInt *nz);
PH_EXTERN PetscErrorCode PhMeshGetLines(PhMesh mesh, const PetscReal *x[], const PetscReal *y[], const PetscReal *z[]);
PH_EXTERN PetscErrorCode PhMeshGetLayerBox(PhMesh mesh, PetscInt layer, PhIndexBox *box);
PH_EXTERN PetscErrorCode PhMeshGetBlockBox(PhMesh mesh, PetscInt block, PhIndexBox *box);
PH_EXTERN PetscErrorCode PhMeshGetSourceBox(PhMesh mesh, PetscInt source, PhIndexBox *box);
PH_EXTERN PetscErrorCode PhMeshFindLine(PhMesh mesh, PetscInt dir, PetscReal coordinate, PetscInt *index);
PH_EXTERN PetscErrorCode PhMeshFillMaterial(PhMesh mesh, const PhIndexBox *box, PetscInt *material);
PH_EXTERN PetscErrorCode PhMeshEstimateMemory(PhMesh mesh, PetscInt ranks, PetscInt ranks_per_node, PhMemoryEstimate *estimate);
PH_EXTERN PetscErrorCode PhMeshWrite(PhMesh mesh, const char path[]);
PH_EXTERN PetscErrorCode PhMeshWriteGroup(PhMesh mesh, hid_t file);
PH_EXTERN PetscErrorCode PhMeshDestroy(PhMesh *mesh);

PH_EXTERN PetscErrorCode PhGradeLines(PetscInt nedges, const PetscReal edges[], const PetscReal hmax[], const PetscInt fixed[], PetscReal ratio,
                                      PetscInt *nlines, PetscReal **lines, PetscBool *ok);

/*
  photherm/mesh.h - the rectilinear voxel mesh: grid lines, cell materials, and the cell boxes of layers, blocks and
  sources (DESIGN §3.4, §4).

  Every rank builds the same grid lines from the case (they are small); cell data (materials) is produced only for the
  index box a rank asks for, so memory per rank follows its share of the cells.

  Ownership: PhMeshCreate() gives the caller a mesh to destroy with PhMeshDestroy(). The case is borrowed and must
  outlive the mesh. Arrays returned by the getters belong to the mesh.

  Layer: above case, below output and thermal. The mesh owns the grid lines, the cell boxes and the materials of cells;
  it may call case, diag and h5, never thermal, output, links or sim.
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

/* Whether two boxes hold the same cells (two empty boxes do). */
static inline PetscBool PhIndexBoxEqual(const PhIndexBox *a, const PhIndexBox *b)
{
  if (PhIndexBoxCount(a) == 0 || PhIndexBoxCount(b) == 0) return (PetscBool)(PhIndexBoxCount(a) == PhIndexBoxCount(b));
  for (int d = 0; d < 3; d++)
    if (a->lo[d] != b->lo[d] || a->hi[d] != b->hi[d]) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Where cell (i, j, k) (global indices) sits in a flat array that stores the cells of `box` [k][j][i], x fastest: the
   one flattening for arrays that are not DMDA vectors. */
static inline PetscInt PhIndexBoxOffset(const PhIndexBox *box, PetscInt i, PetscInt j, PetscInt k)
{
  return ((k - box->lo[2]) * (box->hi[1] - box->lo[1]) + (j - box->lo[1])) * (box->hi[0] - box->lo[0]) + (i - box->lo[0]);
}

/*
  The mesh file (DESIGN §4), which is also the /mesh group of a result file: src/mesh_io.c alone reads and writes it.
  Layers and blocks are compound tables {name, int32 ...} with half-open cell-index ranges.
*/
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
} PhMeshFileLayer;

/* One row of /mesh/blocks: cells i0 <= i < i1, j0 <= j < j1, k0 <= k < k1. */
typedef struct {
  char *name;
  int   i0, i1, j0, j1, k0, k1;
} PhMeshFileBlock;

/* How far PhMeshFileReadHeader() got: what it read is valid up to the first problem, which stops it. */
typedef enum {
  PH_MESH_FILE_OK,           /* all of the header was read */
  PH_MESH_FILE_UNREADABLE,   /* the file cannot be read (`error` is the errno) */
  PH_MESH_FILE_NOT_HDF5,     /* readable, but not an HDF5 file */
  PH_MESH_FILE_CANNOT_OPEN,  /* HDF5 cannot open it */
  PH_MESH_FILE_BAD_LINES,    /* x, y, z missing, or not strictly increasing with at least two nodes each */
  PH_MESH_FILE_BAD_MATERIAL, /* material missing or not [nz][ny][nx] */
  PH_MESH_FILE_NO_NAMES,     /* material has no (or an empty) "names" attribute */
  PH_MESH_FILE_BAD_TABLE,    /* /mesh/layers or /mesh/blocks (`table`) exists but is not a table of name and cell ranges */
  PH_MESH_FILE_BAD_ID        /* a cell's material id (`bad_id`, at `bad_cell`) does not index the names */
} PhMeshFileStatus;

/* The header of a mesh file: all but the cell materials, which the mesh reads for the boxes it is asked for. */
typedef struct {
  PhMeshFileStatus status;
  int              error;   /* errno when UNREADABLE */
  PetscInt         n[3];    /* cells along x, y, z */
  PetscReal       *line[3]; /* node coordinates, m; lengths n[d] + 1 */
  PetscInt         nnames;  /* material names: a cell's material id indexes them */
  char           **names;
  PetscBool        has_layers; /* /mesh/layers was read (it is optional) */
  PetscInt         nlayers;
  PhMeshFileLayer *layers;
  PetscBool        has_blocks; /* /mesh/blocks was read (it is optional) */
  PetscInt         nblocks;
  PhMeshFileBlock *blocks;
  const char      *table;       /* BAD_TABLE: the dataset */
  int              bad_id;      /* BAD_ID: the first id out of range, */
  PetscInt         bad_cell[3]; /* at this cell (i, j, k) */
} PhMeshFileHeader;

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
PH_EXTERN PetscErrorCode PhMeshFillChannels(PhMesh mesh, const PhIndexBox *box, PetscInt *layer);
PH_EXTERN PetscErrorCode PhMeshEstimateMemory(PhMesh mesh, PetscInt ranks, PetscInt ranks_per_node, PhMemoryEstimate *estimate);
PH_EXTERN PetscErrorCode PhMeshWrite(PhMesh mesh, const char path[]);
PH_EXTERN PetscErrorCode PhMeshWriteGroup(PhMesh mesh, hid_t file);
PH_EXTERN PetscErrorCode PhMeshFileReadHeader(MPI_Comm comm, const char path[], PhMeshFileHeader *header);
PH_EXTERN PetscErrorCode PhMeshFileHeaderReset(PhMeshFileHeader *header);
PH_EXTERN PetscErrorCode PhMeshDestroy(PhMesh *mesh);

PH_EXTERN PetscErrorCode PhGradeLines(PetscInt nedges, const PetscReal edges[], const PetscReal hmax[], const PetscInt fixed[], PetscReal ratio,
                                      PetscInt *nlines, PetscReal **lines, PetscBool *ok);

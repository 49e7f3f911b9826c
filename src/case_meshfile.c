/* mesh: {file: ...}: resolve the header of a mesh file (lines, names, layers, blocks; read by the mesh module) against the case. */
#include "case_impl.h"

#include <photherm/mesh.h>
#include <stdlib.h>
#include <string.h>

static int PhCompareNames(const void *a, const void *b)
{
  return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Names of the layers or blocks of a mesh file: valid (they become HDF5 paths and keys) and each given once. */
static PetscErrorCode PhMeshFileCheckNames(PhLoader *ld, PhSourceLoc loc, const char key_path[], const char file[], const char noun[], PetscInt n,
                                           char **names, PetscBool *ok)
{
  char ***sorted;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++)
    if (!PhNameValid_Private(names[i])) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": %s %d has the name \"%s\", not a valid name (" PH_NAME_RULE ")", file, noun,
                          (int)i, names[i]));
      *ok = PETSC_FALSE;
    }
  PetscCall(PetscMalloc1(PetscMax(n, 1), &sorted)); /* duplicates by sorting: a table may be long */
  for (PetscInt i = 0; i < n; i++) sorted[i] = &names[i];
  qsort(sorted, (size_t)n, sizeof(*sorted), PhCompareNames);
  for (PetscInt i = 1; i < n; i++)
    if (!strcmp(*sorted[i], *sorted[i - 1]) && (i < 2 || strcmp(*sorted[i], *sorted[i - 2]))) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": %s \"%s\" is defined more than once", file, noun, *sorted[i]));
      *ok = PETSC_FALSE;
    }
  PetscCall(PetscFree(sorted));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The layers and blocks tables of a mesh file: valid unique names, cell ranges inside the mesh, and layers that stack
   from the bottom to the top without gaps or overlaps, as photherm mesh writes them. A problem sets h->status. */
static PetscErrorCode PhMeshFileCheckTables(PhLoader *ld, PhMeshFileHeader *h, PhSourceLoc loc, const char key_path[], const char file[])
{
  PetscBool ok = PETSC_TRUE;
  char    **names;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(PetscMax(h->nlayers, h->nblocks), 1), &names));
  for (PetscInt l = 0; l < h->nlayers; l++) names[l] = h->layers[l].name;
  PetscCall(PhMeshFileCheckNames(ld, loc, key_path, file, "layer", h->nlayers, names, &ok));
  for (PetscInt b = 0; b < h->nblocks; b++) names[b] = h->blocks[b].name;
  PetscCall(PhMeshFileCheckNames(ld, loc, key_path, file, "block", h->nblocks, names, &ok));
  PetscCall(PetscFree(names));
  for (PetscInt l = 0; l < h->nlayers; l++) {
    const PhMeshFileLayer *r    = &h->layers[l];
    int                    from = l == 0 ? 0 : h->layers[l - 1].k1;

    if (r->k0 < 0 || r->k1 > h->n[2] || r->k1 <= r->k0) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": layer \"%s\" has the bad cell range [%d, %d) of %d", file, r->name, r->k0,
                          r->k1, (int)h->n[2]));
      ok = PETSC_FALSE;
    } else if (r->k0 != from) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path,
                          "mesh file \"%s\": layer \"%s\" starts at cell %d, not at %d where the layer below it ends: the layers of " PH_H5_MESH_LAYERS
                          " must stack from the bottom up without gaps or overlaps",
                          file, r->name, r->k0, from));
      ok = PETSC_FALSE;
    } else if (l == h->nlayers - 1 && r->k1 != h->n[2]) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": the top layer \"%s\" ends at cell %d, below the top of the mesh (%d cells)",
                          file, r->name, r->k1, (int)h->n[2]));
      ok = PETSC_FALSE;
    }
  }
  for (PetscInt b = 0; b < h->nblocks; b++) {
    const PhMeshFileBlock *r = &h->blocks[b];

    if (r->i0 < 0 || r->i1 > h->n[0] || r->i1 <= r->i0 || r->j0 < 0 || r->j1 > h->n[1] || r->j1 <= r->j0 || r->k0 < 0 || r->k1 > h->n[2] ||
        r->k1 <= r->k0) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": block \"%s\" has a bad cell range", file, r->name));
      ok = PETSC_FALSE;
    }
  }
  if (!ok) h->status = PH_MESH_FILE_BAD_TABLE; /* reported */
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Read the header of the mesh file named by `file_node` and fill footprint, layers, blocks and the material map.
  Problems are diagnostics at the `mesh.file` key; the cell materials themselves are read by the mesh.
**/
PetscErrorCode PhMeshFileLoadHeader_Private(PhLoader *ld, const PhNode *file_node, const char key_path[])
{
  PhCase           pb = ld->problem;
  PhMeshFileHeader h;
  PetscInt         nx, ny, nz;
  const PetscReal *x, *y, *z;
  PhSourceLoc      loc = file_node->loc;

  PetscFunctionBeginUser;
  ld->no_geometry = PETSC_TRUE; /* until the header is read: then sources and optics can name its layers and blocks */
  /* relative to the file that names it; a -P value (no position) is relative to the current directory */
  if (file_node->loc.line > 0) PetscCall(PhPathJoin(file_node->loc.file, file_node->value, &pb->mesh_file));
  else PetscCall(PetscStrallocpy(file_node->value, &pb->mesh_file));
  PetscCall(PhMeshFileReadHeader(ld->comm, pb->mesh_file, &h));
  switch (h.status) {
  case PH_MESH_FILE_OK:
    break;
  case PH_MESH_FILE_UNREADABLE:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "cannot read mesh file \"%s\": %s", pb->mesh_file, strerror(h.error)));
    break;
  case PH_MESH_FILE_NOT_HDF5:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "\"%s\" is not an HDF5 mesh file (write one with photherm mesh CASE -o FILE)", pb->mesh_file));
    break;
  case PH_MESH_FILE_CANNOT_OPEN:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "cannot open mesh file \"%s\": the HDF5 file is truncated or damaged", pb->mesh_file));
    break;
  case PH_MESH_FILE_BAD_LINES:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path,
                        "mesh file \"%s\": " PH_H5_MESH_X ", " PH_H5_MESH_Y " and " PH_H5_MESH_Z
                        " must be strictly increasing node coordinates (at least two each)",
                        pb->mesh_file));
    break;
  case PH_MESH_FILE_BAD_MATERIAL:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": " PH_H5_MESH_MATERIAL " must be an integer array [nz][ny][nx] = [%d][%d][%d]",
                        pb->mesh_file, (int)h.n[2], (int)h.n[1], (int)h.n[0]));
    break;
  case PH_MESH_FILE_NO_NAMES:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": " PH_H5_MESH_MATERIAL " has no \"names\" attribute naming its materials",
                        pb->mesh_file));
    break;
  case PH_MESH_FILE_BAD_TABLE:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": %s must be a table of name and %s", pb->mesh_file, h.table,
                        strcmp(h.table, PH_H5_MESH_LAYERS) ? "i0, i1, j0, j1, k0, k1" : "k0, k1"));
    break;
  case PH_MESH_FILE_BAD_ID:
    PetscCall(PhDiagAdd(ld->diag, loc, key_path,
                        "mesh file \"%s\": cell (%d, %d, %d) of " PH_H5_MESH_MATERIAL " has the material id %d, not an index of its %d names",
                        pb->mesh_file, (int)h.bad_cell[0], (int)h.bad_cell[1], (int)h.bad_cell[2], h.bad_id, (int)h.nnames));
    break;
  }
  if (h.status == PH_MESH_FILE_OK) PetscCall(PhMeshFileCheckTables(ld, &h, loc, key_path, pb->mesh_file));
  if (h.status != PH_MESH_FILE_OK) {
    PetscCall(PhMeshFileHeaderReset(&h));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  nx = h.n[0], ny = h.n[1], nz = h.n[2];
  x = h.line[0], y = h.line[1], z = h.line[2];
  PetscCall(PetscMalloc1(h.nnames, &pb->mesh_material_map));
  pb->nmesh_materials = h.nnames;
  for (PetscInt i = 0; i < h.nnames; i++) {
    pb->mesh_material_map[i] = -1;
    for (PetscInt m = 0; m < pb->nmaterials; m++)
      if (!strcmp(pb->materials[m].name, h.names[i])) pb->mesh_material_map[i] = m;
    if (pb->mesh_material_map[i] < 0)
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "material \"%s\" of mesh file \"%s\" is not defined under materials", h.names[i], pb->mesh_file));
  }
  pb->fx0 = x[0], pb->fx1 = x[nx], pb->fy0 = y[0], pb->fy1 = y[ny];
  if (!h.has_layers || h.nlayers == 0) {
    PetscCall(PetscCalloc1(1, &pb->layers));
    pb->nlayers = 1;
    PetscCall(PetscStrallocpy("all", &pb->layers[0].name));
    pb->layers[0].z0       = z[0];
    pb->layers[0].z1       = z[nz];
    pb->layers[0].cells    = nz;
    pb->layers[0].material = -1;
    pb->layers[0].loc      = loc;
  } else {
    PetscCall(PetscCalloc1(h.nlayers, &pb->layers));
    pb->nlayers = h.nlayers;
    for (PetscInt l = 0; l < h.nlayers; l++) {
      const PhMeshFileLayer *r = &h.layers[l];

      PetscCall(PetscStrallocpy(r->name, &pb->layers[l].name));
      pb->layers[l].material = -1;
      pb->layers[l].loc      = loc;
      pb->layers[l].z0       = z[r->k0];
      pb->layers[l].z1       = z[r->k1];
      pb->layers[l].cells    = r->k1 - r->k0;
    }
  }
  PetscCall(PetscCalloc1(PetscMax(h.nblocks, 1), &pb->blocks));
  for (PetscInt b = 0; h.has_blocks && b < h.nblocks; b++) {
    const PhMeshFileBlock *r   = &h.blocks[b];
    PhBlock               *blk = &pb->blocks[pb->nblocks];

    PetscCall(PetscStrallocpy(r->name, &blk->name));
    blk->material = -1;
    blk->x0 = x[r->i0], blk->x1 = x[r->i1], blk->y0 = y[r->j0], blk->y1 = y[r->j1], blk->z0 = z[r->k0], blk->z1 = z[r->k1];
    blk->layer_lo = blk->layer_hi = -1;
    for (PetscInt l = 0; l < pb->nlayers; l++) {
      if (blk->z0 >= pb->layers[l].z0 - PH_MERGE_DISTANCE && blk->z0 < pb->layers[l].z1 - PH_MERGE_DISTANCE) blk->layer_lo = l;
      if (blk->z1 > pb->layers[l].z0 + PH_MERGE_DISTANCE && blk->z1 <= pb->layers[l].z1 + PH_MERGE_DISTANCE) blk->layer_hi = l;
    }
    blk->in_layer = (PetscBool)(blk->layer_lo >= 0 && blk->layer_lo == blk->layer_hi);
    blk->loc      = loc;
    pb->nblocks++;
  }
  ld->no_geometry = PETSC_FALSE; /* a file without /mesh/blocks has no blocks: names of blocks are then unknown */
  PetscCall(PhMeshFileHeaderReset(&h));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* mesh: {file: ...}: read the small header of a mesh file (lines, names, layers, blocks) and resolve it against the case. */
#include "case_impl.h"

#include <errno.h>
#include <photherm/h5.h>
#include <string.h>

static PetscBool PhIncreasing(PetscInt n, const PetscReal *v)
{
  for (PetscInt i = 1; i < n; i++)
    if (!(v[i] > v[i - 1])) return PETSC_FALSE;
  return (PetscBool)(n >= 2);
}

/**
  Read the header of the mesh file named by `file_node` and fill footprint, layers, blocks and the material map.
  Problems are diagnostics at the `mesh.file` key; the cell materials themselves are read by the mesh.
**/
PetscErrorCode PhMeshFileLoadHeader_Private(PhLoader *ld, const PhNode *file_node, const char key_path[])
{
  PhCase        pb = ld->problem;
  hid_t         file;
  PetscReal    *x = NULL, *y = NULL, *z = NULL;
  PetscInt      nx = 0, ny = 0, nz = 0, nnames = 0, nlayers = 0, nblocks = 0;
  char        **names  = NULL;
  PhH5LayerRow *layers = NULL;
  PhH5BlockRow *blocks = NULL;
  PetscBool     okx, oky, okz, okn, okl, okb;
  PhSourceLoc   loc = file_node->loc;
  PetscMPIInt   rank;
  int           status = 0; /* 0 readable HDF5, -1 readable but not HDF5, else errno */

  PetscFunctionBeginUser;
  ld->no_geometry = PETSC_TRUE; /* until the header is read: then sources and optics can name its layers and blocks */
  /* relative to the file that names it; a -P value (no position) is relative to the current directory */
  if (file_node->loc.line > 0) PetscCall(PhPathJoin(file_node->loc.file, file_node->value, &pb->mesh_file));
  else PetscCall(PetscStrallocpy(file_node->value, &pb->mesh_file));
  PetscCallMPI(MPI_Comm_rank(ld->comm, &rank));
  if (rank == 0) {
    FILE *fp = fopen(pb->mesh_file, "rb");

    if (fp == NULL) status = errno ? errno : EIO;
    else {
      (void)fclose(fp);
      if (H5Fis_hdf5(pb->mesh_file) <= 0) status = -1;
    }
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, ld->comm));
  if (status > 0) {
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "cannot read mesh file \"%s\": %s", pb->mesh_file, strerror(status)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (status < 0) {
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "\"%s\" is not an HDF5 mesh file (write one with photherm mesh CASE -o FILE)", pb->mesh_file));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  file = H5Fopen(pb->mesh_file, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "cannot open mesh file \"%s\"", pb->mesh_file));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhH5ReadReals(file, PH_H5_MESH_X, &nx, &x, &okx));
  PetscCall(PhH5ReadReals(file, PH_H5_MESH_Y, &ny, &y, &oky));
  PetscCall(PhH5ReadReals(file, PH_H5_MESH_Z, &nz, &z, &okz));
  if (!okx || !oky || !okz || !PhIncreasing(nx, x) || !PhIncreasing(ny, y) || !PhIncreasing(nz, z)) {
    PetscCall(PhDiagAdd(ld->diag, loc, key_path,
                        "mesh file \"%s\": /mesh/x, /mesh/y and /mesh/z must be strictly increasing node coordinates (at least two each)",
                        pb->mesh_file));
    goto done;
  }
  nx--, ny--, nz--;
  {
    hid_t   dset, space;
    hsize_t dims[3] = {0, 0, 0};
    int     ndims   = -1;

    if (H5Lexists(file, PH_H5_MESH_MATERIAL, H5P_DEFAULT) > 0 && (dset = H5Dopen2(file, PH_H5_MESH_MATERIAL, H5P_DEFAULT)) >= 0) {
      space = H5Dget_space(dset);
      ndims = H5Sget_simple_extent_ndims(space);
      if (ndims == 3) (void)H5Sget_simple_extent_dims(space, dims, NULL);
      (void)H5Sclose(space);
      (void)H5Dclose(dset);
    }
    if (ndims != 3 || dims[0] != (hsize_t)nz || dims[1] != (hsize_t)ny || dims[2] != (hsize_t)nx) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": /mesh/material must be an integer array [nz][ny][nx] = [%d][%d][%d]",
                          pb->mesh_file, (int)nz, (int)ny, (int)nx));
      goto done;
    }
  }
  PetscCall(PhH5ReadStringAttribute(file, PH_H5_MESH_MATERIAL, "names", &nnames, &names, &okn));
  if (!okn || nnames == 0) {
    PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": /mesh/material has no \"names\" attribute naming its materials", pb->mesh_file));
    goto done;
  }
  PetscCall(PetscMalloc1(nnames, &pb->mesh_material_map));
  pb->nmesh_materials = nnames;
  for (PetscInt i = 0; i < nnames; i++) {
    pb->mesh_material_map[i] = -1;
    for (PetscInt m = 0; m < pb->nmaterials; m++)
      if (!strcmp(pb->materials[m].name, names[i])) pb->mesh_material_map[i] = m;
    if (pb->mesh_material_map[i] < 0)
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "material \"%s\" of mesh file \"%s\" is not defined under materials", names[i], pb->mesh_file));
  }
  pb->fx0 = x[0], pb->fx1 = x[nx], pb->fy0 = y[0], pb->fy1 = y[ny];
  PetscCall(PhH5ReadLayers(file, &nlayers, &layers, &okl));
  if (!okl || nlayers == 0) {
    PetscCall(PetscCalloc1(1, &pb->layers));
    pb->nlayers = 1;
    PetscCall(PetscStrallocpy("all", &pb->layers[0].name));
    pb->layers[0].z0       = z[0];
    pb->layers[0].z1       = z[nz];
    pb->layers[0].cells    = nz;
    pb->layers[0].material = -1;
    pb->layers[0].loc      = loc;
  } else {
    PetscCall(PetscCalloc1(nlayers, &pb->layers));
    pb->nlayers = nlayers;
    for (PetscInt l = 0; l < nlayers; l++) {
      PhH5LayerRow *r = &layers[l];

      PetscCall(PetscStrallocpy(r->name, &pb->layers[l].name));
      pb->layers[l].material = -1;
      pb->layers[l].loc      = loc;
      if (r->k0 < 0 || r->k1 > nz || r->k1 <= r->k0) {
        PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": layer \"%s\" has the bad cell range [%d, %d) of %d", pb->mesh_file, r->name,
                            r->k0, r->k1, (int)nz));
        continue;
      }
      pb->layers[l].z0    = z[r->k0];
      pb->layers[l].z1    = z[r->k1];
      pb->layers[l].cells = r->k1 - r->k0;
    }
  }
  PetscCall(PhH5ReadBlocks(file, &nblocks, &blocks, &okb));
  PetscCall(PetscCalloc1(PetscMax(nblocks, 1), &pb->blocks));
  for (PetscInt b = 0; okb && b < nblocks; b++) {
    PhH5BlockRow *r   = &blocks[b];
    PhBlock      *blk = &pb->blocks[pb->nblocks];

    if (r->i0 < 0 || r->i1 > nx || r->i1 <= r->i0 || r->j0 < 0 || r->j1 > ny || r->j1 <= r->j0 || r->k0 < 0 || r->k1 > nz || r->k1 <= r->k0) {
      PetscCall(PhDiagAdd(ld->diag, loc, key_path, "mesh file \"%s\": block \"%s\" has a bad cell range", pb->mesh_file, r->name));
      continue;
    }
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
done:
  for (PetscInt l = 0; l < nlayers; l++) PetscCall(PetscFree(layers[l].name));
  for (PetscInt b = 0; b < nblocks; b++) PetscCall(PetscFree(blocks[b].name));
  PetscCall(PetscFree(layers));
  PetscCall(PetscFree(blocks));
  PetscCall(PhH5FreeStrings(nnames, &names));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(y));
  PetscCall(PetscFree(z));
  PhCallHDF5(H5Fclose, (file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The /mesh group of mesh and result files (DESIGN §4, §7), written collectively from any number of ranks. */
#include "mesh_impl.h"

#include <photherm/h5.h>
#include <stdio.h>
#include <string.h>

/* Cell layers [k0, k1) of this rank in an even split of nz over the ranks of comm. */
static PetscErrorCode PhMeshSlab(MPI_Comm comm, PetscInt nz, PetscInt *k0, PetscInt *k1)
{
  PetscMPIInt rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  *k0 = (nz * rank) / size;
  *k1 = (nz * (rank + 1)) / size;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write /mesh (coordinates, materials with their names, layers, blocks) into an open file.

  Collective on the mesh's communicator; `file` must be open on that communicator (MPI-IO) or, on one rank, serially.
  Each rank rasterises and writes a slab of cell layers with a collective transfer, so the bytes of every dataset are
  the same whatever the number of ranks.
**/
PetscErrorCode PhMeshWriteGroup(PhMesh mesh, hid_t file)
{
  PhCase           pb = mesh->problem;
  PetscInt         nx, ny, nz, k0 = 0, k1 = 0;
  const PetscReal *x, *y, *z;
  const char     **names;
  PhH5LayerRow    *layers;
  PhH5BlockRow    *blocks;
  PetscInt        *used, nused = 0; /* material index in the case -> index in the file, or -1 */

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  PetscCall(PhMeshGetLines(mesh, &x, &y, &z));
  PetscCall(PhH5CreateGroups(file, PH_H5_MESH));
  PetscCall(PhH5WriteReals(file, PH_H5_MESH_X, nx + 1, x, "m", "x coordinates of the grid lines (cell faces)"));
  PetscCall(PhH5WriteReals(file, PH_H5_MESH_Y, ny + 1, y, "m", "y coordinates of the grid lines (cell faces)"));
  PetscCall(PhH5WriteReals(file, PH_H5_MESH_Z, nz + 1, z, "m", "z coordinates of the grid lines (cell faces), z = 0 at the bottom of the stack"));
  {
    hid_t      space, dset, fspace, mspace, dxpl;
    hsize_t    dims[3] = {(hsize_t)nz, (hsize_t)ny, (hsize_t)nx}, start[3], count[3];
    PhIndexBox box;
    PetscInt  *mat, ncell;
    int       *buf;

    PetscCall(PhMeshSlab(mesh->comm, nz, &k0, &k1));
    box.lo[0] = 0, box.hi[0] = nx, box.lo[1] = 0, box.hi[1] = ny, box.lo[2] = k0, box.hi[2] = k1;
    ncell = nx * ny * (k1 - k0);
    PetscCall(PetscMalloc2(PetscMax(ncell, 1), &mat, PetscMax(ncell, 1), &buf));
    if (ncell > 0) PetscCall(PhMeshFillMaterial(mesh, &box, mat));
    /* the file lists only the materials its cells use, numbered in the case's order, so that a case reading the mesh
       needs to define only those; every rank finds the same numbering from one reduction */
    PetscCall(PetscCalloc1(PetscMax(pb->nmaterials, 1), &used));
    for (PetscInt c = 0; c < ncell; c++) used[mat[c]] = 1;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, used, (PetscMPIInt)pb->nmaterials, MPIU_INT, MPI_MAX, mesh->comm));
    for (PetscInt m = 0, next = 0; m < pb->nmaterials; m++) used[m] = used[m] ? next++ : -1;
    for (PetscInt c = 0; c < ncell; c++) buf[c] = (int)used[mat[c]];
    PhCallHDF5Return(space, H5Screate_simple, (3, dims, NULL));
    PhCallHDF5Return(dset, H5Dcreate2, (file, PH_H5_MESH_MATERIAL, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    PhCallHDF5Return(fspace, H5Dget_space, (dset));
    start[0] = (hsize_t)k0, start[1] = 0, start[2] = 0;
    count[0] = (hsize_t)(k1 - k0), count[1] = (hsize_t)ny, count[2] = (hsize_t)nx;
    if (ncell > 0) PhCallHDF5(H5Sselect_hyperslab, (fspace, H5S_SELECT_SET, start, NULL, count, NULL));
    else PhCallHDF5(H5Sselect_none, (fspace));
    PhCallHDF5Return(mspace, H5Screate_simple, (3, count, NULL));
    if (ncell == 0) PhCallHDF5(H5Sselect_none, (mspace));
    PhCallHDF5Return(dxpl, H5Pcreate, (H5P_DATASET_XFER));
    {
      hid_t fapl;

      PhCallHDF5Return(fapl, H5Fget_access_plist, (file));
      if (H5Pget_driver(fapl) == H5FD_MPIO) PhCallHDF5(H5Pset_dxpl_mpio, (dxpl, H5FD_MPIO_COLLECTIVE));
      PhCallHDF5(H5Pclose, (fapl));
    }
    PhCallHDF5(H5Dwrite, (dset, H5T_NATIVE_INT, mspace, fspace, dxpl, buf));
    PhCallHDF5(H5Pclose, (dxpl));
    PhCallHDF5(H5Sclose, (mspace));
    PhCallHDF5(H5Sclose, (fspace));
    PhCallHDF5(H5Dclose, (dset));
    PhCallHDF5(H5Sclose, (space));
    PetscCall(PetscFree2(mat, buf));
  }
  PetscCall(PhH5WriteTextAttributes(file, PH_H5_MESH_MATERIAL, "1", "material of each cell [nz][ny][nx]: an index into the names attribute"));
  PetscCall(PetscMalloc1(PetscMax(pb->nmaterials, 1), &names));
  for (PetscInt m = 0; m < pb->nmaterials; m++)
    if (used[m] >= 0) names[nused++] = pb->materials[m].name;
  PetscCall(PhH5WriteStringAttribute(file, PH_H5_MESH_MATERIAL, "names", nused, names));
  PetscCall(PetscFree(names));
  PetscCall(PetscFree(used));
  PetscCall(PetscMalloc2(PetscMax(pb->nlayers, 1), &layers, PetscMax(pb->nblocks, 1), &blocks));
  for (PetscInt l = 0; l < pb->nlayers; l++) {
    PhIndexBox box;

    PetscCall(PhMeshGetLayerBox(mesh, l, &box));
    layers[l].name = pb->layers[l].name;
    layers[l].k0   = (int)box.lo[2];
    layers[l].k1   = (int)box.hi[2];
  }
  for (PetscInt b = 0; b < pb->nblocks; b++) {
    PhIndexBox box;

    PetscCall(PhMeshGetBlockBox(mesh, b, &box));
    blocks[b].name = pb->blocks[b].name;
    blocks[b].i0 = (int)box.lo[0], blocks[b].i1 = (int)box.hi[0];
    blocks[b].j0 = (int)box.lo[1], blocks[b].j1 = (int)box.hi[1];
    blocks[b].k0 = (int)box.lo[2], blocks[b].k1 = (int)box.hi[2];
  }
  PetscCall(PhH5WriteLayers(file, pb->nlayers, layers));
  PetscCall(PhH5WriteBlocks(file, pb->nblocks, blocks));
  PetscCall(PetscFree2(layers, blocks));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write a mesh file: under `path`.partial, renamed to `path` when complete (an existing file is never truncated).

  Collective on the mesh's communicator.
**/
PetscErrorCode PhMeshWrite(PhMesh mesh, const char path[])
{
  hid_t       fapl, file;
  char        tmp[PETSC_MAX_PATH_LEN];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(PhLogEventsRegister());
  PetscCall(PetscLogEventBegin(PH_EVENT_OUTPUT, 0, 0, 0, 0));
  PetscCallMPI(MPI_Comm_rank(mesh->comm, &rank));
  (void)snprintf(tmp, sizeof(tmp), "%s.partial", path);
  PhCallHDF5Return(fapl, H5Pcreate, (H5P_FILE_ACCESS));
  PhCallHDF5(H5Pset_fapl_mpio, (fapl, mesh->comm, MPI_INFO_NULL));
  file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  PetscCheck(file >= 0, mesh->comm, PETSC_ERR_FILE_OPEN, "cannot create mesh file %s", tmp);
  PhCallHDF5(H5Pclose, (fapl));
  PetscCall(PhMeshWriteGroup(mesh, file));
  PhCallHDF5(H5Fclose, (file));
  PetscCallMPI(MPI_Barrier(mesh->comm));
  {
    int failed = 0;

    if (rank == 0) failed = rename(tmp, path) != 0;
    PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, mesh->comm));
    PetscCheck(!failed, mesh->comm, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", tmp, path);
  }
  PetscCall(PetscLogEventEnd(PH_EVENT_OUTPUT, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

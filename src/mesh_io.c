/*
  The mesh file (DESIGN §4), which is also the /mesh group of a result file (§7): the one module that knows its layout.
  It writes the group collectively from any number of ranks, reads the header of a mesh file for the case, and the
  lines and cell materials of a mesh-file case for the mesh.
*/
#include "mesh_impl.h"

#include <errno.h>
#include <photherm/h5.h>
#include <stdio.h>
#include <string.h>

static const char *const PhMeshLineNames[3]  = {PH_H5_MESH_X, PH_H5_MESH_Y, PH_H5_MESH_Z};
static const char *const PhMeshLayerFields[] = {"k0", "k1"};
static const char *const PhMeshBlockFields[] = {"i0", "i1", "j0", "j1", "k0", "k1"};

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
  const char     **row_names; /* of the layers, then of the blocks */
  int             *ranges;
  PetscInt        *used, nused = 0; /* material index in the case -> index in the file, or -1 */

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  PetscCall(PhMeshGetLines(mesh, &x, &y, &z));
  PetscCall(PhH5CreateGroups(file, PH_H5_MESH));
  PetscCall(PhH5WriteReals(file, PH_H5_MESH_X, nx + 1, x, "m", "x coordinates of the grid lines (cell faces)"));
  PetscCall(PhH5WriteReals(file, PH_H5_MESH_Y, ny + 1, y, "m", "y coordinates of the grid lines (cell faces)"));
  PetscCall(PhH5WriteReals(file, PH_H5_MESH_Z, nz + 1, z, "m", "z coordinates of the grid lines (cell faces), z = 0 at the bottom of the stack"));
  {
    hid_t      space, dset, fspace, mspace, dxpl, fapl, driver;
    hsize_t    dims[3] = {(hsize_t)nz, (hsize_t)ny, (hsize_t)nx};
    PhIndexBox box;
    PetscInt  *mat, ncell;
    int       *buf;

    PetscCall(PhMeshSlab(mesh->comm, nz, &k0, &k1));
    box.lo[0] = 0, box.hi[0] = nx, box.lo[1] = 0, box.hi[1] = ny, box.lo[2] = k0, box.hi[2] = k1;
    ncell = PhIndexBoxCount(&box);
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
    PetscCall(PhH5SelectBox(dset, (hsize_t)-1, box.lo, box.hi, &fspace, &mspace));
    PhCallHDF5Return(dxpl, H5Pcreate, (H5P_DATASET_XFER));
    PhCallHDF5Return(fapl, H5Fget_access_plist, (file));
    PhCallHDF5Return(driver, H5Pget_driver, (fapl));
    if (driver == H5FD_MPIO) PhCallHDF5(H5Pset_dxpl_mpio, (dxpl, H5FD_MPIO_COLLECTIVE));
    PhCallHDF5(H5Pclose, (fapl));
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
  /* layers and blocks: names and their cell-index ranges */
  PetscCall(PetscMalloc2(PetscMax(PetscMax(pb->nlayers, pb->nblocks), 1), &row_names, 6 * PetscMax(PetscMax(pb->nlayers, pb->nblocks), 1), &ranges));
  for (PetscInt l = 0; l < pb->nlayers; l++) {
    PhIndexBox box;

    PetscCall(PhMeshGetLayerBox(mesh, l, &box));
    row_names[l]      = pb->layers[l].name;
    ranges[2 * l]     = (int)box.lo[2];
    ranges[2 * l + 1] = (int)box.hi[2];
  }
  PetscCall(PhH5WriteTable(file, PH_H5_MESH_LAYERS, pb->nlayers, row_names, 2, PhMeshLayerFields, ranges,
                           "layers of the stack, bottom to top: cells k0 <= k < k1 (0-based)"));
  for (PetscInt b = 0; b < pb->nblocks; b++) {
    PhIndexBox box;

    PetscCall(PhMeshGetBlockBox(mesh, b, &box));
    row_names[b] = pb->blocks[b].name;
    for (int d = 0; d < 3; d++) {
      ranges[6 * b + 2 * d]     = (int)box.lo[d];
      ranges[6 * b + 2 * d + 1] = (int)box.hi[d];
    }
  }
  PetscCall(PhH5WriteTable(file, PH_H5_MESH_BLOCKS, pb->nblocks, row_names, 6, PhMeshBlockFields, ranges,
                           "named blocks: cells i0 <= i < i1, j0 <= j < j1, k0 <= k < k1 (0-based)"));
  PetscCall(PetscFree2(row_names, ranges));
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

/* Node coordinates x, y, z of an open mesh file; ok[d] is false when one is missing or not a 1D float64 dataset. */
static PetscErrorCode PhMeshFileReadLines(hid_t file, PetscInt nnodes[3], PetscReal *line[3], PetscBool ok[3])
{
  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++) PetscCall(PhH5ReadReals(file, PhMeshLineNames[d], &nnodes[d], &line[d], &ok[d]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscBool PhIncreasing(PetscInt n, const PetscReal *v)
{
  for (PetscInt i = 1; i < n; i++)
    if (!(v[i] > v[i - 1])) return PETSC_FALSE;
  return (PetscBool)(n >= 2);
}

/* The header of an open mesh file, up to its first problem. */
static PetscErrorCode PhMeshFileReadHeaderOpen(hid_t file, PhMeshFileHeader *h)
{
  PetscInt  nnodes[3], n;
  PetscBool ok[3], okn;
  char    **names;
  int      *ranges, ndims = -1;
  hsize_t   dims[3] = {0, 0, 0};
  hid_t     dset;

  PetscFunctionBeginUser;
  PetscCall(PhMeshFileReadLines(file, nnodes, h->line, ok));
  for (int d = 0; d < 3; d++)
    if (!ok[d] || !PhIncreasing(nnodes[d], h->line[d])) h->status = PH_MESH_FILE_BAD_LINES;
  if (h->status != PH_MESH_FILE_OK) PetscFunctionReturn(PETSC_SUCCESS);
  for (int d = 0; d < 3; d++) h->n[d] = nnodes[d] - 1;
  if (H5Lexists(file, PH_H5_MESH_MATERIAL, H5P_DEFAULT) > 0 && (dset = H5Dopen2(file, PH_H5_MESH_MATERIAL, H5P_DEFAULT)) >= 0) {
    hid_t space;

    PhCallHDF5Return(space, H5Dget_space, (dset));
    PhCallHDF5Return(ndims, H5Sget_simple_extent_ndims, (space));
    if (ndims == 3) PhCallHDF5(H5Sget_simple_extent_dims, (space, dims, NULL));
    PhCallHDF5(H5Sclose, (space));
    PhCallHDF5(H5Dclose, (dset));
  }
  if (ndims != 3 || dims[0] != (hsize_t)h->n[2] || dims[1] != (hsize_t)h->n[1] || dims[2] != (hsize_t)h->n[0]) {
    h->status = PH_MESH_FILE_BAD_MATERIAL;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhH5ReadStringAttribute(file, PH_H5_MESH_MATERIAL, "names", &h->nnames, &h->names, &okn));
  if (!okn || h->nnames == 0) {
    h->status = PH_MESH_FILE_NO_NAMES;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhH5ReadTable(file, PH_H5_MESH_LAYERS, 2, PhMeshLayerFields, &n, &names, &ranges, &h->has_layers));
  if (!h->has_layers && H5Lexists(file, PH_H5_MESH_LAYERS, H5P_DEFAULT) > 0) { /* there, but not name, k0, k1 */
    h->status = PH_MESH_FILE_BAD_TABLE;
    h->table  = PH_H5_MESH_LAYERS;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (h->has_layers) {
    PetscCall(PetscMalloc1(PetscMax(n, 1), &h->layers));
    for (PetscInt l = 0; l < n; l++) {
      h->layers[l].name = names[l];
      h->layers[l].k0   = ranges[2 * l];
      h->layers[l].k1   = ranges[2 * l + 1];
    }
    h->nlayers = n;
    PetscCall(PetscFree(names));
    PetscCall(PetscFree(ranges));
  }
  PetscCall(PhH5ReadTable(file, PH_H5_MESH_BLOCKS, 6, PhMeshBlockFields, &n, &names, &ranges, &h->has_blocks));
  if (!h->has_blocks && H5Lexists(file, PH_H5_MESH_BLOCKS, H5P_DEFAULT) > 0) {
    h->status = PH_MESH_FILE_BAD_TABLE;
    h->table  = PH_H5_MESH_BLOCKS;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (h->has_blocks) {
    PetscCall(PetscMalloc1(PetscMax(n, 1), &h->blocks));
    for (PetscInt b = 0; b < n; b++) {
      const int *v = ranges + 6 * b;

      h->blocks[b].name = names[b];
      h->blocks[b].i0 = v[0], h->blocks[b].i1 = v[1];
      h->blocks[b].j0 = v[2], h->blocks[b].j1 = v[3];
      h->blocks[b].k0 = v[4], h->blocks[b].k1 = v[5];
    }
    h->nblocks = n;
    PetscCall(PetscFree(names));
    PetscCall(PetscFree(ranges));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The first cell whose material id does not index the nnames names, plane by plane in z (the file is read once). */
static PetscErrorCode PhMeshFileScanIds(hid_t file, PhMeshFileHeader *h)
{
  hid_t    dset, fspace, mspace;
  int     *buf;
  PetscInt plane = h->n[0] * h->n[1];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(plane, 1), &buf));
  PhCallHDF5Return(dset, H5Dopen2, (file, PH_H5_MESH_MATERIAL, H5P_DEFAULT));
  for (PetscInt k = 0; k < h->n[2] && h->status == PH_MESH_FILE_OK; k++) {
    const PetscInt lo[3] = {0, 0, k}, hi[3] = {h->n[0], h->n[1], k + 1};

    PetscCall(PhH5SelectBox(dset, (hsize_t)-1, lo, hi, &fspace, &mspace));
    PhCallHDF5(H5Dread, (dset, H5T_NATIVE_INT, mspace, fspace, H5P_DEFAULT, buf));
    PhCallHDF5(H5Sclose, (mspace));
    PhCallHDF5(H5Sclose, (fspace));
    for (PetscInt c = 0; c < plane; c++)
      if (buf[c] < 0 || buf[c] >= h->nnames) {
        h->status      = PH_MESH_FILE_BAD_ID;
        h->bad_id      = buf[c];
        h->bad_cell[0] = c % h->n[0];
        h->bad_cell[1] = c / h->n[0];
        h->bad_cell[2] = k;
        break;
      }
  }
  PhCallHDF5(H5Dclose, (dset));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read the header of the mesh file `path` (all but the cell materials) for a case that names it: `status` says
  whether it was read, or the first problem found, which the caller reports: among them a malformed layers or blocks
  table and a material id out of range (rank 0 reads every cell once), so that a run never meets them. Free with
  PhMeshFileHeaderReset().

  Collective on `comm` (rank 0 checks that the file is readable HDF5; every rank reads it).
**/
PetscErrorCode PhMeshFileReadHeader(MPI_Comm comm, const char path[], PhMeshFileHeader *header)
{
  hid_t       file;
  PetscMPIInt rank;
  int         status = 0; /* 0 readable HDF5, -1 readable but not HDF5, else errno */

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(header, sizeof(*header)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    FILE *fp = fopen(path, "rb");

    if (fp == NULL) status = errno ? errno : EIO;
    else {
      (void)fclose(fp);
      if (H5Fis_hdf5(path) <= 0) status = -1;
    }
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, comm));
  if (status != 0) {
    header->status = status > 0 ? PH_MESH_FILE_UNREADABLE : PH_MESH_FILE_NOT_HDF5;
    header->error  = status > 0 ? status : 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    header->status = PH_MESH_FILE_CANNOT_OPEN;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhMeshFileReadHeaderOpen(file, header));
  { /* the material ids, scanned once by rank 0 */
    int bad[5] = {header->status, 0, 0, 0, 0};

    if (rank == 0 && header->status == PH_MESH_FILE_OK) {
      PetscCall(PhMeshFileScanIds(file, header));
      bad[0] = header->status, bad[1] = header->bad_id;
      for (int d = 0; d < 3; d++) bad[2 + d] = (int)header->bad_cell[d];
    }
    PetscCallMPI(MPI_Bcast(bad, 5, MPI_INT, 0, comm));
    header->status = (PhMeshFileStatus)bad[0];
    header->bad_id = bad[1];
    for (int d = 0; d < 3; d++) header->bad_cell[d] = bad[2 + d];
  }
  PhCallHDF5(H5Fclose, (file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Free what PhMeshFileReadHeader() read and zero the header.

  Not collective.
**/
PetscErrorCode PhMeshFileHeaderReset(PhMeshFileHeader *header)
{
  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++) PetscCall(PetscFree(header->line[d]));
  PetscCall(PhH5FreeStrings(header->nnames, &header->names));
  for (PetscInt l = 0; l < header->nlayers; l++) PetscCall(PetscFree(header->layers[l].name));
  for (PetscInt b = 0; b < header->nblocks; b++) PetscCall(PetscFree(header->blocks[b].name));
  PetscCall(PetscFree(header->layers));
  PetscCall(PetscFree(header->blocks));
  PetscCall(PetscMemzero(header, sizeof(*header)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Grid lines of a mesh-file case (the case has checked them). */
PetscErrorCode PhMeshReadLines_Private(PhMesh mesh)
{
  hid_t     file;
  PetscInt  nnodes[3];
  PetscBool ok[3];

  PetscFunctionBeginUser;
  PhCallHDF5Return(file, H5Fopen, (mesh->problem->mesh_file, H5F_ACC_RDONLY, H5P_DEFAULT));
  PetscCall(PhMeshFileReadLines(file, nnodes, mesh->line, ok));
  for (int d = 0; d < 3; d++) {
    PetscCheck(ok[d], PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "cannot read %s from mesh file %s", PhMeshLineNames[d], mesh->problem->mesh_file);
    mesh->n[d] = nnodes[d] - 1;
  }
  PhCallHDF5(H5Fclose, (file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The materials of the cells of `box` of a mesh-file case, stored [k][j][i] over the box, mapped to the case's materials. */
PetscErrorCode PhMeshReadMaterial_Private(PhMesh mesh, const PhIndexBox *box, PetscInt *material)
{
  PhCase   pb = mesh->problem;
  hid_t    file, dset, fspace, mspace;
  int     *buf;
  PetscInt ncell = PhIndexBoxCount(box);

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(ncell, 1), &buf));
  PhCallHDF5Return(file, H5Fopen, (pb->mesh_file, H5F_ACC_RDONLY, H5P_DEFAULT));
  PhCallHDF5Return(dset, H5Dopen2, (file, PH_H5_MESH_MATERIAL, H5P_DEFAULT));
  PetscCall(PhH5SelectBox(dset, (hsize_t)-1, box->lo, box->hi, &fspace, &mspace));
  PhCallHDF5(H5Dread, (dset, H5T_NATIVE_INT, mspace, fspace, H5P_DEFAULT, buf));
  PhCallHDF5(H5Sclose, (mspace));
  PhCallHDF5(H5Sclose, (fspace));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Fclose, (file));
  for (PetscInt c = 0; c < ncell; c++) {
    PetscCheck(buf[c] >= 0 && buf[c] < pb->nmesh_materials, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED,
               "mesh file %s: material id %d out of range [0, %d)", pb->mesh_file, buf[c], (int)pb->nmesh_materials);
    material[c] = pb->mesh_material_map[buf[c]];
  }
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Reading an earlier result file: opening it, and the temperature snapshot a continued run starts from (DESIGN §3.7). */
#include <photherm/diag.h>
#include <photherm/output.h>
#include <photherm/units.h>

/**
  @brief Open an earlier result file for reading; `purpose` (such as "time.initial") starts the message when it cannot
  be opened.

  Collective (every rank opens it).
**/
PetscErrorCode PhResultOpen(MPI_Comm comm, const char path[], const char purpose[], hid_t *file)
{
  PetscFunctionBeginUser;
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(*file >= 0, comm, PETSC_ERR_FILE_OPEN, "%s: cannot open the earlier result %s", purpose, path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Close a result file opened by PhResultOpen(); a negative id is ignored and *file is -1 on return.

  Not collective.
**/
PetscErrorCode PhResultClose(hid_t *file)
{
  PetscFunctionBeginUser;
  if (*file >= 0) PhCallHDF5(H5Fclose, (*file));
  *file = -1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read the temperature snapshot at `time` (s; negative: the last one) of an earlier result `file` (named `name`
  in messages) into T (K, on the DMDA `da`) and give its time. The result must have the same mesh.

  Collective.
**/
PetscErrorCode PhOutputReadSnapshot(MPI_Comm comm, hid_t file, const char name[], PetscReal time, DM da, Vec T, PetscReal *t_snap)
{
  hid_t         dset, fspace, mspace;
  PetscReal    *times;
  PetscInt      ntimes, snap = -1, n;
  PetscBool     ok;
  hsize_t       dims[4], start[4], count[4];
  DMDALocalInfo in;
  double       *buf;
  PetscScalar  *v;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetLocalInfo(da, &in));
  PetscCall(PhH5ReadReals(file, PH_RESULT_FIELD_TIME, &ntimes, &times, &ok));
  PetscCheck(ok && ntimes > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "time.initial: %s has no temperature snapshots (/fields/time)", name);
  if (time < 0) snap = ntimes - 1;
  for (PetscInt s = 0; s < ntimes && snap < 0; s++)
    if (PetscAbsReal(times[s] - time) <= 1e-9 * PetscMax(1.0, PetscAbsReal(times[s]))) snap = s;
  PetscCheck(snap >= 0, comm, PETSC_ERR_FILE_UNEXPECTED, "time.initial: %s has no snapshot at t = %.6g s (snapshots from %.6g s to %.6g s)", name,
             (double)time, (double)times[0], (double)times[ntimes - 1]);
  *t_snap = times[snap];
  PetscCall(PetscFree(times));
  PhCallHDF5Return(dset, H5Dopen2, (file, PH_RESULT_TEMPERATURE, H5P_DEFAULT));
  PhCallHDF5Return(fspace, H5Dget_space, (dset));
  PetscCheck(H5Sget_simple_extent_ndims(fspace) == 4, comm, PETSC_ERR_FILE_UNEXPECTED,
             "time.initial: /fields/temperature of %s is not [snapshot][z][y][x]", name);
  PhCallHDF5(H5Sget_simple_extent_dims, (fspace, dims, NULL));
  PetscCheck(dims[1] == (hsize_t)in.mz && dims[2] == (hsize_t)in.my && dims[3] == (hsize_t)in.mx, comm, PETSC_ERR_FILE_UNEXPECTED,
             "time.initial: %s has a %dx%dx%d mesh, this case %dx%dx%d: continue only on the same mesh", name, (int)dims[3], (int)dims[2],
             (int)dims[1], (int)in.mx, (int)in.my, (int)in.mz);
  start[0] = (hsize_t)snap, start[1] = (hsize_t)in.zs, start[2] = (hsize_t)in.ys, start[3] = (hsize_t)in.xs;
  count[0] = 1, count[1] = (hsize_t)in.zm, count[2] = (hsize_t)in.ym, count[3] = (hsize_t)in.xm;
  PhCallHDF5(H5Sselect_hyperslab, (fspace, H5S_SELECT_SET, start, NULL, count, NULL));
  PhCallHDF5Return(mspace, H5Screate_simple, (4, count, NULL));
  PetscCall(VecGetLocalSize(T, &n));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &buf));
  PhCallHDF5(H5Dread, (dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, buf));
  PetscCall(VecGetArray(T, &v));
  for (PetscInt i = 0; i < n; i++) v[i] = buf[i] + PH_ZERO_CELSIUS;
  PetscCall(VecRestoreArray(T, &v));
  PetscCall(PetscFree(buf));
  PhCallHDF5(H5Sclose, (mspace));
  PhCallHDF5(H5Sclose, (fspace));
  PhCallHDF5(H5Dclose, (dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Whether `path`, an earlier result named by time.initial.file at `loc`, can start this case: grid lines within
  1 nm of the mesh's, a temperature field [snapshot][z][y][x] of its size, and a snapshot at `time` (s; negative: the
  last). Each problem is one entry of `diag` (exit 2 from check and run alike), so PhOutputReadSnapshot() then succeeds.

  Collective (every rank reads the same header, so every rank records the same problems).
**/
PetscErrorCode PhResultCheckInitial(MPI_Comm comm, const char path[], PetscReal time, PhMesh mesh, PhDiag diag, PhSourceLoc loc)
{
  static const char *const lines[3] = {PH_H5_MESH_X, PH_H5_MESH_Y, PH_H5_MESH_Z}, axes[3] = {'x', 'y', 'z'};
  const char              *key = "time.initial.file";
  const PetscReal         *mine[3];
  PetscInt                 n[3], theirs_n[3] = {0, 0, 0}, ntimes = 0;
  PetscReal               *theirs[3] = {NULL, NULL, NULL}, *times = NULL;
  PetscBool                ok[3], okt, same = PETSC_TRUE;
  hid_t                    file;

  PetscFunctionBeginUser;
  (void)comm;
  PetscCall(PhMeshGetSizes(mesh, &n[0], &n[1], &n[2]));
  PetscCall(PhMeshGetLines(mesh, &mine[0], &mine[1], &mine[2]));
  file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    PetscCall(PhDiagAdd(diag, loc, key, "cannot open the earlier result \"%s\"", path));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (int d = 0; d < 3; d++) PetscCall(PhH5ReadReals(file, lines[d], &theirs_n[d], &theirs[d], &ok[d]));
  if (!ok[0] || !ok[1] || !ok[2]) {
    PetscCall(PhDiagAdd(diag, loc, key, "\"%s\" has no mesh (/mesh/x, /mesh/y, /mesh/z): it is not a result of photherm run", path));
    same = PETSC_FALSE;
  } else if (theirs_n[0] != n[0] + 1 || theirs_n[1] != n[1] + 1 || theirs_n[2] != n[2] + 1) {
    PetscCall(PhDiagAdd(diag, loc, key, "\"%s\" has a mesh of %d x %d x %d cells, this case %d x %d x %d: continue only on the same mesh", path,
                        (int)theirs_n[0] - 1, (int)theirs_n[1] - 1, (int)theirs_n[2] - 1, (int)n[0], (int)n[1], (int)n[2]));
    same = PETSC_FALSE;
  } else
    for (int d = 0; d < 3 && same; d++)
      for (PetscInt i = 0; i <= n[d] && same; i++)
        if (!(PetscAbsReal(theirs[d][i] - mine[d][i]) <= PH_MERGE_DISTANCE)) {
          char a[32], b[32];

          PetscCall(PhUnitsFormat(theirs[d][i], PH_QT_LENGTH, a, sizeof(a)));
          PetscCall(PhUnitsFormat(mine[d][i], PH_QT_LENGTH, b, sizeof(b)));
          PetscCall(PhDiagAdd(diag, loc, key,
                              "\"%s\" has other grid lines than this case (%c line %d at %s, here %s): continue only on the same mesh", path, axes[d],
                              (int)i, a, b));
          same = PETSC_FALSE;
        }
  if (same) {
    hid_t dset;
    int   ndims = -1;

    PetscCall(PhH5ReadReals(file, PH_RESULT_FIELD_TIME, &ntimes, &times, &okt));
    if (!okt || ntimes == 0) PetscCall(PhDiagAdd(diag, loc, key, "\"%s\" has no temperature snapshots (%s)", path, PH_RESULT_FIELD_TIME));
    else {
      PetscBool found   = (PetscBool)(time < 0);
      hsize_t   dims[4] = {0, 0, 0, 0};

      for (PetscInt s = 0; s < ntimes && !found; s++)
        if (PetscAbsReal(times[s] - time) <= 1e-9 * PetscMax(1.0, PetscAbsReal(times[s]))) found = PETSC_TRUE;
      if (!found)
        PetscCall(PhDiagAdd(diag, loc, key, "\"%s\" has no snapshot at t = %.6g s (snapshots from %.6g s to %.6g s)", path, (double)time,
                            (double)times[0], (double)times[ntimes - 1]));
      if (H5Lexists(file, PH_RESULT_TEMPERATURE, H5P_DEFAULT) > 0 && (dset = H5Dopen2(file, PH_RESULT_TEMPERATURE, H5P_DEFAULT)) >= 0) {
        hid_t space = H5Dget_space(dset);

        if (space >= 0) {
          ndims = H5Sget_simple_extent_ndims(space);
          if (ndims == 4) (void)H5Sget_simple_extent_dims(space, dims, NULL);
          (void)H5Sclose(space);
        }
        (void)H5Dclose(dset);
      }
      if (ndims != 4 || dims[0] < (hsize_t)ntimes || dims[1] != (hsize_t)n[2] || dims[2] != (hsize_t)n[1] || dims[3] != (hsize_t)n[0])
        PetscCall(PhDiagAdd(diag, loc, key, "\"%s\": %s is not a field [snapshot][z][y][x] of this mesh, [%d][%d][%d][%d]", path,
                            PH_RESULT_TEMPERATURE, (int)ntimes, (int)n[2], (int)n[1], (int)n[0]));
    }
  }
  for (int d = 0; d < 3; d++) PetscCall(PetscFree(theirs[d]));
  PetscCall(PetscFree(times));
  PhCallHDF5(H5Fclose, (file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

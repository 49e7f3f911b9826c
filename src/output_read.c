/* Reading an earlier result file: opening it, and the temperature snapshot a continued run starts from (DESIGN §3.7). */
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

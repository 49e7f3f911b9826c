/* Cell-centred finite volumes on the DMDA (DESIGN §5): capacitances, conductances, boundary faces, sources, steady solve. */
#include "thermal_impl.h"

#include <petsc/private/petscimpl.h> /* PetscObjectStateGet(): has a vector changed since A(T) was assembled */

#include <math.h>
#include <photherm/units.h>

#define PH_PICARD_MAX_ITERATIONS 50
#define PH_PICARD_TOLERANCE      1e-9
#define PH_RUNAWAY_TEMPERATURE   1000.0 /* K */
#define PH_RUNAWAY_LEAKAGE       100.0  /* times p_ref */

/* Conductance (W/K) across a face of area `area` between cells a and b: two half-cell resistances in series. */
static inline PetscReal PhFaceConductance(PetscReal area, PetscReal h_a, PetscReal k_a, PetscReal h_b, PetscReal k_b)
{
  return area / (0.5 * h_a / k_a + 0.5 * h_b / k_b);
}

/* The boundary conductance (W/K) of a face of a cell of width h and conductivity k (DESIGN §5). */
static inline PetscReal PhBoundaryConductance(const PhBoundaryCondition *bc, PetscReal area, PetscReal h, PetscReal k)
{
  if (bc->type == PH_BC_CONVECTION) return area / (0.5 * h / k + 1.0 / bc->h);
  if (bc->type == PH_BC_TEMPERATURE) return area / (0.5 * h / k);
  if (bc->type == PH_BC_FLUX) return area; /* the area the flux enters through */
  return 0;                                /* ADIABATIC: a named adiabatic face (or region) exchanges nothing */
}

/* Direction (0 x, 1 y, 2 z) normal to a face, and whether it is the low side. */
static void PhFaceAxis(PhFace f, PetscInt *d, PetscBool *low)
{
  static const PetscInt  dir[PH_NFACES] = {0, 0, 1, 1, 2, 2};
  static const PetscBool lo[PH_NFACES]  = {PETSC_TRUE, PETSC_FALSE, PETSC_TRUE, PETSC_FALSE, PETSC_TRUE, PETSC_FALSE};

  *d   = dir[f];
  *low = lo[f];
}

/* Collect, for every face and condition, the owned cells it covers: later conditions win, uncovered cells stay adiabatic. */
static PetscErrorCode PhThermalBuildPatches(PhThermal th)
{
  PhCase           pb = th->problem;
  DMDALocalInfo   *in = &th->info;
  const PetscReal *line[3];
  PetscInt         npatch = 0;

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  for (PetscInt f = 0; f < PH_NFACES; f++) npatch += pb->boundaries[f].n;
  PetscCall(PetscCalloc1(PetscMax(npatch, 1), &th->patches));
  for (PetscInt f = 0; f < PH_NFACES; f++) {
    const PhBoundary *bd = &pb->boundaries[f];
    PetscInt          d, lo[3] = {in->xs, in->ys, in->zs}, hi[3] = {in->xs + in->xm, in->ys + in->ym, in->zs + in->zm}, n = 0, *owner;
    PetscBool         low;
    PetscInt          base = th->npatches;

    if (bd->n == 0) continue;
    PhFaceAxis((PhFace)f, &d, &low);
    {
      PetscInt plane = low ? 0 : (d == 0 ? in->mx : (d == 1 ? in->my : in->mz)) - 1;

      if (plane < lo[d] || plane >= hi[d]) continue; /* this rank owns no cell on the face */
      lo[d] = plane;
      hi[d] = plane + 1;
    }
    n = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    PetscCall(PetscMalloc1(n, &owner));
    for (PetscInt k = lo[2], c = 0; k < hi[2]; k++)
      for (PetscInt j = lo[1]; j < hi[1]; j++)
        for (PetscInt i = lo[0]; i < hi[0]; i++, c++) {
          PetscReal xc = 0.5 * (line[0][i] + line[0][i + 1]), yc = 0.5 * (line[1][j] + line[1][j + 1]);

          owner[c] = -1;
          for (PetscInt q = 0; q < bd->n; q++) {
            const PhBoundaryCondition *bc = &bd->conditions[q];

            if (bc->has_region && !(xc > bc->x0 && xc < bc->x1 && yc > bc->y0 && yc < bc->y1)) continue;
            owner[c] = q;
          }
        }
    for (PetscInt q = 0; q < bd->n; q++) {
      PhPatch *p = &th->patches[base + q];
      PetscInt m = 0;

      p->bc   = &bd->conditions[q];
      p->face = (PhFace)f;
      for (PetscInt c = 0; c < n; c++) m += owner[c] == q;
      PetscCall(PetscMalloc2(PetscMax(m, 1), &p->cell, PetscMax(m, 1), &p->g));
      for (PetscInt k = lo[2], c = 0; k < hi[2]; k++)
        for (PetscInt j = lo[1]; j < hi[1]; j++)
          for (PetscInt i = lo[0]; i < hi[0]; i++, c++)
            if (owner[c] == q) p->cell[p->n++] = ((k - in->zs) * in->ym + (j - in->ys)) * in->xm + (i - in->xs);
    }
    th->npatches += bd->n;
    PetscCall(PetscFree(owner));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Create the thermal model of a case on its mesh: the DMDA, capacitances, boundary patches, conductance matrix.

  Collective on `comm`. The DMDA takes `-da_processors_x/y/z` and other DM options.

  @param[in]  comm    communicator of the run
  @param[in]  problem the case, borrowed
  @param[in]  mesh    its mesh, borrowed
  @param[out] thermal the model, destroy with PhThermalDestroy()
**/
PetscErrorCode PhThermalCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, PhThermal *thermal)
{
  PhThermal        th;
  PetscInt         nx, ny, nz;
  const PetscReal *line[3];
  PhIndexBox       gbox;
  PetscScalar     *cap, *vol;
  PetscReal        tsum   = 0;
  PetscInt         tcount = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&th));
  th->comm    = comm;
  th->problem = problem;
  th->mesh    = mesh;
  PetscCall(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  PetscCall(PhMeshGetLines(mesh, &line[0], &line[1], &line[2]));
  PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, nx, ny, nz, PETSC_DECIDE, PETSC_DECIDE, 1, 1,
                         1, NULL, NULL, NULL, &th->da));
  PetscCall(DMSetFromOptions(th->da));
  PetscCall(DMSetUp(th->da));
  PetscCall(DMDASetFieldName(th->da, 0, "temperature"));
  PetscCall(DMDAGetLocalInfo(th->da, &th->info));
  gbox.lo[0] = th->info.gxs, gbox.lo[1] = th->info.gys, gbox.lo[2] = th->info.gzs;
  gbox.hi[0] = th->info.gxs + th->info.gxm, gbox.hi[1] = th->info.gys + th->info.gym, gbox.hi[2] = th->info.gzs + th->info.gzm;
  PetscCall(PetscMalloc1(th->info.gxm * th->info.gym * th->info.gzm, &th->gmat));
  PetscCall(PhMeshFillMaterial(mesh, &gbox, th->gmat));
  for (PetscInt m = 0; m < problem->nmaterials; m++)
    if (problem->materials[m].k_exponent != 0) th->nonlinear_k = PETSC_TRUE;
  for (PetscInt s = 0; s < problem->nsources; s++)
    if (problem->sources[s].has_leakage) th->leakage = PETSC_TRUE;

  /* capacitance and volume of the owned cells */
  PetscCall(DMCreateGlobalVector(th->da, &th->capacity));
  PetscCall(VecDuplicate(th->capacity, &th->volume));
  PetscCall(VecDuplicate(th->capacity, &th->work));
  PetscCall(VecDuplicate(th->capacity, &th->rhs));
  PetscCall(VecDuplicate(th->capacity, &th->adiag));
  PetscCall(VecDuplicate(th->capacity, &th->gbc));
  PetscCall(VecDuplicate(th->capacity, &th->Tabs));
  PetscCall(DMCreateLocalVector(th->da, &th->Tlocal));
  PetscCall(VecDuplicate(th->capacity, &th->T));
  PetscCall(PetscObjectSetName((PetscObject)th->T, "temperature"));
  PetscCall(VecDuplicate(th->capacity, &th->T0));
  PetscCall(VecDuplicate(th->capacity, &th->Tprev));
  PetscCall(VecDuplicate(th->capacity, &th->theta));
  PetscCall(VecDuplicate(th->capacity, &th->rate));
  th->ksp_floor         = 1e-6;
  th->mg_coarsen_factor = 3;
  th->reduce            = (PetscBool)(problem->time.method == PH_METHOD_REDUCED);
  th->reduced_tolerance = problem->time.reduced_tolerance;
  PetscCall(VecGetArray(th->capacity, &cap));
  PetscCall(VecGetArray(th->volume, &vol));
  for (PetscInt k = th->info.zs, c = 0; k < th->info.zs + th->info.zm; k++)
    for (PetscInt j = th->info.ys; j < th->info.ys + th->info.ym; j++)
      for (PetscInt i = th->info.xs; i < th->info.xs + th->info.xm; i++, c++) {
        PetscInt          g = ((k - th->info.gzs) * th->info.gym + (j - th->info.gys)) * th->info.gxm + (i - th->info.gxs);
        const PhMaterial *m = &problem->materials[th->gmat[g]];

        vol[c] = (line[0][i + 1] - line[0][i]) * (line[1][j + 1] - line[1][j]) * (line[2][k + 1] - line[2][k]);
        cap[c] = m->rho * m->cp * vol[c];
      }
  PetscCall(VecRestoreArray(th->volume, &vol));
  PetscCall(VecRestoreArray(th->capacity, &cap));

  /* sources: their cell boxes and volumes */
  PetscCall(PetscMalloc2(PetscMax(problem->nsources, 1), &th->src_box, PetscMax(problem->nsources, 1), &th->src_volume));
  for (PetscInt s = 0; s < problem->nsources; s++) {
    const PhSource *src = &problem->sources[s];

    PetscCall(PhMeshGetSourceBox(mesh, s, &th->src_box[s]));
    th->src_volume[s] = (src->x1 - src->x0) * (src->y1 - src->y0) * (src->z1 - src->z0);
  }

  PetscCall(PhThermalBuildPatches(th));
  /* reference temperature of the steady solve: the mean of the ambient and surface temperatures at t = 0 */
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt q = 0; q < problem->boundaries[f].n; q++) {
      const PhBoundaryCondition *bc = &problem->boundaries[f].conditions[q];

      if (bc->type == PH_BC_CONVECTION || bc->type == PH_BC_TEMPERATURE) {
        tsum += PhSignalEvaluate(&bc->value, 0);
        tcount++;
      }
    }
  th->t_ref                 = tcount ? tsum / tcount : 300.0;
  th->t_ref_from_boundaries = (PetscBool)(tcount > 0);

  PetscCall(DMCreateMatrix(th->da, &th->A));
  PetscCall(MatSetOption(th->A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(th->A, MAT_SPD, PETSC_TRUE));
  PetscCall(PhThermalAssemble_Private(th, NULL));
  *thermal = th;
  PetscFunctionReturn(PETSC_SUCCESS);
}

#define GIDX(in, i, j, k) ((((k) - (in)->gzs) * (in)->gym + ((j) - (in)->gys)) * (in)->gxm + ((i) - (in)->gxs))

/* Conductivities [3 * ghosted cells] at the ghosted temperatures tl (NULL: at 300 K): one power per cell, k(T) = k (T/300 K)^n. */
static PetscErrorCode PhThermalCellConductivities(PhThermal th, const PetscScalar *tl, PetscReal *kcell)
{
  PhCase   pb  = th->problem;
  PetscInt ngh = th->info.gxm * th->info.gym * th->info.gzm;

  PetscFunctionBeginUser;
  for (PetscInt g = 0; g < ngh; g++) {
    const PhMaterial *m = &pb->materials[th->gmat[g]];
    PetscReal         f = 1;

    if (m->k_exponent != 0 && tl != NULL && PetscRealPart(tl[g]) > 0) f = PetscPowReal(PetscRealPart(tl[g]) / 300.0, m->k_exponent);
    for (PetscInt d = 0; d < 3; d++) kcell[3 * g + d] = m->k[d] * f;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Boundary conductances of every patch at the cell conductivities (they depend on the cell's own k), and their sum per owned cell. */
static PetscErrorCode PhThermalPatchConductances(PhThermal th, const PetscReal *kcell, PetscReal *diag_bc)
{
  DMDALocalInfo   *in = &th->info;
  const PetscReal *line[3];

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  PetscCall(PetscArrayzero(diag_bc, in->xm * in->ym * in->zm));
  for (PetscInt p = 0; p < th->npatches; p++) {
    PhPatch  *pa = &th->patches[p];
    PetscInt  d;
    PetscBool low;

    PhFaceAxis(pa->face, &d, &low);
    for (PetscInt c = 0; c < pa->n; c++) {
      PetscInt  cell = pa->cell[c], i = in->xs + cell % in->xm, j = in->ys + (cell / in->xm) % in->ym, k = in->zs + cell / (in->xm * in->ym);
      PetscReal h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};

      pa->g[c] = PhBoundaryConductance(pa->bc, h[(d + 1) % 3] * h[(d + 2) % 3], h[d], kcell[3 * GIDX(in, i, j, k) + d]);
      if (pa->bc->type != PH_BC_FLUX) diag_bc[cell] += pa->g[c];
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One row of the conductance matrix: the cell, its neighbours, and minus their face conductances. */
typedef struct {
  MatStencil  row, col[7];
  PetscScalar val[7];
  PetscInt    n;
  PetscReal   sum;
} PhRow;

/**
  Assemble the conductance matrix A, at the temperatures T when materials have k(T) (T NULL: at the reference k).
  Interior faces: G = area / (h_a/(2 k_a) + h_b/(2 k_b)); boundary faces add their conductance to the diagonal.
  With a time step in progress, shift * C is added to the diagonal (PhThermalSetShift_Private()).
**/
PetscErrorCode PhThermalAssemble_Private(PhThermal th, Vec T)
{
  DMDALocalInfo     *in = &th->info;
  const PetscReal   *line[3];
  const PetscScalar *tl = NULL;
  PetscReal         *diag_bc, *kcell;
  PetscScalar       *ad, *gb;
  const PetscScalar *cap;

  PetscFunctionBeginUser;
  if (T != NULL) { /* A(T) already assembled at exactly these temperatures */
    PetscObjectId    id;
    PetscObjectState state;

    PetscCall(PetscObjectGetId((PetscObject)T, &id));
    PetscCall(PetscObjectStateGet((PetscObject)T, &state));
    if (th->assembled_id == id && th->assembled_state == state) PetscFunctionReturn(PETSC_SUCCESS);
    th->assembled_id    = id;
    th->assembled_state = state;
  } else th->assembled_id = 0;
  th->k_version++;
  PetscCall(PetscLogEventBegin(PH_EVENT_ASSEMBLE, 0, 0, 0, 0));
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  if (T != NULL) {
    PetscCall(DMGlobalToLocalBegin(th->da, T, INSERT_VALUES, th->Tlocal));
    PetscCall(DMGlobalToLocalEnd(th->da, T, INSERT_VALUES, th->Tlocal));
    PetscCall(VecGetArrayRead(th->Tlocal, &tl));
  }
  PetscCall(PetscMalloc2(3 * in->gxm * in->gym * in->gzm, &kcell, in->xm * in->ym * in->zm, &diag_bc));
  PetscCall(PhThermalCellConductivities(th, tl, kcell));
  PetscCall(PhThermalPatchConductances(th, kcell, diag_bc));
  PetscCall(VecGetArray(th->adiag, &ad));
  PetscCall(VecGetArray(th->gbc, &gb));
  PetscCall(VecGetArrayRead(th->capacity, &cap));
  for (PetscInt k = in->zs, c = 0; k < in->zs + in->zm; k++) {
    for (PetscInt j = in->ys; j < in->ys + in->ym; j++) {
      for (PetscInt i = in->xs; i < in->xs + in->xm; i++, c++) {
        const PetscInt  g = GIDX(in, i, j, k), pos[3] = {i, j, k}, lim[3] = {in->mx, in->my, in->mz};
        const PetscReal h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};
        PhRow           r;

        r.n   = 1;
        r.sum = diag_bc[c];
        for (PetscInt d = 0; d < 3; d++) {
          const PetscReal area = h[(d + 1) % 3] * h[(d + 2) % 3];

          for (PetscInt side = -1; side <= 1; side += 2) {
            PetscInt  q[3] = {i, j, k};
            PetscReal G;

            q[d] = pos[d] + side;
            if (q[d] < 0 || q[d] >= lim[d]) continue;
            G = PhFaceConductance(area, h[d], kcell[3 * g + d], line[d][q[d] + 1] - line[d][q[d]], kcell[3 * GIDX(in, q[0], q[1], q[2]) + d]);
            r.col[r.n].i = q[0];
            r.col[r.n].j = q[1];
            r.col[r.n].k = q[2];
            r.col[r.n].c = 0;
            r.val[r.n++] = -G;
            r.sum += G;
          }
        }
        r.row.i = i, r.row.j = j, r.row.k = k, r.row.c = 0;
        r.col[0] = r.row;
        r.val[0] = r.sum + th->shift * PetscRealPart(cap[c]);
        ad[c]    = r.sum;
        gb[c]    = diag_bc[c];
        PetscCall(MatSetValuesStencil(th->A, 1, &r.row, r.n, r.col, r.val, INSERT_VALUES));
      }
    }
  }
  PetscCall(VecRestoreArrayRead(th->capacity, &cap));
  PetscCall(VecRestoreArray(th->gbc, &gb));
  PetscCall(VecRestoreArray(th->adiag, &ad));
  PetscCall(PetscFree2(kcell, diag_bc));
  if (tl != NULL) PetscCall(VecRestoreArrayRead(th->Tlocal, &tl));
  PetscCall(MatAssemblyBegin(th->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(th->A, MAT_FINAL_ASSEMBLY));
  PetscCall(PetscLogEventEnd(PH_EVENT_ASSEMBLE, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  y = A(T) T without assembling: the heat each cell loses by conduction to its neighbours and to its convection and
  fixed-temperature faces, with the conductivities of every cell at T. The boundary conductances of the patches are
  updated to T as well, so that the right-hand side computed after it is consistent (DESIGN §5, k(T)).
**/
PetscErrorCode PhThermalApplyNonlinear_Private(PhThermal th, Vec T, Vec y)
{
  DMDALocalInfo     *in = &th->info;
  const PetscReal   *line[3];
  const PetscScalar *tl;
  PetscReal         *diag_bc, *kcell;
  PetscScalar       *yv;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_ASSEMBLE, 0, 0, 0, 0));
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  PetscCall(DMGlobalToLocalBegin(th->da, T, INSERT_VALUES, th->Tlocal));
  PetscCall(DMGlobalToLocalEnd(th->da, T, INSERT_VALUES, th->Tlocal));
  PetscCall(VecGetArrayRead(th->Tlocal, &tl));
  PetscCall(PetscMalloc2(3 * in->gxm * in->gym * in->gzm, &kcell, in->xm * in->ym * in->zm, &diag_bc));
  PetscCall(PhThermalCellConductivities(th, tl, kcell));
  PetscCall(PhThermalPatchConductances(th, kcell, diag_bc));
  PetscCall(VecGetArray(y, &yv));
  for (PetscInt k = in->zs, c = 0; k < in->zs + in->zm; k++) {
    for (PetscInt j = in->ys; j < in->ys + in->ym; j++) {
      for (PetscInt i = in->xs; i < in->xs + in->xm; i++, c++) {
        const PetscInt  g = GIDX(in, i, j, k), pos[3] = {i, j, k}, lim[3] = {in->mx, in->my, in->mz};
        const PetscReal h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]}, tc = PetscRealPart(tl[g]);
        PetscReal       flow = diag_bc[c] * tc;

        for (PetscInt d = 0; d < 3; d++) {
          const PetscReal area = h[(d + 1) % 3] * h[(d + 2) % 3];

          for (PetscInt side = -1; side <= 1; side += 2) {
            PetscInt q[3] = {i, j, k}, gn;

            q[d] = pos[d] + side;
            if (q[d] < 0 || q[d] >= lim[d]) continue;
            gn = GIDX(in, q[0], q[1], q[2]);
            flow += PhFaceConductance(area, h[d], kcell[3 * g + d], line[d][q[d] + 1] - line[d][q[d]], kcell[3 * gn + d]) *
                    (tc - PetscRealPart(tl[gn]));
          }
        }
        yv[c] = flow;
      }
    }
  }
  PetscCall(VecRestoreArray(y, &yv));
  PetscCall(PetscFree2(kcell, diag_bc));
  PetscCall(VecRestoreArrayRead(th->Tlocal, &tl));
  PetscCall(PetscLogEventEnd(PH_EVENT_ASSEMBLE, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}
#undef GIDX

/* Value of a signal on the interval ending at t (left = PETSC_TRUE, what an implicit step ending at t integrates) or at t. */
static PetscReal PhSignalAt(const PhSignal *s, PetscReal t, PetscBool left)
{
  return PhSignalEvaluate(s, left ? t - 1e-9 * PetscMax(PetscAbsReal(t), 1e-6) : t); /* well beyond the 1e-12 a row time is matched to */
}

/**
  @brief Power of every source at time t, with its leakage at the temperatures T (DESIGN §3.6).

  Collective (one reduction for the mean temperatures of all leaking sources).

  @param[in]  thermal the model
  @param[in]  t       time, s
  @param[in]  T       temperatures, K (may be NULL when no source leaks)
  @param[in]  left    value on the interval ending at t (for steps) rather than at t
  @param[out] power   total power of each source (signal plus leakage), W
  @param[out] leakage leakage part of each source, W (may be NULL)
**/
PetscErrorCode PhThermalSourcePowers(PhThermal th, PetscReal t, Vec T, PetscBool left, PetscReal power[], PetscReal leakage[])
{
  PhCase             pb = th->problem;
  DMDALocalInfo     *in = &th->info;
  PetscInt           ns = pb->nsources;
  PetscReal         *mean;
  const PetscScalar *tv, *vol;

  PetscFunctionBeginUser;
  for (PetscInt s = 0; s < ns; s++) {
    power[s] = th->fixed_power != NULL ? th->fixed_power[s] : PhSignalAt(&pb->sources[s].power, t, left);
    if (leakage != NULL) leakage[s] = 0;
  }
  if (!th->leakage) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCheck(T != NULL, th->comm, PETSC_ERR_ARG_NULL, "leakage needs temperatures");
  PetscCall(PetscCalloc1(ns, &mean));
  PetscCall(VecGetArrayRead(T, &tv));
  PetscCall(VecGetArrayRead(th->volume, &vol));
  for (PetscInt s = 0; s < ns; s++) {
    const PhIndexBox *b = &th->src_box[s];

    if (!pb->sources[s].has_leakage) continue;
    for (PetscInt k = PetscMax(b->lo[2], in->zs); k < PetscMin(b->hi[2], in->zs + in->zm); k++)
      for (PetscInt j = PetscMax(b->lo[1], in->ys); j < PetscMin(b->hi[1], in->ys + in->ym); j++)
        for (PetscInt i = PetscMax(b->lo[0], in->xs); i < PetscMin(b->hi[0], in->xs + in->xm); i++) {
          PetscInt c = ((k - in->zs) * in->ym + (j - in->ys)) * in->xm + (i - in->xs);

          mean[s] += PetscRealPart(tv[c] * vol[c]);
        }
  }
  PetscCall(VecRestoreArrayRead(th->volume, &vol));
  PetscCall(VecRestoreArrayRead(T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mean, (PetscMPIInt)ns, MPIU_REAL, MPIU_SUM, th->comm));
  for (PetscInt s = 0; s < ns; s++) {
    const PhSource *src = &pb->sources[s];
    PetscReal       p;

    if (!src->has_leakage) continue;
    p = src->leak_p_ref * PetscExpReal(src->leak_beta * (mean[s] / th->src_volume[s] - src->leak_t_ref));
    PetscCheck(p <= PH_RUNAWAY_LEAKAGE * src->leak_p_ref || src->leak_p_ref == 0, th->comm, PETSC_ERR_NOT_CONVERGED,
               "thermal runaway at t = %.6g s: the leakage of source %s reached %.6g W, more than %.6g times its p_ref (%.6g W)", (double)t,
               src->name, (double)p, PH_RUNAWAY_LEAKAGE, (double)src->leak_p_ref);
    power[s] += p;
    if (leakage != NULL) leakage[s] = p;
  }
  PetscCall(PetscFree(mean));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Add to b the heat of the sources, spread uniformly over their boxes (each cell gets P * V_cell / V_box). */
PetscErrorCode PhThermalAddSourceHeat_Private(PhThermal th, const PetscReal power[], Vec b)
{
  PhCase             pb = th->problem;
  DMDALocalInfo     *in = &th->info;
  PetscScalar       *bv;
  const PetscScalar *vol;

  PetscFunctionBeginUser;
  PetscCall(VecGetArray(b, &bv));
  PetscCall(VecGetArrayRead(th->volume, &vol));
  for (PetscInt s = 0; s < pb->nsources; s++) {
    const PhIndexBox *box     = &th->src_box[s];
    const PetscReal   density = power[s] / th->src_volume[s];

    for (PetscInt k = PetscMax(box->lo[2], in->zs); k < PetscMin(box->hi[2], in->zs + in->zm); k++)
      for (PetscInt j = PetscMax(box->lo[1], in->ys); j < PetscMin(box->hi[1], in->ys + in->ym); j++)
        for (PetscInt i = PetscMax(box->lo[0], in->xs); i < PetscMin(box->hi[0], in->xs + in->xm); i++) {
          PetscInt c = ((k - in->zs) * in->ym + (j - in->ys)) * in->xm + (i - in->xs);

          bv[c] += density * vol[c];
        }
  }
  PetscCall(VecRestoreArrayRead(th->volume, &vol));
  PetscCall(VecRestoreArray(b, &bv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The right-hand side b(t, T): source heat (with leakage at T), extra heat, G * T_ambient on convection and
  temperature faces, flux * area on flux faces. `left` evaluates time signals on the interval ending at t.
**/
PetscErrorCode PhThermalRHS_Private(PhThermal th, PetscReal t, Vec T, PetscBool left, Vec b)
{
  PetscReal   *power;
  PetscScalar *bv;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_SOURCES, 0, 0, 0, 0));
  PetscCall(VecSet(b, 0));
  PetscCall(PetscMalloc1(PetscMax(th->problem->nsources, 1), &power));
  PetscCall(PhThermalSourcePowers(th, t, T, left, power, NULL));
  PetscCall(PhThermalAddSourceHeat_Private(th, power, b));
  PetscCall(PetscFree(power));
  if (th->extra != NULL) PetscCall(VecAXPY(b, 1.0, th->extra));
  PetscCall(VecGetArray(b, &bv));
  for (PetscInt p = 0; p < th->npatches; p++) {
    const PhPatch  *pa = &th->patches[p];
    const PetscReal v  = PhSignalAt(&pa->bc->value, t, left);

    if (pa->bc->type == PH_BC_ADIABATIC) continue;
    for (PetscInt c = 0; c < pa->n; c++) bv[pa->cell[c]] += pa->g[c] * v;
  }
  PetscCall(VecRestoreArray(b, &bv));
  PetscCall(PetscLogEventEnd(PH_EVENT_SOURCES, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The heat rates of the energy balance at state T and time t: generated, out through the boundary, flux in.

  Collective. `residual` is left 0 (the integrator fills it).
**/
PetscErrorCode PhThermalRates(PhThermal th, PetscReal t, Vec T, PetscBool left, PhHeatRates *rates)
{
  PhCase             pb = th->problem;
  PetscReal         *power, local[2] = {0, 0};
  const PetscScalar *tv;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(rates, sizeof(*rates)));
  PetscCall(PetscMalloc1(PetscMax(pb->nsources, 1), &power));
  PetscCall(PhThermalSourcePowers(th, t, T, left, power, NULL));
  for (PetscInt s = 0; s < pb->nsources; s++) rates->generated += power[s];
  PetscCall(PetscFree(power));
  if (th->extra != NULL) {
    PetscScalar sum;

    PetscCall(VecSum(th->extra, &sum));
    rates->generated += PetscRealPart(sum);
  }
  PetscCall(VecGetArrayRead(T, &tv));
  for (PetscInt p = 0; p < th->npatches; p++) {
    const PhPatch  *pa = &th->patches[p];
    const PetscReal v  = PhSignalAt(&pa->bc->value, t, left);

    if (pa->bc->type == PH_BC_FLUX)
      for (PetscInt c = 0; c < pa->n; c++) local[1] += pa->g[c] * v;
    else if (pa->bc->type != PH_BC_ADIABATIC)
      for (PetscInt c = 0; c < pa->n; c++) local[0] += pa->g[c] * (PetscRealPart(tv[pa->cell[c]]) - v);
  }
  PetscCall(VecRestoreArrayRead(T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, local, 2, MPIU_REAL, MPIU_SUM, th->comm));
  rates->out     = local[0];
  rates->flux_in = local[1];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Power density (W/m^3) of every cell at time t: sources (with leakage at T) and extra heat, per cell volume.

  Collective.
**/
PetscErrorCode PhThermalPowerDensity(PhThermal th, PetscReal t, Vec T, Vec density)
{
  PetscReal *power;

  PetscFunctionBeginUser;
  PetscCall(VecSet(density, 0));
  PetscCall(PetscMalloc1(PetscMax(th->problem->nsources, 1), &power));
  PetscCall(PhThermalSourcePowers(th, t, T, PETSC_FALSE, power, NULL));
  PetscCall(PhThermalAddSourceHeat_Private(th, power, density));
  PetscCall(PetscFree(power));
  if (th->extra != NULL) PetscCall(VecAXPY(density, 1.0, th->extra));
  PetscCall(VecPointwiseDivide(density, density, th->volume));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Fail the run, collectively, when T holds a NaN or exceeds 1000 K (thermal runaway, DESIGN §3.6). */
PetscErrorCode PhThermalCheckState_Private(PhThermal th, PetscReal t, Vec T)
{
  PetscReal tmax, tmin;

  PetscFunctionBeginUser;
  PetscCall(VecMax(T, NULL, &tmax));
  PetscCall(VecMin(T, NULL, &tmin));
  PetscCheck(!PetscIsInfOrNanReal(tmax) && !PetscIsInfOrNanReal(tmin), th->comm, PETSC_ERR_FP,
             "the temperature field holds NaN or Inf at t = %.6g s (a diverged solve)", (double)t);
  PetscCheck(tmax <= PH_RUNAWAY_TEMPERATURE, th->comm, PETSC_ERR_NOT_CONVERGED,
             "thermal runaway at t = %.6g s: a temperature reached %.6g K, above %.6g K", (double)t, (double)tmax, PH_RUNAWAY_TEMPERATURE);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The solver of steady states: the conductance matrix without shift, created on first use; its multigrid brought to
   the conductances as last assembled. */
static PetscErrorCode PhThermalSteadyKSP(PhThermal th)
{
  PC pc;

  PetscFunctionBeginUser;
  PetscCall(PhThermalSetShift_Private(th, 0.0));
  if (th->ksp == NULL) {
    PetscCall(KSPCreate(th->comm, &th->ksp));
    PetscCall(KSPSetOperators(th->ksp, th->A, th->A));
    PetscCall(PhThermalConfigureKSP_Private(th, th->ksp));
    PetscCall(KSPSetFromOptions(th->ksp));
  }
  PetscCall(KSPGetPC(th->ksp, &pc));
  PetscCall(PhThermalUpdateMG_Private(th, pc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The steady rise x (K) that heat q (W per cell) alone causes: A x = q with the conductance matrix as last
  assembled, every boundary at its ambient. A case without a boundary that takes heat out has no steady response.

  Collective. Fails (exit 1) when the solve does not converge.
**/
PetscErrorCode PhThermalSolveResponse(PhThermal th, Vec q, Vec x)
{
  KSPConvergedReason reason;
  PetscScalar        gsum;

  PetscFunctionBeginUser;
  PetscCall(VecSum(th->gbc, &gsum));
  PetscCheck(
    PetscRealPart(gsum) > 0, th->comm, PETSC_ERR_USER_INPUT,
    "the steady response to heat needs a boundary that takes heat out (convection or temperature); every face of this case is adiabatic or a flux");
  PetscCall(PhThermalSteadyKSP(th));
  PetscCall(KSPSetInitialGuessNonzero(th->ksp, PETSC_FALSE));
  PetscCall(KSPSolve(th->ksp, q, x));
  PetscCall(KSPGetConvergedReason(th->ksp, &reason));
  PetscCheck(reason > 0, th->comm, PETSC_ERR_NOT_CONVERGED, "steady response to heater heat: the linear solver did not converge (%s)",
             KSPConvergedReasons[reason]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Solve the steady state at the powers of time t (DESIGN §5): one solve, or Picard iterations when k(T) or
  leakage is on, to 1e-9 relative. T holds the initial guess and receives the solution.

  Collective. Fails (exit 1) on runaway or when 50 iterations do not converge.
**/
PetscErrorCode PhThermalSolveSteady(PhThermal th, PetscReal t, Vec T)
{
  Vec       theta, previous;
  PetscBool nonlinear = (PetscBool)(th->nonlinear_k || th->leakage);

  PetscFunctionBeginUser;
  PetscCall(PhThermalSteadyKSP(th));
  PetscCall(VecDuplicate(T, &theta));
  PetscCall(VecDuplicate(T, &previous));
  for (PetscInt it = 0;; it++) {
    KSPConvergedReason reason;
    PetscReal          change, rise;

    PetscCheck(it < PH_PICARD_MAX_ITERATIONS, th->comm, PETSC_ERR_NOT_CONVERGED,
               "steady state at t = %.6g s: the k(T)/leakage iteration did not converge in %d iterations (thermal runaway?)", (double)t,
               PH_PICARD_MAX_ITERATIONS);
    PetscCall(VecCopy(T, previous));
    if (th->nonlinear_k) {
      PetscCall(PhThermalAssemble_Private(th, T));
      PetscCall(KSPSetOperators(th->ksp, th->A, th->A));
      PetscCall(KSPSetReusePreconditioner(th->ksp, it > 0 ? PETSC_TRUE : PETSC_FALSE)); /* k(T) moves little between iterations */
      if (it == 0) {
        PC pc;

        PetscCall(KSPGetPC(th->ksp, &pc));
        PetscCall(PhThermalUpdateMG_Private(th, pc));
      }
    }
    /* solve for the rise theta = T - T_ref, so that tolerances act on the rise: A theta = b - A 1 T_ref = b - gbc T_ref */
    PetscCall(PhThermalRHS_Private(th, t, T, PETSC_FALSE, th->rhs));
    PetscCall(VecAXPY(th->rhs, -th->t_ref, th->gbc));
    PetscCall(VecCopy(T, theta));
    PetscCall(VecShift(theta, -th->t_ref));
    PetscCall(KSPSetInitialGuessNonzero(th->ksp, it > 0 ? PETSC_TRUE : PETSC_FALSE));
    PetscCall(KSPSolve(th->ksp, th->rhs, theta));
    PetscCall(KSPGetConvergedReason(th->ksp, &reason));
    PetscCheck(reason > 0, th->comm, PETSC_ERR_NOT_CONVERGED, "steady state at t = %.6g s: the linear solver did not converge (%s)", (double)t,
               KSPConvergedReasons[reason]);
    PetscCall(VecCopy(theta, T));
    PetscCall(VecShift(T, th->t_ref));
    PetscCall(PhThermalCheckState_Private(th, t, T));
    if (!nonlinear) break;
    PetscCall(VecAXPY(previous, -1.0, T));
    PetscCall(VecNorm(previous, NORM_INFINITY, &change));
    PetscCall(VecNorm(theta, NORM_INFINITY, &rise));
    if (change <= PH_PICARD_TOLERANCE * PetscMax(rise, 1e-3)) break;
  }
  PetscCall(VecDestroy(&theta));
  PetscCall(VecDestroy(&previous));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The residual of the steady equations at T, F = A(T) T - b(t, T) (W per cell); its sum is the steady energy gap.

  Collective.
**/
PetscErrorCode PhThermalSteadyResidual(PhThermal th, PetscReal t, Vec T, Vec F)
{
  PetscFunctionBeginUser;
  if (th->nonlinear_k) PetscCall(PhThermalApplyNonlinear_Private(th, T, F));
  else PetscCall(PhThermalMultA_Private(th, T, F));
  PetscCall(PhThermalRHS_Private(th, t, T, PETSC_FALSE, th->rhs));
  PetscCall(VecAXPY(F, -1.0, th->rhs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Put shift * C on A's diagonal (the integrator's J = shift C + A), from the stored diagonal so that no rounding accumulates. */
PetscErrorCode PhThermalSetShift_Private(PhThermal th, PetscReal shift)
{
  PetscFunctionBeginUser;
  if (shift == th->shift) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(VecWAXPY(th->work, shift, th->capacity, th->adiag));
  PetscCall(MatDiagonalSet(th->A, th->work, INSERT_VALUES));
  th->shift = shift;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* y = A x, the conductance matrix without the integrator's shift. */
PetscErrorCode PhThermalMultA_Private(PhThermal th, Vec x, Vec y)
{
  PetscFunctionBeginUser;
  PetscCall(MatMult(th->A, x, y));
  if (th->shift != 0) {
    PetscCall(VecPointwiseMult(th->work, th->capacity, x));
    PetscCall(VecAXPY(y, -th->shift, th->work));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The reference temperature T_ref (K) the solves work from: they compute the rise T - T_ref, so that tolerances
  act on rises. It is the mean ambient and surface temperature at t = 0, or, in a case without such a boundary, the
  mean initial temperature (set by PhThermalStart()).

  Not collective.
**/
PetscErrorCode PhThermalGetReference(PhThermal th, PetscReal *t_ref)
{
  PetscFunctionBeginUser;
  *t_ref = th->t_ref;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The DMDA of the cells (borrowed).

  Not collective.
**/
PetscErrorCode PhThermalGetDM(PhThermal th, DM *da)
{
  PetscFunctionBeginUser;
  *da = th->da;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The box of global cell indices this rank owns (intersect other boxes with it, see PH_BOX_FOR).

  Not collective.
**/
PetscErrorCode PhThermalGetOwnedBox(PhThermal th, PhIndexBox *owned)
{
  PetscFunctionBeginUser;
  owned->lo[0] = th->info.xs, owned->lo[1] = th->info.ys, owned->lo[2] = th->info.zs;
  owned->hi[0] = th->info.xs + th->info.xm, owned->hi[1] = th->info.ys + th->info.ym, owned->hi[2] = th->info.zs + th->info.zm;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The capacitances rho*cp*V of the cells, J/K (borrowed).

  Not collective.
**/
PetscErrorCode PhThermalGetCapacity(PhThermal th, Vec *capacity)
{
  PetscFunctionBeginUser;
  *capacity = th->capacity;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The volumes of the cells, m^3 (borrowed).

  Not collective.
**/
PetscErrorCode PhThermalGetVolume(PhThermal th, Vec *volume)
{
  PetscFunctionBeginUser;
  *volume = th->volume;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy the model; NULL is accepted and *thermal is NULL on return.

  Collective.
**/
PetscErrorCode PhThermalDestroy(PhThermal *thermal)
{
  PhThermal th = *thermal;

  PetscFunctionBeginUser;
  if (th == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt p = 0; p < th->npatches; p++) PetscCall(PetscFree2(th->patches[p].cell, th->patches[p].g));
  PetscCall(PetscFree(th->patches));
  PetscCall(PetscFree2(th->src_box, th->src_volume));
  PetscCall(PetscFree(th->gmat));
  PetscCall(PhThermalDestroyState_Private(th));
  PetscCall(PhThermalReducedDestroy_Private(th));
  PetscCall(VecDestroy(&th->extra));
  PetscCall(PetscFree3(th->entry_cell, th->entry_input, th->entry_w));
  PetscCall(PetscFree3(th->input_w, th->input_power, th->input_amp));
  PetscCall(KSPDestroy(&th->ksp));
  PetscCall(MatDestroy(&th->A));
  PetscCall(VecDestroy(&th->adiag));
  PetscCall(VecDestroy(&th->gbc));
  PetscCall(VecDestroy(&th->Tabs));
  PetscCall(VecDestroy(&th->capacity));
  PetscCall(VecDestroy(&th->volume));
  PetscCall(VecDestroy(&th->work));
  PetscCall(VecDestroy(&th->rhs));
  PetscCall(VecDestroy(&th->Tlocal));
  PetscCall(DMDestroy(&th->da));
  PetscCall(PetscFree(*thermal));
  PetscFunctionReturn(PETSC_SUCCESS);
}

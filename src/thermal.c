/* Cell-centred finite volumes on the DMDA (DESIGN §5): capacitances, conductances, boundary faces, sources, steady solve. */
#include "thermal_impl.h"

#include <petsc/private/petscimpl.h> /* PetscObjectStateGet(): has a vector changed since A(T) was assembled */

#include <math.h>
#include <photherm/units.h>

#define PH_PICARD_MAX_ITERATIONS 50
#define PH_PICARD_TOLERANCE      1e-9
#define PH_PICARD_FORCING        1e-3  /* an inexact Picard step's solve tolerance over the last step's relative change */
#define PH_RUNAWAY_LEAKAGE       100.0 /* times p_ref */
#define PH_K_LAG                 0.01  /* default -ph_k_lag */
#define PH_REDUCED_K_LAG         0.02  /* default -ph_reduced_k_lag */
#define PH_REDUCED_K_TILES       2     /* default -ph_reduced_k_tiles */
#define PH_REDUCED_K_BINS        8     /* default -ph_reduced_k_bins */
#define PH_ATOL_FRACTION         1e-4  /* default -ph_atol_fraction: the integrator's absolute tolerance over the case's rise scale */

static PetscErrorCode PhThermalPreallocate(PhThermal th);

/* Conductance (W/K) across a face of area `area` between cells a and b: their half-cell resistances r = h/(2k) (m^2 K/W) in series. */
static inline PetscReal PhFaceConductance(PetscReal area, PetscReal r_a, PetscReal r_b)
{
  return area / (r_a + r_b);
}

/* The boundary conductance (W/K) of a face of a cell whose half-cell resistance across it is r = h/(2k) (DESIGN §5). */
static inline PetscReal PhBoundaryConductance(const PhBoundaryCondition *bc, PetscReal area, PetscReal r)
{
  if (bc->type == PH_BC_CONVECTION || bc->type == PH_BC_COLD_PLATE) return area / (r + 1.0 / bc->h);
  if (bc->type == PH_BC_TEMPERATURE) return area / r;
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
  const PetscReal *line[3];
  PetscInt         npatch = 0;

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  for (PetscInt f = 0; f < PH_NFACES; f++) npatch += pb->boundaries[f].n;
  PetscCall(PetscCalloc1(PetscMax(npatch, 1), &th->patches));
  for (PetscInt f = 0; f < PH_NFACES; f++) {
    const PhBoundary *bd = &pb->boundaries[f];
    PhIndexBox        plane, face; /* the cells on face f, and those of them this rank owns */
    PetscInt          d, n, *owner;
    PetscBool         low;
    PetscInt          base = th->npatches;

    if (bd->n == 0) continue;
    PhFaceAxis((PhFace)f, &d, &low);
    plane.lo[0] = plane.lo[1] = plane.lo[2] = 0;
    plane.hi[0] = th->info.mx, plane.hi[1] = th->info.my, plane.hi[2] = th->info.mz;
    plane.lo[d] = low ? 0 : plane.hi[d] - 1;
    plane.hi[d] = plane.lo[d] + 1;
    face        = PhIndexBoxIntersect(&plane, &th->owned);
    n           = PhIndexBoxCount(&face);
    /* a rank that owns no cell of the face still gets its (empty) patches, so that every rank has the same list (the
       reduced model takes one input per patch) */
    PetscCall(PetscMalloc1(n + 1, &owner));
    PH_BOX_FOR(face, i, j, k) {
      PetscReal xc = 0.5 * (line[0][i] + line[0][i + 1]), yc = 0.5 * (line[1][j] + line[1][j + 1]);
      PetscInt  c = PhIndexBoxOffset(&face, i, j, k);

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
      PH_BOX_FOR(face, i, j, k) {
        if (owner[PhIndexBoxOffset(&face, i, j, k)] != q) continue;
        p->cell[p->n][0] = i, p->cell[p->n][1] = j, p->cell[p->n][2] = k;
        p->n++;
      }
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
  PetscScalar   ***cap, ***vol;
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
  th->owned.lo[0] = th->info.xs, th->owned.lo[1] = th->info.ys, th->owned.lo[2] = th->info.zs;
  th->owned.hi[0] = th->info.xs + th->info.xm, th->owned.hi[1] = th->info.ys + th->info.ym, th->owned.hi[2] = th->info.zs + th->info.zm;
  th->ghost.lo[0] = th->info.gxs, th->ghost.lo[1] = th->info.gys, th->ghost.lo[2] = th->info.gzs;
  th->ghost.hi[0] = th->info.gxs + th->info.gxm, th->ghost.hi[1] = th->info.gys + th->info.gym, th->ghost.hi[2] = th->info.gzs + th->info.gzm;
  PetscCall(PetscMalloc1(PhIndexBoxCount(&th->ghost), &th->gmat));
  PetscCall(PhMeshFillMaterial(mesh, &th->ghost, th->gmat));
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
  PetscCall(VecDuplicate(th->capacity, &th->Tk));
  PetscCall(DMCreateLocalVector(th->da, &th->Tlocal));
  PetscCall(VecDuplicate(th->capacity, &th->T));
  PetscCall(PetscObjectSetName((PetscObject)th->T, "temperature"));
  PetscCall(VecDuplicate(th->capacity, &th->T0));
  PetscCall(VecDuplicate(th->capacity, &th->Tprev));
  PetscCall(VecDuplicate(th->capacity, &th->theta));
  PetscCall(VecDuplicate(th->capacity, &th->rate));
  th->ksp_floor         = 1e-6;
  th->mg_coarsen_factor = 3;
  th->k_lag             = PH_K_LAG;
  th->reduced_k_lag     = PH_REDUCED_K_LAG;
  th->reduced_k_tiles   = PH_REDUCED_K_TILES;
  th->reduced_k_bins    = PH_REDUCED_K_BINS;
  th->atol_fraction     = PH_ATOL_FRACTION;
  th->reduce            = (PetscBool)(problem->time.method == PH_METHOD_REDUCED);
  th->reduced_tolerance = problem->time.reduced_tolerance;
  th->check_window      = -1;
  PetscCall(DMDAVecGetArray(th->da, th->capacity, &cap));
  PetscCall(DMDAVecGetArray(th->da, th->volume, &vol));
  PH_BOX_FOR(th->owned, i, j, k) {
    const PhMaterial *m = &problem->materials[th->gmat[PhIndexBoxOffset(&th->ghost, i, j, k)]];

    vol[k][j][i] = (line[0][i + 1] - line[0][i]) * (line[1][j + 1] - line[1][j]) * (line[2][k + 1] - line[2][k]);
    cap[k][j][i] = m->rho * m->cp * vol[k][j][i];
  }
  PetscCall(DMDAVecRestoreArray(th->da, th->volume, &vol));
  PetscCall(DMDAVecRestoreArray(th->da, th->capacity, &cap));

  /* sources: their cell boxes and volumes */
  PetscCall(PetscMalloc2(PetscMax(problem->nsources, 1), &th->src_box, PetscMax(problem->nsources, 1), &th->src_volume));
  for (PetscInt s = 0; s < problem->nsources; s++) {
    const PhSource *src = &problem->sources[s];

    PetscCall(PhMeshGetSourceBox(mesh, s, &th->src_box[s]));
    th->src_volume[s] = (src->x1 - src->x0) * (src->y1 - src->y0) * (src->z1 - src->z0);
  }

  PetscCall(PhThermalBuildPatches(th));
  PetscCall(PhThermalPlatesCreate_Private(th));
  PetscCall(PhThermalCavitiesCreate_Private(th));
  for (PetscInt c = 0; c < th->ncavities; c++) {
    tsum += PhSignalEvaluate(&th->cavities[c].ch->inlet, 0);
    tcount++;
  }
  /* reference temperature of the steady solve: the mean of the ambient and surface temperatures at t = 0 */
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt q = 0; q < problem->boundaries[f].n; q++) {
      const PhBoundaryCondition *bc = &problem->boundaries[f].conditions[q];

      if (bc->type == PH_BC_CONVECTION || bc->type == PH_BC_TEMPERATURE || bc->type == PH_BC_COLD_PLATE) {
        tsum += PhSignalEvaluate(&bc->value, 0);
        tcount++;
      }
    }
  th->t_ref                 = tcount ? tsum / tcount : 300.0;
  th->t_ref_from_boundaries = (PetscBool)(tcount > 0);

  { /* sizes, type and numbering of the DMDA's matrices, without its preallocation: the pattern is PhThermalPreallocate()'s */
    ISLocalToGlobalMapping ltog;
    MatType                type;
    const PetscInt         n = PhIndexBoxCount(&th->owned);

    PetscCall(DMGetMatType(th->da, &type));
    PetscCall(DMGetLocalToGlobalMapping(th->da, &ltog));
    PetscCall(MatCreate(comm, &th->A));
    PetscCall(MatSetSizes(th->A, n, n, PETSC_DETERMINE, PETSC_DETERMINE));
    PetscCall(MatSetType(th->A, type));
    PetscCall(MatSetLocalToGlobalMapping(th->A, ltog, ltog));
    PetscCall(MatSetDM(th->A, th->da));
  }
  PetscCall(PhThermalPreallocate(th));
  if (th->ncavities == 0 && th->nplates == 0) { /* the stencil form of A (PhThermalDryOperator_Private()) */
    PetscCall(PetscCalloc1(3 * (PhIndexBoxCount(&th->ghost) + th->ghost.hi[0] - th->ghost.lo[0]), &th->sg)); /* and a row of zeros */
    PetscCall(VecDuplicate(th->capacity, &th->sdiag));
    PetscCall(DMCreateLocalVector(th->da, &th->slocal));
  }
  PetscCall(MatSetOption(th->A, MAT_SYMMETRIC, th->ncavities == 0 ? PETSC_TRUE : PETSC_FALSE)); /* a coolant's advection is not */
  if (th->ncavities == 0) PetscCall(MatSetOption(th->A, MAT_SPD, PETSC_TRUE));
  PetscCall(PhThermalAssemble_Private(th, NULL));
  *thermal = th;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Half-cell resistances h_d / (2 k_d) (m^2 K/W) of every ghosted cell along x, y, z, at the ghosted temperatures t (NULL:
   at 300 K), k(T) = k (T/300 K)^n, into th->rhalf. They are kept between calls: the first fills every cell, later calls
   only the cells of k(T) materials (th->knl), one power each. */
static PetscErrorCode PhThermalHalfResistances(PhThermal th, const PetscReal *const line[3], const PetscScalar ***t)
{
  PhCase             pb = th->problem;
  const PetscInt     gx = th->ghost.hi[0] - th->ghost.lo[0], gy = th->ghost.hi[1] - th->ghost.lo[1];
  const PetscScalar *tg  = t != NULL ? &t[th->ghost.lo[2]][th->ghost.lo[1]][th->ghost.lo[0]] : NULL; /* flat, over th->ghost */
  PetscInt           nnl = 0;

  PetscFunctionBeginUser;
  if (th->rhalf == NULL) {
    PetscCall(PetscMalloc3(3 * PhIndexBoxCount(&th->ghost), &th->rhalf, PhIndexBoxCount(&th->owned), &th->diag_bc, PhIndexBoxCount(&th->ghost),
                           &th->knl));
    PH_BOX_FOR(th->ghost, i, j, k) {
      const PetscInt    g    = PhIndexBoxOffset(&th->ghost, i, j, k);
      const PhMaterial *m    = &pb->materials[th->gmat[g]];
      const PetscReal   h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};

      for (PetscInt d = 0; d < 3; d++) th->rhalf[3 * g + d] = 0.5 * h[d] / m->k[d];
      if (m->k_exponent != 0) th->knl[nnl++] = g;
    }
    th->nknl = nnl;
  }
  for (PetscInt q = 0; q < th->nknl; q++) {
    const PetscInt    g = th->knl[q], i = th->ghost.lo[0] + g % gx, j = th->ghost.lo[1] + (g / gx) % gy, k = th->ghost.lo[2] + g / (gx * gy);
    const PhMaterial *m    = &pb->materials[th->gmat[g]];
    const PetscReal   h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};
    PetscReal         f    = 1;

    if (tg != NULL && PetscRealPart(tg[g]) > 0) f = PetscPowReal(PetscRealPart(tg[g]) / 300.0, m->k_exponent);
    for (PetscInt d = 0; d < 3; d++) th->rhalf[3 * g + d] = 0.5 * h[d] / (m->k[d] * f);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Boundary conductances of every patch at the half-cell resistances (they depend on the cell's own k), and their sum per owned cell. */
static PetscErrorCode PhThermalPatchConductances(PhThermal th, const PetscReal *const line[3], const PetscReal *rhalf, PetscReal *diag_bc)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(diag_bc, PhIndexBoxCount(&th->owned)));
  for (PetscInt p = 0; p < th->npatches; p++) {
    PhPatch  *pa = &th->patches[p];
    PetscInt  d;
    PetscBool low;

    PhFaceAxis(pa->face, &d, &low);
    for (PetscInt c = 0; c < pa->n; c++) {
      const PetscInt  i = pa->cell[c][0], j = pa->cell[c][1], k = pa->cell[c][2];
      const PetscReal h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};

      pa->g[c] = PhBoundaryConductance(pa->bc, h[(d + 1) % 3] * h[(d + 2) % 3], rhalf[3 * PhIndexBoxOffset(&th->ghost, i, j, k) + d]);
      if (pa->bc->type != PH_BC_FLUX) diag_bc[PhIndexBoxOffset(&th->owned, i, j, k)] += pa->g[c];
    }
  }
  for (PetscInt c = 0; c < th->ncavities; c++) /* the inlet cells take their coolant from outside: m cp to the inlet temperature */
    for (PetscInt q = 0; q < th->cavities[c].ninlet; q++) diag_bc[th->cavities[c].inlet[q]] += th->cavities[c].inlet_w[q];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* What the face loop reads, all at one temperature field: the ghosted temperatures, the half-cell resistances of the
   ghosted cells and the boundary conductance of the owned cells. */
typedef struct {
  const PetscReal     *line[3]; /* grid lines, m */
  const PetscScalar ***t;       /* ghosted temperatures [k][j][i], K; NULL at the reference k */
  PetscReal           *rhalf;   /* 3 per ghosted cell, h_d / (2 k_d), stored over th->ghost, m^2 K/W */
  PetscReal           *diag_bc; /* boundary conductance of each owned cell, stored over th->owned, W/K */
} PhConductances;

/* The conductances at T (NULL: at the reference k); the boundary patches are brought to T as well. */
static PetscErrorCode PhThermalConductancesGet(PhThermal th, Vec T, PhConductances *cd)
{
  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(th->mesh, &cd->line[0], &cd->line[1], &cd->line[2]));
  cd->t = NULL;
  if (T != NULL) {
    PetscCall(DMGlobalToLocalBegin(th->da, T, INSERT_VALUES, th->Tlocal));
    PetscCall(DMGlobalToLocalEnd(th->da, T, INSERT_VALUES, th->Tlocal));
    PetscCall(DMDAVecGetArrayRead(th->da, th->Tlocal, &cd->t));
  }
  PetscCall(PhThermalHalfResistances(th, cd->line, cd->t));
  cd->rhalf   = th->rhalf;
  cd->diag_bc = th->diag_bc;
  PetscCall(PhThermalPatchConductances(th, cd->line, cd->rhalf, cd->diag_bc));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhThermalConductancesRestore(PhThermal th, PhConductances *cd)
{
  PetscFunctionBeginUser;
  if (cd->t != NULL) PetscCall(DMDAVecRestoreArrayRead(th->da, th->Tlocal, &cd->t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A face an owned cell shares with another cell: that neighbour (global indices, and its offset in th->ghost) and the
   face conductance, W/K. */
typedef struct {
  PetscInt  i, j, k, g;
  PetscReal G;
} PhNeighbour;

/* The face across direction d, on side `side` (-1 low, +1 high), between owned cell (its offset g0 in th->ghost, its
   half-cell resistance r, face area `area`) and neighbour (i, j, k) at offset g of th->ghost; a face with coolant on
   either side takes the coolant's conductance (PhThermalFluidFace_Private()). */
static inline PhNeighbour PhThermalFace(PhThermal th, const PhConductances *cd, PetscInt d, PetscInt side, PetscReal area, PetscInt g0, PetscReal r,
                                        PetscInt i, PetscInt j, PetscInt k, PetscInt g)
{
  PhNeighbour nb;

  nb.i = i, nb.j = j, nb.k = k, nb.g = g;
  nb.G = -1;
  if (th->gfluid != NULL) nb.G = PhThermalFluidFace_Private(th, g0, g, d, side, area, r, cd->rhalf[3 * g + d]);
  if (nb.G < 0) nb.G = PhFaceConductance(area, r, cd->rhalf[3 * g + d]);
  return nb;
}

/*
  The face loop of the conductance operator, shared by its assembly and its matrix-free application: the faces owned
  cell (i, j, k) shares with other cells, in the order -x, +x, -y, +y, -z, +z, with their conductances
  G = area / (h_a/(2 k_a) + h_b/(2 k_b)) (coolant: PhThermalFluidFace_Private()). Returns how many (at most 6);
  boundary faces are in cd->diag_bc.
*/
static inline PetscInt PhThermalCellFaces(PhThermal th, const PhConductances *cd, PetscInt i, PetscInt j, PetscInt k, PhNeighbour nb[6])
{
  const PetscReal *const *line = cd->line;
  const PetscReal         hx = line[0][i + 1] - line[0][i], hy = line[1][j + 1] - line[1][j], hz = line[2][k + 1] - line[2][k];
  const PetscInt   g = PhIndexBoxOffset(&th->ghost, i, j, k), sy = th->ghost.hi[0] - th->ghost.lo[0], sz = sy * (th->ghost.hi[1] - th->ghost.lo[1]);
  const PetscReal *r = cd->rhalf + 3 * g;
  PetscInt         n = 0;

  if (i > 0) nb[n++] = PhThermalFace(th, cd, 0, -1, hy * hz, g, r[0], i - 1, j, k, g - 1);
  if (i < th->info.mx - 1) nb[n++] = PhThermalFace(th, cd, 0, 1, hy * hz, g, r[0], i + 1, j, k, g + 1);
  if (j > 0) nb[n++] = PhThermalFace(th, cd, 1, -1, hz * hx, g, r[1], i, j - 1, k, g - sy);
  if (j < th->info.my - 1) nb[n++] = PhThermalFace(th, cd, 1, 1, hz * hx, g, r[1], i, j + 1, k, g + sy);
  if (k > 0) nb[n++] = PhThermalFace(th, cd, 2, -1, hx * hy, g, r[2], i, j, k - 1, g - sz);
  if (k < th->info.mz - 1) nb[n++] = PhThermalFace(th, cd, 2, 1, hx * hy, g, r[2], i, j, k + 1, g + sz);
  return n;
}

/**
  The derivative of the conductance operator with respect to a relative change s of k in the owned cells of k(T)
  materials, at the conductances last assembled: for every face of such a cell with another cell, that neighbour and
  dG/ds = G r_own / (r_own + r_nb) (G = area / (r_own + r_nb), the half-cell resistances in series, r_own scaling as
  1 / s). *n face sides; own[] and nbr[] are offsets in th->ghost (free the three arrays with PetscFree3()).
  Beside a cavity (a wall and its coolant, a porous cavity's strips and the tiers over them), dG/ds follows the
  conductance of PhThermalFluidFace_Private(): for a 4-resistor wall, G = area / (r_own + 1 / h), it is G^2 r_own / area.
  *boundary is PETSC_TRUE (on every rank) when a k(T) cell lies on a non-adiabatic patch, whose conductance depends on k
  differently.
**/
PetscErrorCode PhThermalKFaces_Private(PhThermal th, PetscInt *n, PetscInt **own, PetscInt **nbr, PetscReal **dgds, PetscBool *boundary)
{
  PhCase           pb = th->problem;
  const PetscReal *line[3];
  const PetscInt   sy = th->ghost.hi[0] - th->ghost.lo[0], sz = sy * (th->ghost.hi[1] - th->ghost.lo[1]);
  const PetscInt   step[3] = {1, sy, sz}, mx[3] = {th->info.mx, th->info.my, th->info.mz};
  PetscInt         cap = 0, cnt = 0;
  PetscBool        bnd = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  PH_BOX_FOR(th->owned, i, j, k) {
    if (pb->materials[th->gmat[PhIndexBoxOffset(&th->ghost, i, j, k)]].k_exponent != 0) cap += 6;
  }
  PetscCall(PetscMalloc3(cap + 1, own, cap + 1, nbr, cap + 1, dgds));
  PH_BOX_FOR(th->owned, i, j, k) {
    const PetscInt  g = PhIndexBoxOffset(&th->ghost, i, j, k), idx[3] = {i, j, k};
    const PetscReal h[3] = {line[0][i + 1] - line[0][i], line[1][j + 1] - line[1][j], line[2][k + 1] - line[2][k]};

    if (pb->materials[th->gmat[g]].k_exponent == 0) continue;
    for (PetscInt d = 0; d < 3; d++)
      for (PetscInt side = -1; side <= 1; side += 2) {
        const PetscInt  gn = g + side * step[d];
        const PetscReal ro = th->rhalf[3 * g + d], area = h[(d + 1) % 3] * h[(d + 2) % 3];
        PetscReal       rn, G                           = -1;

        if (idx[d] + side < 0 || idx[d] + side >= mx[d]) continue; /* (gn is outside the ghosted box: read nothing of it) */
        rn = th->rhalf[3 * gn + d];
        if (th->gfluid != NULL) G = PhThermalFluidFace_Private(th, g, gn, d, side, area, ro, rn);
        (*own)[cnt] = g, (*nbr)[cnt] = gn;
        if (G < 0) (*dgds)[cnt++] = PhFaceConductance(area, ro, rn) * ro / (ro + rn);
        else { /* beside a cavity: G = area / (a ro + R) + (a tie), a and R per kind of face (PhThermalFluidFace_Private()), so
                  dG/ds = -ro dG/dro, by the central difference of the same function (exact to 1e-8 of G for this form) */
          const PetscReal eps = 1e-4;

          (*dgds)[cnt++] = ro *
                           (PhThermalFluidFace_Private(th, g, gn, d, side, area, ro / (1 + eps), rn) -
                            PhThermalFluidFace_Private(th, g, gn, d, side, area, ro / (1 - eps), rn)) /
                           (ro / (1 - eps) - ro / (1 + eps));
        }
      }
  }
  *n = cnt;
  for (PetscInt p = 0; p < th->npatches && !bnd; p++) {
    const PhPatch *pa = &th->patches[p];

    if (pa->bc->type == PH_BC_ADIABATIC) continue;
    for (PetscInt c = 0; c < pa->n && !bnd; c++)
      if (pb->materials[th->gmat[PhIndexBoxOffset(&th->ghost, pa->cell[c][0], pa->cell[c][1], pa->cell[c][2])]].k_exponent != 0) bnd = PETSC_TRUE;
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bnd, 1, MPIU_BOOL, MPI_LOR, th->comm));
  *boundary = bnd;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The nonzero pattern of A, given once as coordinates in the order of the assembly loop: for every owned cell its
  diagonal, then its faces as PhThermalCellFaces() lists them. Each assembly then writes the values in that order
  (MatSetValuesCOO()), without a search per entry.
*/
static PetscErrorCode PhThermalPreallocate(PhThermal th)
{
  ISLocalToGlobalMapping ltog;
  PetscInt              *ci, *cj, n = 0;
  PhConductances         cd;

  PetscFunctionBeginUser;
  PetscCall(PhThermalConductancesGet(th, NULL, &cd));
  PetscCall(PetscMalloc2(7 * PhIndexBoxCount(&th->owned), &ci, 7 * PhIndexBoxCount(&th->owned), &cj));
  PH_BOX_FOR(th->owned, i, j, k) {
    PhNeighbour    nb[6];
    const PetscInt m = PhThermalCellFaces(th, &cd, i, j, k, nb), row = PhIndexBoxOffset(&th->ghost, i, j, k);

    ci[n] = cj[n] = row;
    for (PetscInt q = 0; q < m; q++) ci[n + 1 + q] = row, cj[n + 1 + q] = nb[q].g;
    n += m + 1;
  }
  PetscCall(PhThermalConductancesRestore(th, &cd));
  PetscCall(DMGetLocalToGlobalMapping(th->da, &ltog)); /* ghosted local indices, laid out as th->ghost, to PETSc's global ones */
  PetscCall(ISLocalToGlobalMappingApply(ltog, n, ci, ci));
  PetscCall(ISLocalToGlobalMappingApply(ltog, n, cj, cj));
  PetscCall(MatSetPreallocationCOO(th->A, n, ci, cj));
  PetscCall(PetscFree2(ci, cj));
  th->nvalues = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Assemble the conductance matrix A, at the temperatures T when materials have k(T) (T NULL: at the reference k).
  Interior faces: G = area / (h_a/(2 k_a) + h_b/(2 k_b)); boundary faces add their conductance to the diagonal.
  With a time step in progress, shift * C is added to the diagonal (PhThermalSetShift_Private()).
**/
PetscErrorCode PhThermalAssemble_Private(PhThermal th, Vec T)
{
  PhConductances       cd;
  PetscScalar       ***ad, ***gb, *val;
  const PetscScalar ***cap;
  PetscCount           nval = 0;

  PetscFunctionBeginUser;
  if (T != NULL) { /* A(T) already assembled at exactly these temperatures */
    PetscObjectId    id;
    PetscObjectState state;

    PetscCall(PetscObjectGetId((PetscObject)T, &id));
    PetscCall(PetscObjectStateGet((PetscObject)T, &state));
    if (th->assembled_id == id && th->assembled_state == state) PetscFunctionReturn(PETSC_SUCCESS);
    th->assembled_id    = id;
    th->assembled_state = state;
    PetscCall(VecCopy(T, th->Tk));
  } else th->assembled_id = 0;
  th->Tk_valid = (PetscBool)(T != NULL);
  th->k_version++;
  PetscCall(PetscLogEventBegin(PH_EVENT_ASSEMBLE, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(th->nvalues, &val));
  PetscCall(PhThermalConductancesGet(th, T, &cd));
  PetscCall(DMDAVecGetArray(th->da, th->adiag, &ad));
  PetscCall(DMDAVecGetArray(th->da, th->gbc, &gb));
  PetscCall(DMDAVecGetArrayRead(th->da, th->capacity, &cap));
  PH_BOX_FOR(th->owned, i, j, k) {
    PhNeighbour     nb[6];
    const PetscInt  n       = PhThermalCellFaces(th, &cd, i, j, k, nb);
    const PetscReal diag_bc = cd.diag_bc[PhIndexBoxOffset(&th->owned, i, j, k)];
    PetscReal       sum     = diag_bc;

    for (PetscInt q = 0; q < n; q++) {
      val[nval + 1 + q] = -nb[q].G;
      sum += nb[q].G;
    }
    if (th->sg != NULL) { /* each face kept at the cell on its low side (a ghost for the owned cells' low faces) */
      const PetscInt g = PhIndexBoxOffset(&th->ghost, i, j, k), sy = th->ghost.hi[0] - th->ghost.lo[0];
      const PetscInt step[3] = {1, sy, sy * (th->ghost.hi[1] - th->ghost.lo[1])};

      for (PetscInt q = 0; q < n; q++)
        for (PetscInt d = 0; d < 3; d++) {
          if (nb[q].g == g + step[d]) th->sg[3 * g + d] = nb[q].G;
          else if (nb[q].g == g - step[d]) th->sg[3 * (g - step[d]) + d] = nb[q].G;
        }
    }
    val[nval]   = sum + th->shift * PetscRealPart(cap[k][j][i]);
    ad[k][j][i] = sum;
    gb[k][j][i] = diag_bc;
    nval += n + 1;
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, th->capacity, &cap));
  PetscCall(DMDAVecRestoreArray(th->da, th->gbc, &gb));
  PetscCall(DMDAVecRestoreArray(th->da, th->adiag, &ad));
  PetscCall(PhThermalConductancesRestore(th, &cd));
  PetscCall(MatSetValuesCOO(th->A, val, INSERT_VALUES));
  PetscCall(MatAssemblyBegin(th->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(th->A, MAT_FINAL_ASSEMBLY));
  if (th->sg != NULL) PetscCall(VecWAXPY(th->sdiag, th->shift, th->capacity, th->adiag));
  PetscCall(PetscFree(val));
  PetscCall(PetscLogEventEnd(PH_EVENT_ASSEMBLE, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  A bound on the largest relative change of any conductance between the temperatures A was assembled at and T, for
  k(T) = k (T/300 K)^n: with x = max |T - T_k| / min(T, T_k) over the cells, a cell's k changes by at most
  (1 - x)^-|n| - 1, and a face conductance (two half-cell resistances in series, or one and a fixed film) by no more
  than the larger change of its two cells. Infinite when A holds the reference conductances.
**/
PetscErrorCode PhThermalConductanceDrift_Private(PhThermal th, Vec T, PetscReal *drift)
{
  PetscReal dmax, tmin, kmin, x, nmax = 0;

  PetscFunctionBeginUser;
  *drift = PETSC_MAX_REAL;
  if (!th->Tk_valid) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt m = 0; m < th->problem->nmaterials; m++) nmax = PetscMax(nmax, PetscAbsReal(th->problem->materials[m].k_exponent));
  PetscCall(VecWAXPY(th->work, -1.0, th->Tk, T));
  PetscCall(VecNorm(th->work, NORM_INFINITY, &dmax));
  PetscCall(VecMin(T, NULL, &tmin));
  PetscCall(VecMin(th->Tk, NULL, &kmin));
  x = dmax / PetscMin(tmin, kmin);
  if (x < 1) *drift = PetscPowReal(1 - x, -nmax) - 1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  y = A(T) T without assembling: the heat each cell loses by conduction to its neighbours and to its convection and
  fixed-temperature faces, with the conductivities of every cell at T. The boundary conductances of the patches are
  updated to T as well, so that the right-hand side computed after it is consistent (DESIGN §5, k(T)).
**/
PetscErrorCode PhThermalApplyNonlinear_Private(PhThermal th, Vec T, Vec y)
{
  PhConductances     cd;
  PetscScalar     ***yv;
  const PetscScalar *tg;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_APPLY, 0, 0, 0, 0));
  PetscCall(PhThermalConductancesGet(th, T, &cd));
  tg = &cd.t[th->ghost.lo[2]][th->ghost.lo[1]][th->ghost.lo[0]]; /* flat, over th->ghost */
  PetscCall(DMDAVecGetArray(th->da, y, &yv));
  PH_BOX_FOR(th->owned, i, j, k) {
    PhNeighbour     nb[6];
    const PetscInt  n    = PhThermalCellFaces(th, &cd, i, j, k, nb);
    const PetscReal tc   = PetscRealPart(cd.t[k][j][i]);
    PetscReal       flow = cd.diag_bc[PhIndexBoxOffset(&th->owned, i, j, k)] * tc;

    for (PetscInt q = 0; q < n; q++) flow += nb[q].G * (tc - PetscRealPart(tg[nb[q].g]));
    yv[k][j][i] = flow;
  }
  PetscCall(DMDAVecRestoreArray(th->da, y, &yv));
  PetscCall(PhThermalConductancesRestore(th, &cd));
  PetscCall(PetscLogEventEnd(PH_EVENT_APPLY, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Value of a signal on the interval ending at t (left = PETSC_TRUE, what an implicit step ending at t integrates) or at t. */
PetscReal PhSignalAt_Private(const PhSignal *s, PetscReal t, PetscBool left)
{
  return PhSignalEvaluate(s, left ? t - 1e-9 * PetscMax(PetscAbsReal(t), 1e-6) : t); /* well beyond the 1e-12 a row time is matched to */
}

/**
  @brief Power of every source at time t, with its leakage at the temperatures T (DESIGN §3.6).

  Collective (one reduction for the mean temperatures of all leaking sources).

  @param[in]  thermal the model
  @param[in]  t       time, s
  @param[in]  T       temperatures, K (NULL: the model's own state)
  @param[in]  left    value on the interval ending at t (for steps) rather than at t
  @param[out] power   total power of each source (signal plus leakage), W
  @param[out] leakage leakage part of each source, W (may be NULL)
**/
PetscErrorCode PhThermalSourcePowers(PhThermal th, PetscReal t, Vec T, PetscBool left, PetscReal power[], PetscReal leakage[])
{
  PhCase               pb = th->problem;
  PetscInt             ns = pb->nsources;
  PetscReal           *mean;
  const PetscScalar ***tv, ***vol;

  PetscFunctionBeginUser;
  for (PetscInt s = 0; s < ns; s++) {
    power[s] = th->fixed_power != NULL ? th->fixed_power[s] : PhSignalAt_Private(&pb->sources[s].power, t, left);
    if (leakage != NULL) leakage[s] = 0;
  }
  if (!th->leakage) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscCalloc1(ns, &mean));
  if (T == NULL && th->reduced != NULL) PetscCall(PhThermalReducedSourceIntegrals_Private(th, mean)); /* the reduced state */
  else {
    if (T == NULL) T = th->T;
    PetscCall(DMDAVecGetArrayRead(th->da, T, &tv));
    PetscCall(DMDAVecGetArrayRead(th->da, th->volume, &vol));
    for (PetscInt s = 0; s < ns; s++) {
      const PhIndexBox b = PhIndexBoxIntersect(&th->src_box[s], &th->owned);

      if (!pb->sources[s].has_leakage) continue;
      PH_BOX_FOR(b, i, j, k) mean[s] += PetscRealPart(tv[k][j][i] * vol[k][j][i]);
    }
    PetscCall(DMDAVecRestoreArrayRead(th->da, th->volume, &vol));
    PetscCall(DMDAVecRestoreArrayRead(th->da, T, &tv));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mean, (PetscMPIInt)ns, MPIU_REAL, MPIU_SUM, th->comm));
  }
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
  PhCase               pb = th->problem;
  PetscScalar       ***bv;
  const PetscScalar ***vol;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArray(th->da, b, &bv));
  PetscCall(DMDAVecGetArrayRead(th->da, th->volume, &vol));
  for (PetscInt s = 0; s < pb->nsources; s++) {
    const PhIndexBox box     = PhIndexBoxIntersect(&th->src_box[s], &th->owned);
    const PetscReal  density = power[s] / th->src_volume[s];

    PH_BOX_FOR(box, i, j, k) bv[k][j][i] += density * vol[k][j][i];
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, th->volume, &vol));
  PetscCall(DMDAVecRestoreArray(th->da, b, &bv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The right-hand side b(t, T): source heat (with leakage at T), extra heat, G * T_ambient on convection and
  temperature faces, flux * area on flux faces. `left` evaluates time signals on the interval ending at t.
**/
PetscErrorCode PhThermalRHS_Private(PhThermal th, PetscReal t, Vec T, PetscBool left, Vec b)
{
  PetscReal     *power;
  PetscScalar ***bv;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_SOURCES, 0, 0, 0, 0));
  PetscCall(VecSet(b, 0));
  PetscCall(PetscMalloc1(PetscMax(th->problem->nsources, 1), &power));
  PetscCall(PhThermalSourcePowers(th, t, T, left, power, NULL));
  PetscCall(PhThermalAddSourceHeat_Private(th, power, b));
  PetscCall(PetscFree(power));
  if (th->extra != NULL) PetscCall(VecAXPY(b, 1.0, th->extra));
  PetscCall(PhThermalPlatesUpdate_Private(th, t, T, left));
  PetscCall(DMDAVecGetArray(th->da, b, &bv));
  for (PetscInt p = 0; p < th->npatches; p++) {
    const PhPatch  *pa = &th->patches[p];
    const PetscReal v  = PhSignalAt_Private(&pa->bc->value, t, left);

    if (pa->bc->type == PH_BC_ADIABATIC || pa->bc->type == PH_BC_COLD_PLATE) continue;
    for (PetscInt c = 0; c < pa->n; c++) bv[pa->cell[c][2]][pa->cell[c][1]][pa->cell[c][0]] += pa->g[c] * v;
  }
  for (PetscInt c = 0; c < th->ncavities; c++) { /* m cp times the inlet temperature, into the inlet cells of each cavity */
    const PhCavity *cv    = &th->cavities[c];
    const PetscReal inlet = PhSignalAt_Private(&cv->ch->inlet, t, left);
    PetscScalar    *flat  = &bv[th->owned.lo[2]][th->owned.lo[1]][th->owned.lo[0]];

    for (PetscInt q = 0; q < cv->ninlet; q++) flat[cv->inlet[q]] += cv->inlet_w[q] * inlet;
  }
  for (PetscInt q = 0; q < th->nplates; q++) { /* g times the coolant under each plate cell */
    const PhPlate *pl = &th->plates[q];

    for (PetscInt c = 0; pl->patch != NULL && c < pl->patch->n; c++) {
      const PetscInt i = pl->patch->cell[c][0], j = pl->patch->cell[c][1], k = pl->patch->cell[c][2];

      bv[k][j][i] += pl->patch->g[c] * pl->theta[pl->bc->axis == 0 ? i + pl->na * j : j + pl->na * i];
    }
  }
  PetscCall(DMDAVecRestoreArray(th->da, b, &bv));
  PetscCall(PetscLogEventEnd(PH_EVENT_SOURCES, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The heat rates of the energy balance at state T and time t: generated, out through the boundary, flux in.

  Collective. `residual` is left 0 (the integrator fills it).
**/
PetscErrorCode PhThermalRates(PhThermal th, PetscReal t, Vec T, PetscBool left, PhHeatRates *rates)
{
  PhCase               pb = th->problem;
  PetscReal           *power, local[2] = {0, 0};
  const PetscScalar ***tv;

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
  PetscCall(PhThermalPlatesUpdate_Private(th, t, T, left));
  for (PetscInt q = 0; q < th->nplates; q++) rates->out += th->plates[q].heat; /* the heat the coolant carries away */
  PetscCall(PhThermalCavitiesUpdate_Private(th, t, T, left));
  for (PetscInt c = 0; c < th->ncavities; c++) rates->out += th->cavities[c].heat; /* the heat a cavity's coolant carries out */
  PetscCall(DMDAVecGetArrayRead(th->da, T, &tv));
  for (PetscInt p = 0; p < th->npatches; p++) {
    const PhPatch  *pa = &th->patches[p];
    const PetscReal v  = PhSignalAt_Private(&pa->bc->value, t, left);

    if (pa->bc->type == PH_BC_FLUX)
      for (PetscInt c = 0; c < pa->n; c++) local[1] += pa->g[c] * v;
    else if (pa->bc->type != PH_BC_ADIABATIC && pa->bc->type != PH_BC_COLD_PLATE)
      for (PetscInt c = 0; c < pa->n; c++) local[0] += pa->g[c] * (PetscRealPart(tv[pa->cell[c][2]][pa->cell[c][1]][pa->cell[c][0]]) - v);
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, T, &tv));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, local, 2, MPIU_REAL, MPIU_SUM, th->comm));
  rates->out += local[0];
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
static PetscErrorCode PhThermalSteadyKSP(PhThermal th, PetscReal t)
{
  PC  pc;
  Mat op;

  PetscFunctionBeginUser;
  PetscCall(PhThermalSetShift_Private(th, 0.0));
  PetscCall(PhThermalOperator_Private(th, t, PETSC_FALSE, &op));
  if (th->ksp == NULL) {
    PetscCall(KSPCreate(th->comm, &th->ksp));
    PetscCall(KSPSetOperators(th->ksp, op, th->A));
    PetscCall(PhThermalConfigureKSP_Private(th, th->ksp, PETSC_TRUE));
    PetscCall(KSPSetFromOptions(th->ksp));
  }
  PetscCall(KSPGetPC(th->ksp, &pc));
  PetscCall(PCSetReusePreconditioner(pc, PETSC_FALSE)); /* the conductances may have been assembled again since */
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
  PetscCall(PhThermalSteadyKSP(th, th->t));
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

  The Picard iterations are inexact while the iterate still moves: each solve stops at PH_PICARD_FORCING of the last
  step's relative change (the first at 1e-4), above the solver's own tolerance, and the iterations end only after a
  solve at the solver's own tolerance has moved the field by less than 1e-9 of the rise. When a step does not halve
  the change, the remaining solves are all made at the solver's tolerance.

  Collective. Fails (exit 1) on runaway or when 50 iterations do not converge.
**/
PetscErrorCode PhThermalSolveSteady(PhThermal th, PetscReal t, Vec T)
{
  Vec       theta, previous;
  PetscBool nonlinear = (PetscBool)(th->nonlinear_k || th->leakage), inexact = nonlinear;
  PetscReal rtol0, atol0, dtol0, last = 0.1;
  PetscInt  maxit0;

  PetscFunctionBeginUser;
  PetscCall(PhThermalSteadyKSP(th, t));
  PetscCall(KSPGetTolerances(th->ksp, &rtol0, &atol0, &dtol0, &maxit0));
  PetscCall(VecDuplicate(T, &theta));
  PetscCall(VecDuplicate(T, &previous));
  for (PetscInt it = 0;; it++) {
    KSPConvergedReason reason;
    PetscReal          change, rise, rtol = inexact ? PetscMax(rtol0, PH_PICARD_FORCING * last) : rtol0;

    PetscCheck(it < PH_PICARD_MAX_ITERATIONS, th->comm, PETSC_ERR_NOT_CONVERGED,
               "steady state at t = %.6g s: the k(T)/leakage iteration did not converge in %d iterations (thermal runaway?)", (double)t,
               PH_PICARD_MAX_ITERATIONS);
    PetscCall(VecCopy(T, previous));
    if (th->nonlinear_k) {
      PetscCall(PhThermalAssemble_Private(th, T));
      PetscCall(KSPSetOperators(th->ksp, th->J ? th->J : th->A, th->A));
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
    if (th->J != NULL) { /* the coolant's part of b at T, g theta_f(T - T_ref; inlet 0), moves to the operator J: b += (J - A) theta */
      PetscCall(MatMult(th->J, theta, th->work));
      PetscCall(VecAXPY(th->rhs, 1.0, th->work));
      PetscCall(MatMult(th->A, theta, th->work));
      PetscCall(VecAXPY(th->rhs, -1.0, th->work));
    }
    if (it == 0) { /* the first solve starts from T when its residual is below the zero field's (T is the last solution of
                      another power, a locking step, or the state the run starts from) */
      Mat       op;
      PetscReal rnorm, bnorm;

      PetscCall(KSPGetOperators(th->ksp, &op, NULL));
      PetscCall(MatMult(op, theta, th->work));
      PetscCall(VecAYPX(th->work, -1.0, th->rhs));
      PetscCall(VecNorm(th->work, NORM_2, &rnorm));
      PetscCall(VecNorm(th->rhs, NORM_2, &bnorm));
      PetscCall(KSPSetInitialGuessNonzero(th->ksp, rnorm < bnorm ? PETSC_TRUE : PETSC_FALSE));
      if (rnorm >= bnorm) PetscCall(VecSet(theta, 0.0));
    } else PetscCall(KSPSetInitialGuessNonzero(th->ksp, PETSC_TRUE));
    PetscCall(KSPSetTolerances(th->ksp, rtol, atol0, dtol0, maxit0));
    PetscCall(KSPSolve(th->ksp, th->rhs, theta));
    PetscCall(KSPSetTolerances(th->ksp, rtol0, atol0, dtol0, maxit0));
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
    change /= PetscMax(rise, 1e-3);
    if (change <= PH_PICARD_TOLERANCE && rtol == rtol0) break;
    if (it > 0 && change > 0.5 * last) inexact = PETSC_FALSE; /* not contracting: every solve at the solver's tolerance */
    last = change;
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
  if (th->sg != NULL) PetscCall(VecCopy(th->work, th->sdiag));
  th->shift = shift;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  y = A x as a 7-point stencil: the diagonal and the three faces of each cell's high side, 32 bytes a cell where the
  sparse matrix reads about 90 (seven values, their column indices and a row offset). The sums are those of MatMult()
  on A, in another order.
*/
static PetscErrorCode PhThermalStencilMult(Mat S, Vec x, Vec y)
{
  PhThermal          th;
  const PetscScalar *xg, *d;
  PetscScalar       *yv;
  PetscInt           sy, sz, mx, my, mz, nx;
  const PetscReal   *G, *zero;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(S, &th));
  sy = th->ghost.hi[0] - th->ghost.lo[0], sz = sy * (th->ghost.hi[1] - th->ghost.lo[1]);
  mx = th->info.mx, my = th->info.my, mz = th->info.mz, G = th->sg, nx = th->owned.hi[0] - th->owned.lo[0];
  zero = th->sg + 3 * PhIndexBoxCount(&th->ghost); /* a row of zero faces, for the rows at the y and z ends of the mesh */
  PetscCall(DMGlobalToLocalBegin(th->da, x, INSERT_VALUES, th->slocal));
  PetscCall(DMGlobalToLocalEnd(th->da, x, INSERT_VALUES, th->slocal));
  PetscCall(VecGetArrayRead(th->slocal, &xg));
  PetscCall(VecGetArrayRead(th->sdiag, &d));
  PetscCall(VecGetArray(y, &yv));
  for (PetscInt k = th->owned.lo[2]; k < th->owned.hi[2]; k++)
    for (PetscInt j = th->owned.lo[1]; j < th->owned.hi[1]; j++) {
      const PetscInt     g0 = PhIndexBoxOffset(&th->ghost, th->owned.lo[0], j, k), o0 = PhIndexBoxOffset(&th->owned, th->owned.lo[0], j, k);
      const PetscInt     i0 = th->owned.lo[0] == 0 ? 1 : 0, i1 = th->owned.hi[0] == mx ? nx - 1 : nx; /* the cells with both x neighbours */
      const PetscScalar *xr = xg + g0, *xs = j > 0 ? xr - sy : xr, *xn = j < my - 1 ? xr + sy : xr, *xb = k > 0 ? xr - sz : xr,
                        *xt = k < mz - 1 ? xr + sz : xr;
      const PetscReal *gr = G + 3 * g0, *gs = j > 0 ? gr - 3 * sy : zero, *gn = j < my - 1 ? gr : zero, *gb = k > 0 ? gr - 3 * sz : zero,
                      *gt   = k < mz - 1 ? gr : zero;
      const PetscScalar *dr = d + o0;
      PetscScalar       *yr = yv + o0;

      for (PetscInt i = i0; i < i1; i++)
        yr[i] = dr[i] * xr[i] - gr[3 * (i - 1)] * xr[i - 1] - gr[3 * i] * xr[i + 1] - gs[3 * i + 1] * xs[i] - gn[3 * i + 1] * xn[i] -
                gb[3 * i + 2] * xb[i] - gt[3 * i + 2] * xt[i];
      for (PetscInt i = 0; i < nx; i += PetscMax(nx - 1, 1)) { /* the first and the last cell, with their x neighbours as there are */
        PetscScalar v = dr[i] * xr[i] - gs[3 * i + 1] * xs[i] - gn[3 * i + 1] * xn[i] - gb[3 * i + 2] * xb[i] - gt[3 * i + 2] * xt[i];

        if (th->owned.lo[0] + i > 0) v -= gr[3 * (i - 1)] * xr[i - 1];
        if (th->owned.lo[0] + i < mx - 1) v -= gr[3 * i] * xr[i + 1];
        yr[i] = v;
      }
    }
  PetscCall(VecRestoreArray(y, &yv));
  PetscCall(VecRestoreArrayRead(th->sdiag, &d));
  PetscCall(VecRestoreArrayRead(th->slocal, &xg));
  PetscCall(PetscLogFlops(13.0 * PhIndexBoxCount(&th->owned)));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhThermalStencilDiagonal(Mat S, Vec d)
{
  PhThermal th;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(S, &th));
  PetscCall(VecCopy(th->sdiag, d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A shell matrix of A's sizes, with the model as its context. */
PetscErrorCode PhThermalCreateShell_Private(PhThermal th, Mat *S)
{
  PetscInt m, n, M, N;

  PetscFunctionBeginUser;
  PetscCall(MatGetLocalSize(th->A, &m, &n));
  PetscCall(MatGetSize(th->A, &M, &N));
  PetscCall(MatCreateShell(th->comm, m, n, M, N, th, S));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The operator of the linear solves of a case without coolant: A as a stencil (S) unless -ph_stencil false, else A. */
PetscErrorCode PhThermalDryOperator_Private(PhThermal th, Mat *op)
{
  PetscFunctionBeginUser;
  if (th->sg == NULL) {
    *op = th->A;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (th->S == NULL) {
    PetscCall(PhThermalCreateShell_Private(th, &th->S));
    PetscCall(MatShellSetOperation(th->S, MATOP_MULT, (void (*)(void))PhThermalStencilMult));
    PetscCall(MatShellSetOperation(th->S, MATOP_MULT_TRANSPOSE, (void (*)(void))PhThermalStencilMult));
    PetscCall(MatShellSetOperation(th->S, MATOP_GET_DIAGONAL, (void (*)(void))PhThermalStencilDiagonal));
    PetscCall(MatSetOption(th->S, MAT_SYMMETRIC, PETSC_TRUE));
    PetscCall(MatSetOption(th->S, MAT_SPD, PETSC_TRUE));
  }
  *op = th->S;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Free the stencil form of A (-ph_stencil false, or the end of the model). */
PetscErrorCode PhThermalStencilDestroy_Private(PhThermal th)
{
  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&th->S));
  PetscCall(PetscFree(th->sg));
  PetscCall(VecDestroy(&th->sdiag));
  PetscCall(VecDestroy(&th->slocal));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* y = A x, the conductance matrix without the integrator's shift. */
PetscErrorCode PhThermalMultA_Private(PhThermal th, Vec x, Vec y)
{
  Mat op;

  PetscFunctionBeginUser;
  PetscCall(PhThermalDryOperator_Private(th, &op));
  PetscCall(MatMult(op, x, y));
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
  *owned = th->owned;
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
  PetscCall(PhThermalPlatesDestroy_Private(th));
  PetscCall(PhThermalCavitiesDestroy_Private(th));
  PetscCall(PetscFree2(th->src_box, th->src_volume));
  PetscCall(PetscFree(th->gmat));
  PetscCall(PetscFree3(th->rhalf, th->diag_bc, th->knl));
  PetscCall(PhThermalDestroyState_Private(th));
  PetscCall(PhThermalReducedDestroy_Private(th));
  PetscCall(PhThermalDestroy(&th->check));
  PetscCall(PetscFree(th->model_path));
  PetscCall(PetscFree(th->cache_dir));
  PetscCall(PetscFree(th->report));
  PetscCall(VecDestroy(&th->extra));
  PetscCall(PetscFree3(th->entry_cell, th->entry_input, th->entry_w));
  PetscCall(PetscFree3(th->input_w, th->input_power, th->input_amp));
  PetscCall(KSPDestroy(&th->ksp));
  PetscCall(MatDestroy(&th->A));
  PetscCall(PhThermalStencilDestroy_Private(th));
  PetscCall(MatDestroy(&th->Psym));
  PetscCall(VecDestroy(&th->adiag));
  PetscCall(VecDestroy(&th->gbc));
  PetscCall(VecDestroy(&th->Tabs));
  PetscCall(VecDestroy(&th->Tk));
  PetscCall(VecDestroy(&th->capacity));
  PetscCall(VecDestroy(&th->volume));
  PetscCall(VecDestroy(&th->work));
  PetscCall(VecDestroy(&th->rhs));
  PetscCall(VecDestroy(&th->Tlocal));
  PetscCall(DMDestroy(&th->da));
  PetscCall(PetscFree(*thermal));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Micro-channel cavities (README.md, Thermal model; cases/README.md section 9.6): the 4-resistor model of a layer of
  channels between the tiers of a stack. The channels and the walls between them are cells of the grid. A fluid cell
  does not conduct; it exchanges heat with the solid cells around it through the heat-transfer coefficient of that
  wall (in series with the solid's half cell), and carries heat downstream by first-order upwind advection: its row
  holds m cp (T - T_upstream), m cp being its stream's share of the cavity's flow. The operator is not symmetric; its
  rows still sum to the boundary conductances (the inlet cells' m cp), so the energy balance holds exactly.
*/
#include "thermal_impl.h"

/* How much more a floor or ceiling cell over a porous cell conducts to its neighbour over the same porous cell than the
   coolant strip exchanges with it: the two act as one surface, which both phases touch (3D-ICE's wall nodes). */
#define PH_POROUS_TIE 100.0

/* The share of a porous cavity's strip that its phase fills: its volume, and its area along the flow and facing the
   tiers, over the strip's (half a porous cell). */
static inline PetscReal PhPorousShare(const PhChannels *ch, PetscBool fluid)
{
  return 2 * (fluid ? ch->porosity : 1 - ch->porosity);
}

/* The m cp (W/K) of a cavity's whole flow at time t. */
static PetscReal PhCavityCapacity(PhThermal th, const PhChannels *ch)
{
  const PhMaterial *m    = &th->problem->materials[ch->coolant];
  PetscReal         flow = PhSignalEvaluate(&ch->flow, 0);

  if (ch->flow_volumetric) flow *= m->rho;
  return PetscMax(flow, 0) * m->cp;
}

/**
  Find the fluid cells of every micro-channel layer, the m cp of each (its cross-section's share of the flow) and the
  owned inlet and outlet cells. Not collective.
**/
PetscErrorCode PhThermalCavitiesCreate_Private(PhThermal th)
{
  PhCase           pb = th->problem;
  const PetscReal *line[3];
  PetscInt        *cav_of_layer, ng = PhIndexBoxCount(&th->ghost);

  PetscFunctionBeginUser;
  for (PetscInt l = 0; l < pb->nlayers; l++) th->ncavities += pb->layers[l].channels != NULL;
  if (th->ncavities == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  PetscCall(PetscCalloc1(th->ncavities, &th->cavities));
  PetscCall(PetscMalloc1(pb->nlayers, &cav_of_layer));
  for (PetscInt l = 0, c = 0; l < pb->nlayers; l++) {
    cav_of_layer[l] = -1;
    if (pb->layers[l].channels == NULL) continue;
    cav_of_layer[l]          = c;
    th->cavities[c].layer    = l;
    th->cavities[c].ch       = pb->layers[l].channels;
    th->cavities[c].capacity = PhCavityCapacity(th, pb->layers[l].channels);
    c++;
  }
  PetscCall(PetscMalloc3(ng, &th->gfluid, ng, &th->gmcp, 2 * ng, &th->gtie));
  PetscCall(PetscArrayzero(th->gtie, 2 * ng));
  PetscCall(PhMeshFillChannels(th->mesh, &th->ghost, th->gfluid));
  PH_BOX_FOR(th->ghost, i, j, k) {
    const PetscInt g = PhIndexBoxOffset(&th->ghost, i, j, k);

    th->gmcp[g] = 0;
    if (th->gfluid[g] < 0) continue;
    th->gfluid[g] = cav_of_layer[th->gfluid[g]];
    {
      const PhCavity *cv     = &th->cavities[th->gfluid[g]];
      const PetscInt  ijk[3] = {i, j, k}, across = 1 - cv->ch->axis;
      const PetscReal area  = (line[across][ijk[across] + 1] - line[across][ijk[across]]) * (line[2][k + 1] - line[2][k]);
      const PhLayer  *layer = &pb->layers[cv->layer];
      const PetscReal total = cv->ch->nchannels * cv->ch->width * (layer->z1 - layer->z0);

      th->gmcp[g] = cv->capacity * area / total;
    }
  }
  PetscCall(PetscFree(cav_of_layer));
  for (PetscInt c = 0; c < th->ncavities; c++) { /* the solid strips of a porous cavity: -2 - c; each phase's heat capacity */
    const PhChannels *ch = th->cavities[c].ch;
    PhIndexBox        box, own;
    PetscScalar    ***cap;

    if (ch->model == PH_CAVITY_4RM) continue;
    PetscCall(PhMeshGetLayerBox(th->mesh, th->cavities[c].layer, &box));
    own = PhIndexBoxIntersect(&box, &th->owned);
    box = PhIndexBoxIntersect(&box, &th->ghost);
    PH_BOX_FOR(box, i, j, k) {
      const PetscInt g = PhIndexBoxOffset(&th->ghost, i, j, k);

      if (th->gfluid[g] < 0) th->gfluid[g] = -2 - c;
    }
    PetscCall(DMDAVecGetArray(th->da, th->capacity, &cap));
    PH_BOX_FOR(own, i, j, k) cap[k][j][i] *= PhPorousShare(ch, th->gfluid[PhIndexBoxOffset(&th->ghost, i, j, k)] >= 0);
    PetscCall(DMDAVecRestoreArray(th->da, th->capacity, &cap));
    /* the floor and ceiling over a coolant strip's cell next to its solid strip: tied across to the cell over the solid */
    PH_BOX_FOR(box, i, j, k) {
      const PetscInt across = 1 - ch->axis, ijk[3] = {i, j, k};
      PetscInt       nb[3] = {i, j, k};

      nb[across]++;
      if (th->gfluid[PhIndexBoxOffset(&th->ghost, i, j, k)] != c || nb[across] >= th->ghost.hi[across]) continue;
      if (th->gfluid[PhIndexBoxOffset(&th->ghost, nb[0], nb[1], nb[2])] != -2 - c) continue;
      for (PetscInt s = -1; s <= 1; s += 2) {
        const PetscReal foot = (line[across][ijk[across] + 1] - line[across][ijk[across]]) *
                               (line[ch->axis][ijk[ch->axis] + 1] - line[ch->axis][ijk[ch->axis]]);

        if (k + s < th->ghost.lo[2] || k + s >= th->ghost.hi[2]) continue;
        th->gtie[2 * PhIndexBoxOffset(&th->ghost, i, j, k + s) + across] = PH_POROUS_TIE * PetscMax(ch->h_top, ch->h_bottom) *
                                                                           PhPorousShare(ch, PETSC_TRUE) * foot;
      }
    }
  }
  for (PetscInt c = 0; c < th->ncavities; c++) {
    PhCavity      *cv = &th->cavities[c];
    const PetscInt ax = cv->ch->axis, n[3] = {th->info.mx, th->info.my, th->info.mz};
    const PetscInt first = cv->ch->sign > 0 ? 0 : n[ax] - 1, last = cv->ch->sign > 0 ? n[ax] - 1 : 0;

    for (int pass = 0; pass < 2; pass++) {
      cv->ninlet = cv->noutlet = 0;
      PH_BOX_FOR(th->owned, i, j, k) {
        const PetscInt ijk[3] = {i, j, k}, g = PhIndexBoxOffset(&th->ghost, i, j, k);

        if (th->gfluid[g] != c) continue;
        if (ijk[ax] == first) {
          if (pass) {
            cv->inlet[cv->ninlet]   = PhIndexBoxOffset(&th->owned, i, j, k);
            cv->inlet_w[cv->ninlet] = th->gmcp[g];
          }
          cv->ninlet++;
        }
        if (ijk[ax] == last) {
          if (pass) {
            cv->outlet[cv->noutlet]   = PhIndexBoxOffset(&th->owned, i, j, k);
            cv->outlet_w[cv->noutlet] = th->gmcp[g];
          }
          cv->noutlet++;
        }
      }
      if (!pass)
        PetscCall(PetscMalloc4(PetscMax(cv->ninlet, 1), &cv->inlet, PetscMax(cv->ninlet, 1), &cv->inlet_w, PetscMax(cv->noutlet, 1), &cv->outlet,
                               PetscMax(cv->noutlet, 1), &cv->outlet_w));
    }
    cv->na = n[ax];
    PetscCall(PetscCalloc2(cv->na + 1, &cv->position, cv->na + 1, &cv->profile));
    for (PetscInt s = 0; s <= cv->na; s++) cv->position[s] = line[ax][cv->ch->sign > 0 ? s : cv->na - s];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The conductance (W/K) of the face across direction d on side `side` (-1 low, +1 high) of ghosted cell g towards its
  neighbour gn, when either holds coolant or the solid of a porous cavity: a fluid cell takes the coolant of its
  upstream neighbour (m cp in its own row, nothing in the upstream cell's row: upwind advection) and conducts to no
  other fluid cell; between a fluid and a solid cell above or below, the wall's h in series with the solid's half
  cell; across the flow, the 4-resistor model's side walls likewise, while a porous cavity's coolant strip exchanges
  h_side times the wetted area of its porous cell's walls or pins with the solid strip on its high side only, nothing
  with the solid strip of the porous cell below it, and the pins' solid does not conduct along the flow. A porous
  cavity's strips reach the tiers through the tier's half cell over the whole porous cell (half the strip cell's
  resistance: the floor and ceiling cells over a porous cell are tied into one surface, PH_POROUS_TIE). r_self and r_nb are the half-cell resistances
  across d (m^2 K/W). Returns -1 when the face is an ordinary solid one.
*/
PetscReal PhThermalFluidFace_Private(PhThermal th, PetscInt g, PetscInt gn, PetscInt d, PetscInt side, PetscReal area, PetscReal r_self,
                                     PetscReal r_nb)
{
  const PetscInt fa = th->gfluid[g], fb = th->gfluid[gn];
  PetscInt       c;
  PetscReal      h;

  if (fa < 0 && fb < 0) {
    const PetscInt sa = fa <= -2 ? -2 - fa : -1, sb = fb <= -2 ? -2 - fb : -1;

    if (sa < 0 && sb < 0) { /* ordinary cells; the floor or ceiling over a porous cell is tied across its two strips */
      const PetscReal tie = d < 2 ? th->gtie[2 * (side > 0 ? g : gn) + d] : 0;

      return tie > 0 ? area / (r_self + r_nb) + tie : -1;
    }
    if (d == 2) { /* a solid strip and a tier: the strip's half cell over the walls' or pins' share of the area */
      const PetscReal sh = PhPorousShare(th->cavities[sa >= 0 ? sa : sb].ch, PETSC_FALSE);

      return area / (sa >= 0 ? r_self / sh + 0.5 * r_nb : 0.5 * r_self + r_nb / sh);
    }
    if (sa != sb) return -1; /* not met: a porous cavity spans the footprint */
    /* two cells of a porous cavity's solid strips: across the flow they are in the same porous cell (a strip split by
       grid lines) and conduct; along it the walls conduct and the pins, apart, do not */
    if (th->cavities[sa].ch->model == PH_CAVITY_PINFIN && d == th->cavities[sa].ch->axis) return 0;
    return PhPorousShare(th->cavities[sa].ch, PETSC_FALSE) * area / (r_self + r_nb);
  }
  if (fa >= 0 && fb >= 0) {
    const PhChannels *ch = th->cavities[fa].ch;

    return fa == fb && d == ch->axis && side == -ch->sign ? th->gmcp[g] : 0;
  }
  c = fa >= 0 ? fa : fb;
  if (d < 2 && th->cavities[c].ch->model != PH_CAVITY_4RM) {
    const PhChannels *ch    = th->cavities[c].ch;
    const PetscInt    other = fa >= 0 ? fb : fa, fside = fa >= 0 ? side : -side; /* the solid's side of the coolant */
    const PhLayer    *layer = &th->problem->layers[th->cavities[c].layer];

    if (d == ch->axis || other != -2 - c || fside < 0) return 0;
    return ch->h_side * ch->side_area * ch->cell * area / (layer->z1 - layer->z0);
  }
  if (d < 2) h = th->cavities[c].ch->h_side;
  else if (fa >= 0) h = side < 0 ? th->cavities[c].ch->h_bottom : th->cavities[c].ch->h_top; /* the fluid's floor or ceiling */
  else h = side > 0 ? th->cavities[c].ch->h_bottom : th->cavities[c].ch->h_top;              /* a solid cell under or over the fluid */
  if (th->cavities[c].ch->model != PH_CAVITY_4RM && d == 2) /* the wetted floor or ceiling, reached through the tier over the porous cell */
    return area / (0.5 * (fa >= 0 ? r_nb : r_self) + 1.0 / (h * PhPorousShare(th->cavities[c].ch, PETSC_TRUE)));
  return area / ((fa >= 0 ? r_nb : r_self) + 1.0 / h);
}

/* The coolant of every cavity at temperatures T (NULL: 0) with inlet[c] the inlet of cavity c: the flow-weighted mean
   coolant along the flow (the inlet, then each fluid cell's temperature, which upwind advection makes the coolant's at
   the cell's downstream edge), the outlet and the heat m cp (outlet - inlet); linear in (T, inlet). Collective. */
static PetscErrorCode PhCavitiesProfile(PhThermal th, Vec T, const PetscReal inlet[])
{
  const PetscScalar ***tv = NULL;

  PetscFunctionBeginUser;
  if (T != NULL) PetscCall(DMDAVecGetArrayRead(th->da, T, &tv));
  for (PetscInt c = 0; c < th->ncavities; c++) {
    PhCavity      *cv = &th->cavities[c];
    const PetscInt ax = cv->ch->axis;

    PetscCall(PetscArrayzero(cv->profile, cv->na + 1));
    PH_BOX_FOR(th->owned, i, j, k) {
      const PetscInt ijk[3] = {i, j, k}, g = PhIndexBoxOffset(&th->ghost, i, j, k);

      if (th->gfluid[g] != c || tv == NULL) continue;
      cv->profile[1 + (cv->ch->sign > 0 ? ijk[ax] : cv->na - 1 - ijk[ax])] += th->gmcp[g] * PetscRealPart(tv[k][j][i]);
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, cv->profile, (PetscMPIInt)(cv->na + 1), MPIU_REAL, MPIU_SUM, th->comm));
    cv->profile[0] = inlet[c];
    for (PetscInt s = 1; s <= cv->na; s++) cv->profile[s] = cv->capacity > 0 ? cv->profile[s] / cv->capacity : inlet[c];
    cv->heat = cv->capacity * (cv->profile[cv->na] - inlet[c]);
  }
  if (T != NULL) PetscCall(DMDAVecRestoreArrayRead(th->da, T, &tv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The state of every cavity's coolant at temperatures T and time t (PhCavitiesProfile() with the inlets of time t).
  Collective.
**/
PetscErrorCode PhThermalCavitiesUpdate_Private(PhThermal th, PetscReal t, Vec T, PetscBool left)
{
  PetscReal *inlet;

  PetscFunctionBeginUser;
  if (th->ncavities == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc1(th->ncavities, &inlet));
  for (PetscInt c = 0; c < th->ncavities; c++) inlet[c] = PhSignalAt_Private(&th->cavities[c].ch->inlet, t, left);
  PetscCall(PhCavitiesProfile(th, T, inlet));
  PetscCall(PetscFree(inlet));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  For the reduced model: the coolant of every cavity for the rise x (K above T_ref; NULL: zero) and every inlet
  `inlet` K above T_ref, relative to T_ref (the profile and the heat, PhCavitiesProfile(), linear in both). With
  `column` non-NULL, column[c] (a field, or NULL) gets the inlet's input column of cavity c: the m cp of each inlet
  cell, the heat the coolant brings into it per kelvin of inlet. Collective.
**/
PetscErrorCode PhThermalCavitiesResponse_Private(PhThermal th, Vec x, PetscReal inlet, Vec column[])
{
  PetscReal *in;

  PetscFunctionBeginUser;
  if (th->ncavities == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc1(th->ncavities, &in));
  for (PetscInt c = 0; c < th->ncavities; c++) in[c] = inlet;
  PetscCall(PhCavitiesProfile(th, x, in));
  PetscCall(PetscFree(in));
  for (PetscInt c = 0; column != NULL && c < th->ncavities; c++) {
    const PhCavity *cv = &th->cavities[c];
    PetscScalar    *f;

    if (column[c] == NULL) continue;
    PetscCall(VecSet(column[c], 0.0));
    PetscCall(VecGetArray(column[c], &f));
    for (PetscInt q = 0; q < cv->ninlet; q++) f[cv->inlet[q]] += cv->inlet_w[q];
    PetscCall(VecRestoreArray(column[c], &f));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalCavitiesDestroy_Private(PhThermal th)
{
  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < th->ncavities; c++) {
    PhCavity *cv = &th->cavities[c];

    PetscCall(PetscFree4(cv->inlet, cv->inlet_w, cv->outlet, cv->outlet_w));
    PetscCall(PetscFree2(cv->position, cv->profile));
  }
  PetscCall(PetscFree(th->cavities));
  PetscCall(PetscFree3(th->gfluid, th->gmcp, th->gtie));
  th->ncavities = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The preconditioner of a case with cavities: a block factorisation of the operator into its coolant cells (f) and the
  rest (s). The coolant rows A_ff (diagonal and upstream coupling) are solved exactly by one sweep along every stream
  in flow order, z_i = (r_i + m cp z_upstream) / d_i; the rest by the multigrid of Psym, the operator without the
  upstream couplings (the coolant as a sink at its own temperature: symmetric, and its coolant cells eliminated it is
  A_ss - A_sf D_ff^-1 A_fs, the Schur complement with the advection left out). One application:
    y = sweep(r);  y += MG(r - A y);  y += sweep(r - A y)
  which is the exact block solve when the multigrid is exact and the advection's share of the Schur complement is
  dropped. Each rank sweeps its own part of a stream (an upstream cell on another rank contributes nothing).
*/
typedef struct {
  PhThermal  th;
  PC         inner; /* the multigrid of Psym */
  Vec        t, w;  /* work */
  PetscInt   nzero; /* the upstream couplings of the owned fluid cells: global row and column */
  PetscInt  *zrow, *zcol;
  PetscInt   n;        /* owned fluid cells */
  PetscInt  *cell;     /* [n] their offsets in th->owned, in flow order along every stream */
  PetscInt  *upstream; /* [n] the position in `cell` of the upstream cell, or -1 */
  PetscReal *mcp;      /* [n] the upstream coupling, W/K */
  PetscReal *diag;     /* [n] the diagonal of the operator, W/K */
} PhFluidSweep;

typedef struct {
  PetscInt  offset;
  PetscReal key;
} PhFluidOrder;

static int PhFluidOrderCompare(const void *a, const void *b)
{
  const PetscReal ka = ((const PhFluidOrder *)a)->key, kb = ((const PhFluidOrder *)b)->key;

  return ka < kb ? -1 : (ka > kb ? 1 : 0);
}

/* Psym: A (with its present shift) without the upstream couplings of the coolant cells. */
static PetscErrorCode PhCoolantRefreshPsym(PhFluidSweep *fs)
{
  PhThermal th = fs->th;

  PetscFunctionBeginUser;
  if (th->Psym == NULL) PetscCall(MatDuplicate(th->A, MAT_COPY_VALUES, &th->Psym));
  else PetscCall(MatCopy(th->A, th->Psym, SAME_NONZERO_PATTERN));
  for (PetscInt q = 0; q < fs->nzero; q++) PetscCall(MatSetValue(th->Psym, fs->zrow[q], fs->zcol[q], 0.0, INSERT_VALUES));
  PetscCall(MatAssemblyBegin(th->Psym, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(th->Psym, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(th->Psym, MAT_SYMMETRIC, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhFluidSweepSetUp(PC pc)
{
  PhFluidSweep      *fs;
  Mat                A, P;
  Vec                d;
  const PetscScalar *dv;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &fs));
  PetscCall(PCGetOperators(pc, &A, &P));
  PetscCall(MatCreateVecs(P, &d, NULL));
  PetscCall(MatGetDiagonal(P, d));
  PetscCall(VecGetArrayRead(d, &dv));
  for (PetscInt q = 0; q < fs->n; q++) fs->diag[q] = PetscRealPart(dv[fs->cell[q]]);
  PetscCall(VecRestoreArrayRead(d, &dv));
  PetscCall(VecDestroy(&d));
  if (fs->t == NULL) {
    PetscCall(MatCreateVecs(P, &fs->t, &fs->w));
  }
  if (fs->th->Psym == NULL) PetscCall(PhCoolantRefreshPsym(fs));
  PetscCall(PCSetOperators(fs->inner, fs->th->Psym, fs->th->Psym));
  PetscCall(PCSetUp(fs->inner));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* z += A_ff^-1 r_f: the sweep along the streams, on the coolant cells only. */
static PetscErrorCode PhFluidSweepAdd(PhFluidSweep *fs, Vec r, Vec z)
{
  const PetscScalar *rv;
  PetscScalar       *zv;
  PetscReal         *corr = fs->mcp + fs->n; /* scratch: the corrections, in sweep order */

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(r, &rv));
  PetscCall(VecGetArray(z, &zv));
  for (PetscInt q = 0; q < fs->n; q++) {
    const PetscInt c = fs->cell[q];

    corr[q] = (PetscRealPart(rv[c]) + (fs->upstream[q] >= 0 ? fs->mcp[q] * corr[fs->upstream[q]] : 0)) / fs->diag[q];
    zv[c] += corr[q];
  }
  PetscCall(VecRestoreArray(z, &zv));
  PetscCall(VecRestoreArrayRead(r, &rv));
  PetscCall(PetscLogFlops(4.0 * fs->n));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhFluidSweepApply(PC pc, Vec r, Vec z)
{
  PhFluidSweep *fs;
  Mat           A, P;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &fs));
  PetscCall(PCGetOperators(pc, &A, &P));
  PetscCall(VecSet(z, 0));
  PetscCall(PhFluidSweepAdd(fs, r, z));
  PetscCall(MatMult(P, z, fs->t)); /* t = r - A z */
  PetscCall(VecAYPX(fs->t, -1.0, r));
  PetscCall(PCApply(fs->inner, fs->t, fs->w));
  PetscCall(VecAXPY(z, 1.0, fs->w));
  PetscCall(MatMult(P, z, fs->t));
  PetscCall(VecAYPX(fs->t, -1.0, r));
  PetscCall(PhFluidSweepAdd(fs, fs->t, z));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhFluidSweepDestroy(PC pc)
{
  PhFluidSweep *fs;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &fs));
  PetscCall(PetscFree4(fs->cell, fs->upstream, fs->mcp, fs->diag));
  PetscCall(PetscFree2(fs->zrow, fs->zcol));
  PetscCall(VecDestroy(&fs->t));
  PetscCall(VecDestroy(&fs->w));
  PetscCall(PCDestroy(&fs->inner));
  PetscCall(PetscFree(fs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Make `pc` the preconditioner of a case with cavities (PhFluidSweepApply()): the sweep along the streams, the multigrid
  of Psym and the sweep again. Collective.
**/
PetscErrorCode PhThermalSetUpCoolantPC_Private(PhThermal th, PC pc)
{
  PhFluidSweep          *fs;
  PhFluidOrder          *order;
  PetscInt              *pos_of; /* [owned] position in the sweep, or -1 */
  PetscInt               n = 0, no = PhIndexBoxCount(&th->owned), nstream;
  ISLocalToGlobalMapping ltog;
  const char            *prefix;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&fs));
  fs->th = th;
  PH_BOX_FOR(th->owned, i, j, k) n += th->gfluid[PhIndexBoxOffset(&th->ghost, i, j, k)] >= 0;
  fs->n = n;
  PetscCall(PetscMalloc4(PetscMax(n, 1), &fs->cell, PetscMax(n, 1), &fs->upstream, 2 * PetscMax(n, 1), &fs->mcp, PetscMax(n, 1), &fs->diag));
  PetscCall(PetscMalloc2(PetscMax(n, 1), &fs->zrow, PetscMax(n, 1), &fs->zcol));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &order));
  PetscCall(PetscMalloc1(PetscMax(no, 1), &pos_of));
  nstream = th->info.mx + th->info.my + 1;
  n       = 0;
  PH_BOX_FOR(th->owned, i, j, k) {
    const PetscInt g = PhIndexBoxOffset(&th->ghost, i, j, k), c = th->gfluid[g];
    PetscInt       a;

    if (c < 0) continue;
    a               = th->cavities[c].ch->axis == 0 ? i : j;
    a               = th->cavities[c].ch->sign > 0 ? a : nstream - a; /* position along the flow */
    order[n].offset = PhIndexBoxOffset(&th->owned, i, j, k);
    order[n++].key  = (PetscReal)a;
  }
  qsort(order, (size_t)n, sizeof(*order), PhFluidOrderCompare); /* upstream cells first */
  for (PetscInt q = 0; q < no; q++) pos_of[q] = -1;
  for (PetscInt q = 0; q < n; q++) pos_of[order[q].offset] = q;
  for (PetscInt q = 0; q < n; q++) {
    const PetscInt    o = order[q].offset, xm = th->owned.hi[0] - th->owned.lo[0], ym = th->owned.hi[1] - th->owned.lo[1];
    const PetscInt    i = th->owned.lo[0] + o % xm, j = th->owned.lo[1] + (o / xm) % ym, k = th->owned.lo[2] + o / (xm * ym);
    const PetscInt    g = PhIndexBoxOffset(&th->ghost, i, j, k), c = th->gfluid[g];
    const PhChannels *ch    = th->cavities[c].ch;
    PetscInt          up[3] = {i, j, k};

    up[ch->axis] -= ch->sign;
    fs->cell[q]     = o;
    fs->mcp[q]      = th->gmcp[g];
    fs->upstream[q] = -1;
    if (up[0] >= th->owned.lo[0] && up[0] < th->owned.hi[0] && up[1] >= th->owned.lo[1] && up[1] < th->owned.hi[1] &&
        th->gfluid[PhIndexBoxOffset(&th->ghost, up[0], up[1], up[2])] == c)
      fs->upstream[q] = pos_of[PhIndexBoxOffset(&th->owned, up[0], up[1], up[2])];
    if (up[0] >= th->ghost.lo[0] && up[0] < th->ghost.hi[0] && up[1] >= th->ghost.lo[1] && up[1] < th->ghost.hi[1] &&
        th->gfluid[PhIndexBoxOffset(&th->ghost, up[0], up[1], up[2])] == c) { /* the coupling Psym leaves out */
      fs->zrow[fs->nzero]   = g;
      fs->zcol[fs->nzero++] = PhIndexBoxOffset(&th->ghost, up[0], up[1], up[2]);
    }
  }
  PetscCall(DMGetLocalToGlobalMapping(th->da, &ltog));
  PetscCall(ISLocalToGlobalMappingApply(ltog, fs->nzero, fs->zrow, fs->zrow));
  PetscCall(ISLocalToGlobalMappingApply(ltog, fs->nzero, fs->zcol, fs->zcol));
  PetscCall(PetscFree(order));
  PetscCall(PetscFree(pos_of));
  PetscCall(PCCreate(th->comm, &fs->inner));
  PetscCall(PCGetOptionsPrefix(pc, &prefix));
  PetscCall(PCSetOptionsPrefix(fs->inner, prefix));
  PetscCall(PCAppendOptionsPrefix(fs->inner, "coolant_"));
  PetscCall(PhThermalSetUpMG_Private(th, fs->inner));
  PetscCall(PCSetFromOptions(fs->inner));
  PetscCall(PCSetType(pc, PCSHELL));
  PetscCall(PCShellSetContext(pc, fs));
  PetscCall(PCShellSetSetUp(pc, PhFluidSweepSetUp));
  PetscCall(PCShellSetApply(pc, PhFluidSweepApply));
  PetscCall(PCShellSetDestroy(pc, PhFluidSweepDestroy));
  PetscCall(PCShellSetName(pc, "coolant sweep, multigrid, coolant sweep (photherm)"));
  PetscCall(PetscObjectCompose((PetscObject)pc, "PhCoolantPC", (PetscObject)fs->inner));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The multigrid of `pc` when it is the coolant's preconditioner (else `pc` itself), with Psym brought to the present
  operator first: called before the preconditioner is rebuilt. Collective.
**/
PetscErrorCode PhThermalCoolantInnerPC_Private(PhThermal th, PC pc, PC *inner)
{
  PetscObject obj;
  PetscBool   shell;

  PetscFunctionBeginUser;
  *inner = pc;
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCSHELL, &shell));
  if (!shell || th->ncavities == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscObjectQuery((PetscObject)pc, "PhCoolantPC", &obj));
  if (obj == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  {
    PhFluidSweep *fs;

    PetscCall(PCShellGetContext(pc, &fs));
    PetscCall(PhCoolantRefreshPsym(fs));
  }
  *inner = (PC)obj;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Cold plates: the coolant that heats along its flow (README.md, Thermal model). Each plate's face cells exchange heat
  with the coolant flowing under them through the conductance of their boundary patch, and the coolant's temperature
  along every strip of the flow follows from the heat it has taken up upstream. The sweep along the strips needs the
  whole face, so the face's temperatures and conductances are gathered on every rank (one reduction of 2 values per
  face cell) and every rank sweeps the same numbers in the same order: the result does not depend on the ranks.
*/
#include "thermal_impl.h"

#include <math.h>

/* Offset of face cell (a along the flow, b across it) in the plate's arrays. */
static inline PetscInt PhPlateIndex(const PhPlate *pl, PetscInt a, PetscInt b)
{
  return a + pl->na * b;
}

/* The face-plane indices (along, across) of a cell (i, j) of the plate's face. */
static inline void PhPlateCell(const PhPlate *pl, PetscInt i, PetscInt j, PetscInt *a, PetscInt *b)
{
  *a = pl->bc->axis == 0 ? i : j;
  *b = pl->bc->axis == 0 ? j : i;
}

/**
  Collect the cold plates among the boundary patches: the strips across the flow that hold plate cells, their widths
  and the grid lines along the flow over which the coolant's profile is reported. Collective.
**/
PetscErrorCode PhThermalPlatesCreate_Private(PhThermal th)
{
  PhCase           pb = th->problem;
  const PetscReal *line[3];

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt q = 0; q < pb->boundaries[f].n; q++) th->nplates += pb->boundaries[f].conditions[q].type == PH_BC_COLD_PLATE;
  if (th->nplates == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscCalloc1(th->nplates, &th->plates));
  for (PetscInt f = 0, q = 0; f < PH_NFACES; f++)
    for (PetscInt r = 0; r < pb->boundaries[f].n; r++) {
      const PhBoundaryCondition *bc = &pb->boundaries[f].conditions[r];
      PhPlate                   *pl;
      PetscInt                   n, ns, across = 1 - bc->axis;
      PetscReal                 *mask;

      if (bc->type != PH_BC_COLD_PLATE) continue;
      pl     = &th->plates[q++];
      pl->bc = bc;
      for (PetscInt p = 0; p < th->npatches; p++)
        if (th->patches[p].bc == bc) pl->patch = &th->patches[p]; /* empty on a rank that owns no cell of it */
      pl->na = bc->axis == 0 ? th->info.mx : th->info.my;
      pl->nb = bc->axis == 0 ? th->info.my : th->info.mx;
      n      = pl->na * pl->nb;
      PetscCall(PetscCalloc3(2 * n, &pl->field, n, &pl->theta, pl->nb, &pl->width));
      PetscCall(PetscCalloc1(n, &mask));
      for (PetscInt c = 0; pl->patch != NULL && c < pl->patch->n; c++) {
        PetscInt a, b;

        PhPlateCell(pl, pl->patch->cell[c][0], pl->patch->cell[c][1], &a, &b);
        mask[PhPlateIndex(pl, a, b)] = 1;
      }
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mask, (PetscMPIInt)n, MPIU_REAL, MPIU_SUM, th->comm));
      pl->a0 = pl->na;
      pl->a1 = 0;
      for (PetscInt b = 0; b < pl->nb; b++)
        for (PetscInt a = 0; a < pl->na; a++) {
          if (mask[PhPlateIndex(pl, a, b)] == 0) continue;
          pl->width[b] = line[across][b + 1] - line[across][b];
          pl->a0       = PetscMin(pl->a0, a);
          pl->a1       = PetscMax(pl->a1, a + 1);
        }
      PetscCall(PetscFree(mask));
      if (pl->a1 <= pl->a0) pl->a0 = pl->a1 = 0; /* no cell: a region other conditions cover */
      for (PetscInt b = 0; b < pl->nb; b++) pl->total_width += pl->width[b];
      ns = pl->a1 - pl->a0 + 1;
      PetscCall(PetscCalloc2(ns, &pl->position, ns, &pl->profile));
      for (PetscInt s = 0; s < ns; s++) pl->position[s] = line[bc->axis][bc->sign > 0 ? pl->a0 + s : pl->a1 - s]; /* in flow order */
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Gather the plate's face: the temperatures x (K, or a direction for the Jacobian) and conductances of its cells. */
static PetscErrorCode PhPlateGather(PhThermal th, PhPlate *pl, const PetscScalar ***xv)
{
  const PetscInt n = pl->na * pl->nb;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(pl->field, 2 * n));
  for (PetscInt c = 0; pl->patch != NULL && c < pl->patch->n; c++) {
    const PetscInt i = pl->patch->cell[c][0], j = pl->patch->cell[c][1], k = pl->patch->cell[c][2];
    PetscInt       a, b;

    PhPlateCell(pl, i, j, &a, &b);
    pl->field[PhPlateIndex(pl, a, b)]     = PetscRealPart(xv[k][j][i]);
    pl->field[n + PhPlateIndex(pl, a, b)] = pl->patch->g[c];
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, pl->field, (PetscMPIInt)(2 * n), MPIU_REAL, MPIU_SUM, th->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Sweep the gathered face along the flow: along each strip, in flow order, a cell with wall conductance g at
  temperature T_c takes from the coolant entering it at theta_in the heat of an exact exchange with a wall held at T_c,
  Q = m_s cp (1 - exp(-g / (m_s cp))) (T_c - theta_in); the coolant leaves it at theta_in + Q / (m_s cp), and its mean
  over the cell is T_c - Q / g. m_s is the plate's mass flow shared among the strips by their widths. Fills theta, the
  mixed-mean profile and the heat; linear in (T, inlet) for a given flow.
*/
static void PhPlateSweep(PhPlate *pl, const PhMaterial *coolant, PetscReal inlet, PetscReal flow)
{
  const PhBoundaryCondition *bc = pl->bc;
  const PetscInt             n = pl->na * pl->nb, ns = pl->a1 - pl->a0 + 1;

  if (bc->flow_volumetric) flow *= coolant->rho;
  pl->capacity = PetscMax(flow, 0) * coolant->cp;
  pl->heat     = 0;
  for (PetscInt s = 0; s < ns; s++) pl->profile[s] = 0;
  for (PetscInt b = 0; b < pl->nb; b++) {
    const PetscReal w     = pl->total_width > 0 ? pl->capacity * pl->width[b] / pl->total_width : 0; /* the strip's m cp, W/K */
    PetscReal       theta = inlet;

    if (pl->width[b] == 0) continue;
    pl->profile[0] += pl->width[b] * theta;
    for (PetscInt s = 0; s < ns - 1; s++) {
      const PetscInt  a   = bc->sign > 0 ? pl->a0 + s : pl->a1 - 1 - s;
      const PetscInt  idx = PhPlateIndex(pl, a, b);
      const PetscReal g = pl->field[n + idx], tc = pl->field[idx];
      PetscReal       heat = 0;

      if (g > 0 && w > 0) heat = -w * expm1(-g / w) * (tc - theta);
      pl->theta[idx] = g > 0 ? tc - heat / g : theta;
      if (w > 0) theta += heat / w;
      pl->heat += heat;
      pl->profile[s + 1] += pl->width[b] * theta;
    }
  }
  for (PetscInt s = 0; s < ns; s++) pl->profile[s] = pl->total_width > 0 ? pl->profile[s] / pl->total_width : inlet;
}

/**
  The coolant of every plate at time t and temperatures T (K): the coolant temperature under every plate cell
  (theta), the mixed-mean profile, the outlet and the heat (PhPlateSweep()). Collective.
**/
PetscErrorCode PhThermalPlatesUpdate_Private(PhThermal th, PetscReal t, Vec T, PetscBool left)
{
  const PetscScalar ***tv;

  PetscFunctionBeginUser;
  if (th->nplates == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(DMDAVecGetArrayRead(th->da, T, &tv));
  for (PetscInt q = 0; q < th->nplates; q++) {
    PhPlate *pl = &th->plates[q];

    PetscCall(PhPlateGather(th, pl, tv));
    PhPlateSweep(pl, &th->problem->materials[pl->bc->coolant], PhSignalAt_Private(&pl->bc->value, t, left),
                 PhSignalAt_Private(&pl->bc->flow, t, left));
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, T, &tv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The exact operator of the linear systems with cold plates (J): y = A x - g theta(x), theta the coolant under each
  plate cell for temperatures x and an inlet at 0, at the flow of time th->plate_t. A holds the plate cells' g on its
  diagonal as for convection, and the right-hand side g theta(T) with the real inlet, so that J is the exact Jacobian
  of the residual; it is not symmetric (the coolant carries heat downstream). With transpose, y = J^T x (the coolant's
  part swept against the flow, PhPlateSweepTranspose()). Collective.
*/
static void PhPlateSweepTranspose(PhPlate *pl, const PhMaterial *coolant, PetscReal flow);

static PetscErrorCode PhThermalPlatesApply(Mat J, Vec x, Vec y, PetscBool transpose)
{
  PhThermal            th;
  const PetscScalar ***xv;
  PetscScalar       ***yv;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(J, &th));
  if (transpose && th->ncavities > 0) PetscCall(MatMultTranspose(th->A, x, y)); /* a micro-channel's advection is not symmetric */
  else PetscCall(MatMult(th->A, x, y));                                         /* otherwise A is */
  PetscCall(DMDAVecGetArrayRead(th->da, x, &xv));
  PetscCall(DMDAVecGetArray(th->da, y, &yv));
  for (PetscInt q = 0; q < th->nplates; q++) {
    PhPlate        *pl   = &th->plates[q];
    const PetscReal flow = PhSignalAt_Private(&pl->bc->flow, th->plate_t, th->plate_left);

    PetscCall(PhPlateGather(th, pl, xv));
    if (transpose) PhPlateSweepTranspose(pl, &th->problem->materials[pl->bc->coolant], flow); /* theta holds g times it */
    else PhPlateSweep(pl, &th->problem->materials[pl->bc->coolant], 0.0, flow);
    for (PetscInt c = 0; pl->patch != NULL && c < pl->patch->n; c++) {
      const PetscInt i = pl->patch->cell[c][0], j = pl->patch->cell[c][1], k = pl->patch->cell[c][2];
      PetscInt       a, b;

      PhPlateCell(pl, i, j, &a, &b);
      yv[k][j][i] -= (transpose ? 1.0 : pl->patch->g[c]) * pl->theta[PhPlateIndex(pl, a, b)];
    }
  }
  PetscCall(DMDAVecRestoreArray(th->da, y, &yv));
  PetscCall(DMDAVecRestoreArrayRead(th->da, x, &xv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhThermalPlatesMult(Mat J, Vec x, Vec y)
{
  PetscFunctionBeginUser;
  PetscCall(PhThermalPlatesApply(J, x, y, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The transpose of the coolant's part of J for the non-symmetric reduced model (K_r = V^T J V needs rows as well as
  columns): along each strip with inlet 0 the forward sweep gives y_c = (g_c - a_c) x_c + a_c tau_c, a_c = m_s cp (1 -
  exp(-g_c / (m_s cp))), and tau_next = (1 - a_c / (m_s cp)) tau_c + (a_c / (m_s cp)) x_c; the adjoint runs against the
  flow with mu the sensitivity to the coolant entering a cell: q_c = (g_c - a_c) p_c + (a_c / (m_s cp)) mu, then
  mu = a_c p_c + (1 - a_c / (m_s cp)) mu. Fills pl->theta with q (W/K times p). Linear in p; the same on every rank.
*/
static void PhPlateSweepTranspose(PhPlate *pl, const PhMaterial *coolant, PetscReal flow)
{
  const PhBoundaryCondition *bc = pl->bc;
  const PetscInt             n = pl->na * pl->nb, ns = pl->a1 - pl->a0 + 1;

  if (bc->flow_volumetric) flow *= coolant->rho;
  pl->capacity = PetscMax(flow, 0) * coolant->cp;
  for (PetscInt b = 0; b < pl->nb; b++) {
    const PetscReal w  = pl->total_width > 0 ? pl->capacity * pl->width[b] / pl->total_width : 0;
    PetscReal       mu = 0;

    if (pl->width[b] == 0) continue;
    for (PetscInt s = ns - 2; s >= 0; s--) {
      const PetscInt  a   = bc->sign > 0 ? pl->a0 + s : pl->a1 - 1 - s;
      const PetscInt  idx = PhPlateIndex(pl, a, b);
      const PetscReal g = pl->field[n + idx], p = pl->field[idx];
      const PetscReal ex = g > 0 && w > 0 ? -w * expm1(-g / w) : 0, c = w > 0 ? ex / w : 0;

      pl->theta[idx] = (g - ex) * p + c * mu;
      mu             = ex * p + (1 - c) * mu;
    }
  }
}

/* y = J^T x: A is symmetric, the coolant's part is swept against the flow (PhPlateSweepTranspose()). Collective. */
static PetscErrorCode PhThermalPlatesMultTranspose(Mat J, Vec x, Vec y)
{
  PetscFunctionBeginUser;
  PetscCall(PhThermalPlatesApply(J, x, y, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The coolant of every plate for the rise x (K above T_ref; NULL: zero) and an inlet `inlet` K above T_ref, at the
  flow of time 0 (the reduced model takes a constant flow): theta, the profile and the heat of every plate, relative to
  T_ref (PhPlateSweep() is linear in (x, inlet)). With `column` non-NULL, column[p] (a field, or NULL) gets g theta on
  the cells of plate p. Collective.
**/
PetscErrorCode PhThermalPlatesResponse_Private(PhThermal th, Vec x, PetscReal inlet, Vec column[])
{
  const PetscScalar ***xv = NULL;

  PetscFunctionBeginUser;
  if (x != NULL) PetscCall(DMDAVecGetArrayRead(th->da, x, &xv));
  for (PetscInt q = 0; q < th->nplates; q++) {
    PhPlate       *pl = &th->plates[q];
    const PetscInt n  = pl->na * pl->nb;

    if (x != NULL) PetscCall(PhPlateGather(th, pl, xv));
    else { /* the conductances only */ PetscCall(PetscArrayzero(pl->field, 2 * n));
      for (PetscInt c = 0; pl->patch != NULL && c < pl->patch->n; c++) {
        PetscInt a, b;

        PhPlateCell(pl, pl->patch->cell[c][0], pl->patch->cell[c][1], &a, &b);
        pl->field[n + PhPlateIndex(pl, a, b)] = pl->patch->g[c];
      }
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, pl->field, (PetscMPIInt)(2 * n), MPIU_REAL, MPIU_SUM, th->comm));
    }
    PhPlateSweep(pl, &th->problem->materials[pl->bc->coolant], inlet, PhSignalAt_Private(&pl->bc->flow, 0, PETSC_FALSE));
    if (column != NULL && column[q] != NULL) {
      PetscScalar ***cv;

      PetscCall(VecSet(column[q], 0.0));
      PetscCall(DMDAVecGetArray(th->da, column[q], &cv));
      for (PetscInt c = 0; pl->patch != NULL && c < pl->patch->n; c++) {
        const PetscInt i = pl->patch->cell[c][0], j = pl->patch->cell[c][1], k = pl->patch->cell[c][2];
        PetscInt       a, b;

        PhPlateCell(pl, i, j, &a, &b);
        cv[k][j][i] = pl->patch->g[c] * pl->theta[PhPlateIndex(pl, a, b)];
      }
      PetscCall(DMDAVecRestoreArray(th->da, column[q], &cv));
    }
  }
  if (x != NULL) PetscCall(DMDAVecRestoreArrayRead(th->da, x, &xv));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The plate of a boundary patch (its index among th->plates), or -1 when the patch is no cold plate. Not collective.
**/
PetscInt PhThermalPatchPlate_Private(PhThermal th, const PhPatch *pa)
{
  for (PetscInt q = 0; q < th->nplates; q++)
    if (th->plates[q].bc == pa->bc) return q;
  return -1;
}

/**
  The operator of the linear solves: with cold plates a shell applying the exact J (PhThermalPlatesMult()), otherwise A
  itself; the preconditioner is built from A in both cases. Collective on first use.
**/
PetscErrorCode PhThermalOperator_Private(PhThermal th, PetscReal t, PetscBool left, Mat *op)
{
  PetscFunctionBeginUser;
  th->plate_t    = t;
  th->plate_left = left;
  if (th->nplates == 0) {
    PetscCall(PhThermalDryOperator_Private(th, op));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (th->J == NULL) {
    PetscCall(PhThermalCreateShell_Private(th, &th->J));
    PetscCall(MatShellSetOperation(th->J, MATOP_MULT, (void (*)(void))PhThermalPlatesMult));
    PetscCall(MatShellSetOperation(th->J, MATOP_MULT_TRANSPOSE, (void (*)(void))PhThermalPlatesMultTranspose));
    PetscCall(MatSetDM(th->J, th->da));
  }
  *op = th->J;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The coolant loops of the case: the cold plates (boundaries of type cold_plate, in the order of the faces and
  their conditions), then the micro-channel layers (bottom to top, named by their layer): their number, and for loop p
  its name and the number of points of its coolant profile (PhThermalColdPlateState()).

  Not collective. `names` and `npoints` may be NULL; the names belong to the case.
**/
PetscErrorCode PhThermalGetColdPlates(PhThermal th, PetscInt *n, const char *names[], PetscInt npoints[])
{
  PetscFunctionBeginUser;
  *n = th->nplates + th->ncavities;
  for (PetscInt p = 0; p < th->nplates; p++) {
    if (names != NULL) names[p] = th->plates[p].bc->name;
    if (npoints != NULL) npoints[p] = th->plates[p].a1 - th->plates[p].a0 + 1;
  }
  for (PetscInt c = 0; c < th->ncavities; c++) {
    if (names != NULL) names[th->nplates + c] = th->problem->layers[th->cavities[c].layer].name;
    if (npoints != NULL) npoints[th->nplates + c] = th->cavities[c].na + 1;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Where the coolant profile of plate p is given: the grid lines across its flow from the inlet to the outlet
  edge of its cells, m (along x or y, in flow order). Borrowed.

  Not collective.
**/
PetscErrorCode PhThermalColdPlatePositions(PhThermal th, PetscInt p, const PetscReal **position)
{
  PetscFunctionBeginUser;
  *position = p < th->nplates ? th->plates[p].position : th->cavities[p - th->nplates].position;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The coolant of every plate at the model's time and state: outlet temperature (K, the flow-weighted mean over
  the strips at the outlet edge) and heat taken up (W); with `profile` non-NULL, profile[p] (npoints[p] values) gets
  the flow-weighted mean coolant temperature at the positions of PhThermalColdPlatePositions(), K.

  Collective.
**/
PetscErrorCode PhThermalColdPlateState(PhThermal th, PetscReal outlet[], PetscReal heat[], PetscReal *profile[])
{
  PetscFunctionBeginUser;
  if (th->nplates + th->ncavities == 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (th->reduced != NULL) { /* reduced rows, plates and cavities */
    PetscCall(PhThermalReducedPlates_Private(th, outlet, heat, profile));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (th->ncavities > 0) PetscCall(PhThermalCavitiesUpdate_Private(th, th->t, th->T, PETSC_FALSE));
  for (PetscInt c = 0; c < th->ncavities; c++) {
    const PhCavity *cv = &th->cavities[c];

    outlet[th->nplates + c] = cv->profile[cv->na];
    heat[th->nplates + c]   = cv->heat;
    if (profile != NULL) PetscCall(PetscArraycpy(profile[th->nplates + c], cv->profile, cv->na + 1));
  }
  if (th->nplates == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhThermalPlatesUpdate_Private(th, th->t, th->T, PETSC_FALSE));
  for (PetscInt p = 0; p < th->nplates; p++) {
    const PhPlate *pl = &th->plates[p];

    outlet[p] = pl->profile[pl->a1 - pl->a0];
    heat[p]   = pl->heat;
    if (profile != NULL) PetscCall(PetscArraycpy(profile[p], pl->profile, pl->a1 - pl->a0 + 1));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalPlatesDestroy_Private(PhThermal th)
{
  PetscFunctionBeginUser;
  for (PetscInt p = 0; p < th->nplates; p++) {
    PetscCall(PetscFree3(th->plates[p].field, th->plates[p].theta, th->plates[p].width));
    PetscCall(PetscFree2(th->plates[p].position, th->plates[p].profile));
  }
  PetscCall(PetscFree(th->plates));
  PetscCall(MatDestroy(&th->J));
  th->nplates = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

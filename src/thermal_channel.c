/*
  Micro-channel cavities (README.md, Thermal model; cases/README.md section 9.6): the 4-resistor model of a layer of
  channels between the tiers of a stack. The channels and the walls between them are cells of the grid. A fluid cell
  does not conduct; it exchanges heat with the solid cells around it through the heat-transfer coefficient of that
  wall (in series with the solid's half cell), and carries heat downstream by first-order upwind advection: its row
  holds m cp (T - T_upstream), m cp being its stream's share of the cavity's flow. The operator is not symmetric; its
  rows still sum to the boundary conductances (the inlet cells' m cp), so the energy balance holds exactly.
*/
#include "thermal_impl.h"

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
  PetscCall(PetscMalloc2(ng, &th->gfluid, ng, &th->gmcp));
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
  neighbour gn, when either holds coolant: a fluid cell takes the coolant of its upstream neighbour (m cp in its own
  row, nothing in the upstream cell's row: upwind advection) and conducts to no other fluid cell; between a fluid and a
  solid cell, the wall's h in series with the solid's half cell. r_self and r_nb are the half-cell resistances across
  d (m^2 K/W). Returns -1 when neither cell holds coolant.
*/
PetscReal PhThermalFluidFace_Private(PhThermal th, PetscInt g, PetscInt gn, PetscInt d, PetscInt side, PetscReal area, PetscReal r_self,
                                     PetscReal r_nb)
{
  const PetscInt fa = th->gfluid[g], fb = th->gfluid[gn];
  PetscInt       c;
  PetscReal      h;

  if (fa < 0 && fb < 0) return -1;
  if (fa >= 0 && fb >= 0) {
    const PhChannels *ch = th->cavities[fa].ch;

    return fa == fb && d == ch->axis && side == -ch->sign ? th->gmcp[g] : 0;
  }
  c = fa >= 0 ? fa : fb;
  if (d < 2) h = th->cavities[c].ch->h_side;
  else if (fa >= 0) h = side < 0 ? th->cavities[c].ch->h_bottom : th->cavities[c].ch->h_top; /* the fluid's floor or ceiling */
  else h = side > 0 ? th->cavities[c].ch->h_bottom : th->cavities[c].ch->h_top;              /* a solid cell under or over the fluid */
  return area / ((fa >= 0 ? r_nb : r_self) + 1.0 / h);
}

/**
  The state of every cavity's coolant at temperatures T: the flow-weighted mean coolant along the flow (the inlet, then
  each fluid cell's temperature, which upwind advection makes the coolant's at the cell's downstream edge), the outlet
  and the heat m cp (outlet - inlet). Collective.
**/
PetscErrorCode PhThermalCavitiesUpdate_Private(PhThermal th, PetscReal t, Vec T, PetscBool left)
{
  const PetscScalar ***tv;

  PetscFunctionBeginUser;
  if (th->ncavities == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(DMDAVecGetArrayRead(th->da, T, &tv));
  for (PetscInt c = 0; c < th->ncavities; c++) {
    PhCavity       *cv    = &th->cavities[c];
    const PetscInt  ax    = cv->ch->axis;
    const PetscReal inlet = PhSignalAt_Private(&cv->ch->inlet, t, left);

    PetscCall(PetscArrayzero(cv->profile, cv->na + 1));
    PH_BOX_FOR(th->owned, i, j, k) {
      const PetscInt ijk[3] = {i, j, k}, g = PhIndexBoxOffset(&th->ghost, i, j, k);

      if (th->gfluid[g] != c) continue;
      cv->profile[1 + (cv->ch->sign > 0 ? ijk[ax] : cv->na - 1 - ijk[ax])] += th->gmcp[g] * PetscRealPart(tv[k][j][i]);
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, cv->profile, (PetscMPIInt)(cv->na + 1), MPIU_REAL, MPIU_SUM, th->comm));
    cv->profile[0] = inlet;
    for (PetscInt s = 1; s <= cv->na; s++) cv->profile[s] = cv->capacity > 0 ? cv->profile[s] / cv->capacity : inlet;
    cv->heat = cv->capacity * (cv->profile[cv->na] - inlet);
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, T, &tv));
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
  PetscCall(PetscFree2(th->gfluid, th->gmcp));
  th->ncavities = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

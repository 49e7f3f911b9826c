/* src/thermal_impl.h - private to src/thermal*.c: the layout of the thermal object. */
#pragma once

#include <photherm/thermal.h>

/* The owned cells of one boundary condition on one face, with their conductance to the ambient (or their area). */
typedef struct {
  const PhBoundaryCondition *bc;
  PhFace                     face;
  PetscInt                   n;
  PetscInt (*cell)[3]; /* global indices i, j, k of the owned cells */
  PetscReal *g;        /* CONVECTION, TEMPERATURE: conductance cell centre to ambient or surface, W/K; FLUX: face area, m^2 */
} PhPatch;

struct _p_PhThermal {
  MPI_Comm         comm;
  PhCase           problem; /* borrowed */
  PhMesh           mesh;    /* borrowed */
  DM               da;
  DMDALocalInfo    info;
  PhIndexBox       owned, ghost; /* the cells this rank owns, and those with its ghosts */
  PetscInt        *gmat;         /* material of the ghosted cells, stored [k][j][i] over `ghost` (PhIndexBoxOffset()) */
  Vec              capacity;     /* C = rho cp V, J/K */
  Vec              volume;       /* m^3 */
  Vec              extra;        /* optional extra heat per cell (optics), W; NULL when none */
  Mat              A;            /* the conductance matrix with shift * C added to its diagonal (the integrator's J), W/K */
  Vec              adiag;        /* the diagonal of the conductance matrix itself, W/K */
  Vec              gbc;          /* boundary conductance of every cell, A * 1, W/K */
  PetscReal        shift;        /* what A's diagonal holds beyond adiag: shift * C, 1/s */
  PetscReal        bnorm;        /* ||b - gbc T_ref||: the scale of the heat the last residual carried, W */
  PetscObjectId    assembled_id; /* the temperature vector A was last assembled at (k(T)), and its state */
  PetscObjectState assembled_state;
  PetscReal        pc_shift;    /* shift the preconditioner was built for */
  PetscInt         k_version;   /* counts the assemblies of the conductances: coarse operators built from another are stale */
  PetscBool        nonlinear_k; /* some material has k(T) */
  PetscBool        leakage;     /* some source has leakage */
  PetscInt         npatches;
  PhPatch         *patches;
  PhIndexBox      *src_box;    /* global cell boxes of the sources */
  PetscReal       *src_volume; /* m^3 */
  PetscReal        t_ref;      /* reference temperature: the solves work with the rise T - t_ref, K */
  PetscBool        t_ref_from_boundaries;
  Vec              work, rhs, Tlocal, Tabs;
  KSP              ksp; /* steady solves */
};

PH_INTERN PetscErrorCode PhThermalAssemble_Private(PhThermal th, Vec T);
PH_INTERN PetscErrorCode PhThermalRHS_Private(PhThermal th, PetscReal t, Vec T, PetscBool left, Vec b);
PH_INTERN PetscErrorCode PhThermalConfigureKSP_Private(PhThermal th, KSP ksp);
PH_INTERN PetscErrorCode PhThermalSetShift_Private(PhThermal th, PetscReal shift);
PH_INTERN PetscErrorCode PhThermalMultA_Private(PhThermal th, Vec x, Vec y);
PH_INTERN PetscErrorCode PhThermalApplyNonlinear_Private(PhThermal th, Vec T, Vec y);
PH_INTERN PetscErrorCode PhThermalSetUpMG_Private(PhThermal th, PC pc);
PH_INTERN PetscErrorCode PhThermalUpdateMG_Private(PhThermal th, PC pc);

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

/*
  A cold plate: the coolant of one cold_plate condition, swept along its flow (thermal_coolant.c). The face is held
  whole on every rank, cell (a, b) at a + na * b with a along the flow and b across it, so that every rank sweeps the
  same numbers in the same order.
*/
typedef struct {
  const PhBoundaryCondition *bc;
  PhPatch                   *patch;       /* its owned cells (none on a rank that owns none) */
  PetscInt                   na, nb;      /* cells of the face along and across the flow */
  PetscInt                   a0, a1;      /* the cells along the flow that hold plate cells: a0 <= a < a1 */
  PetscReal                 *width;       /* [nb] width of each strip across the flow that holds plate cells, else 0, m */
  PetscReal                  total_width; /* m */
  PetscReal                 *position;    /* [a1 - a0 + 1] the grid lines across the flow from a0 to a1, in flow order, m */
  PetscReal                 *field;       /* [2 na nb] the cell temperatures (K) and conductances (W/K) gathered from all ranks */
  PetscReal                 *theta;       /* [na nb] mean coolant temperature over each plate cell, K */
  PetscReal                 *profile;     /* [a1 - a0 + 1] mixed-mean coolant temperature at `position`, K */
  PetscReal                  heat;        /* heat the coolant takes up, W */
  PetscReal                  capacity;    /* mass flow times specific heat, W/K */
} PhPlate;

/*
  A micro-channel cavity (thermal_channel.c): the fluid cells of one layer of type microchannel. Each fluid cell carries
  its share of the cavity's m cp (by its cross-section) downstream; the inlet cells take the coolant at the inlet
  temperature, the outlet cells give the coolant's heat to the outlet.
*/
typedef struct {
  PetscInt          layer;
  const PhChannels *ch;
  PetscReal         capacity;           /* m cp of the whole cavity, W/K */
  PetscInt          ninlet, noutlet;    /* owned inlet and outlet cells */
  PetscInt         *inlet, *outlet;     /* their offsets in th->owned */
  PetscReal        *inlet_w, *outlet_w; /* their m cp, W/K */
  PetscInt          na;                 /* cells along the flow */
  PetscReal        *position;           /* [na + 1] the grid lines across the flow, in flow order, m */
  PetscReal        *profile;            /* [na + 1] the flow-weighted mean coolant at each of them, K */
  PetscReal         heat;               /* heat the coolant carries out, m cp (outlet - inlet), W */
} PhCavity;

/* Cumulative energy terms from the start, by the integrator's quadrature, J. */
typedef struct {
  PetscReal generated, out, flux_in;
  PetscReal residual;    /* what the residuals of the discrete equations account for */
  PetscReal stored_last; /* the stored energy at the last PhThermalEnergyError(), J */
  PetscReal unexplained; /* its relative error beyond the residuals */
  PetscBool exact;       /* the quadrature is the integrator's own, so the gap beyond the residual is a defect */
  PetscBool warned;
} PhEnergyIntegrals;

typedef struct _p_PhReduced *PhReduced;
typedef struct _p_PhMaxTree *PhMaxTree; /* the largest of many linear functions of the reduced state (thermal_maxtree.c) */

struct _p_PhThermal {
  MPI_Comm         comm;
  PhCase           problem; /* borrowed */
  PhMesh           mesh;    /* borrowed */
  DM               da;
  DMDALocalInfo    info;
  PhIndexBox       owned, ghost;   /* the cells this rank owns, and those with its ghosts */
  PetscInt        *gmat;           /* material of the ghosted cells, stored [k][j][i] over `ghost` (PhIndexBoxOffset()) */
  PetscReal       *rhalf;          /* half-cell resistances of the ghosted cells as last computed, 3 per cell, m^2 K/W */
  PetscReal       *diag_bc;        /* boundary conductance of every owned cell as last computed, W/K */
  PetscInt        *knl, nknl;      /* offsets in `ghost` of the cells whose material has k(T) */
  Vec              capacity;       /* C = rho cp V, J/K */
  Vec              volume;         /* m^3 */
  Vec              extra;          /* heat of the heat inputs per cell (optics), W; NULL when none */
  PetscInt         ninput, nentry; /* heat inputs, and their owned (cell, input) entries */
  PetscInt        *entry_cell, *entry_input;
  PetscReal       *entry_w;           /* weight of each entry (overlap volume), m^3 */
  PetscReal       *input_w;           /* [ninput] sum of the weights of each input, all ranks */
  PetscReal       *input_power;       /* [ninput] power held, W */
  PetscReal       *input_amp;         /* [ninput] largest power, W */
  PetscBool        reduce;            /* advance with the reduced model (thermal_reduced.c) */
  PetscReal        reduced_tolerance; /* K */
  PetscReal        reduced_k_lag;     /* -ph_reduced_k_lag: re-form the reduced operator when k may have moved this much */
  PetscInt         reduced_k_tiles;   /* -ph_reduced_k_tiles: k(T) as a correction by regions of up to N x N tiles (0: re-form) */
  PetscInt         reduced_k_bins;    /* -ph_reduced_k_bins: ... and of N bins of the hot steady temperature */
  PetscReal        freeze_per_drift;  /* k(T) frozen: freeze_error per unit of the relative change of k that caused it, K */
  PetscReal        freeze_error;      /* k(T) frozen: the largest change of the reported steady temperatures at the highest powers, K */
  Vec              freeze_hot;        /* k(T): the nonlinear steady state at the highest powers, for the basis (reduced build only) */
  PhReduced        reduced;
  PetscReal        check_window; /* -ph_reduced_check: compare with the full model over [0, window] s (0: the whole run; < 0: off) */
  PhThermal        check;        /* the full model running beside the reduced one, while checked */
  char            *model_path;   /* -ph_reduced_model: the basis of photherm reduce instead of one built here */
  char            *cache_dir;    /* -ph_reduced_cache: a directory of models, one per fingerprint */
  PetscBool        any_trace;    /* the reduced model's time-domain check covers every trace (a model for reuse), not the run's own */
  PetscReal        check_error;  /* largest difference of the report and heat-input temperatures so far, K */
  PetscReal        check_until;  /* the end of the window that was checked, s */
  PetscInt         nreport;      /* boxes reported at every sample (sources, blocks) */
  PhIndexBox      *report;
  PetscReal       *fixed_power;   /* when set, the source powers (before leakage) of a steady solve instead of their signals, W */
  Mat              A;             /* the conductance matrix with shift * C added to its diagonal (the integrator's J), W/K */
  PetscCount       nvalues;       /* entries of A this rank writes (its COO pattern, PhThermalPreallocate()) */
  Vec              adiag;         /* the diagonal of the conductance matrix itself, W/K */
  Mat              S;             /* without coolant: A applied as a 7-point stencil (the same entries; -ph_stencil) */
  PetscReal       *sg;            /* [3 ghost] for S: the conductance of each ghosted cell's +x, +y, +z face, W/K (NULL: no S) */
  Vec              sdiag, slocal; /* for S: A's diagonal (adiag + shift C), and the ghosted operand */
  Vec              gbc;           /* boundary conductance of every cell, A * 1, W/K */
  PetscReal        shift;         /* what A's diagonal holds beyond adiag: shift * C, 1/s */
  PetscReal        bnorm;         /* ||b - gbc T_ref||: the scale of the heat the last residual carried, W */
  PetscObjectId    assembled_id;  /* the temperature vector A was last assembled at (k(T)), and its state */
  PetscObjectState assembled_state;
  PetscReal        pc_shift;    /* shift the preconditioner was built for */
  PetscInt         k_version;   /* counts the assemblies of the conductances: coarse operators built from another are stale */
  Vec              Tk;          /* the temperatures A's conductances were assembled at (k(T)) */
  PetscBool        Tk_valid;    /* Tk holds them (not after an assembly at the reference k) */
  PetscReal        k_lag;       /* -ph_k_lag: the integrator's J keeps its conductances while none has changed by more than this */
  PetscBool        nonlinear_k; /* some material has k(T) */
  PetscBool        leakage;     /* some source has leakage */
  PetscInt         npatches;
  PhPatch         *patches;
  PetscInt         ncavities; /* micro-channel layers, bottom to top */
  PhCavity        *cavities;
  PetscInt        *gfluid;  /* [ghost] the cavity of each ghosted fluid cell, else -1; NULL without cavities */
  PetscReal       *gmcp;    /* [ghost] m cp of each fluid cell's stream, W/K */
  PetscReal       *gtie;    /* [2 ghost] porous cavities: the tie (W/K) of a floor or ceiling cell to its neighbour at +x, +y over the same
                               porous cell, else 0 (PhThermalFluidFace_Private()) */
  Mat              Psym;    /* with cavities: A without the coolant's upstream couplings (symmetric), for the multigrid */
  PetscInt         nplates; /* cold plates, in the order of the faces and their conditions */
  PhPlate         *plates;
  Mat              J;          /* with cold plates: the exact operator of the linear solves, a shell around A (thermal_coolant.c) */
  PetscReal        plate_t;    /* the time whose coolant flow J applies, s */
  PetscBool        plate_left; /* ... on the interval ending at plate_t */
  PhIndexBox      *src_box;    /* global cell boxes of the sources */
  PetscReal       *src_volume; /* m^3 */
  PetscReal        t_ref;      /* reference temperature: the solves work with the rise T - t_ref, K */
  PetscBool        t_ref_from_boundaries;
  Vec              work, rhs, Tlocal, Tabs;
  KSP              ksp;               /* steady solves */
  PetscReal        ksp_floor;         /* -ph_ksp_floor: linear solves of a step stop at this fraction of its heat */
  PetscInt         mg_coarsen_factor; /* -ph_mg_coarsen_factor */

  /* the state and its integrator (thermal_ts.c, thermal_state.c) */
  Vec                 T;             /* the temperature field, K */
  Vec                 T0;            /* at the start of the run, for the stored energy */
  Vec                 Tprev;         /* after the previous step */
  Vec                 theta;         /* the integrator's state, the rise T - t_ref */
  Vec                 rate;          /* scratch: (T - Tprev) / dt */
  TS                  ts;            /* created on the first PhThermalAdvance() */
  PetscReal           t;             /* time of T, s */
  PetscInt            steps;         /* accepted steps */
  PetscReal           segment_end;   /* the landing time of the current TSSolve, s */
  PetscReal           dt_natural;    /* last step size the adaptivity chose freely, s */
  PetscReal           atol;          /* the integrator's default absolute tolerance, K */
  PetscReal           atol_fraction; /* -ph_atol_fraction: atol over the case's rise scale */
  PhEnergyIntegrals   energy;
  PhThermalMonitorFn *monitor;
  void               *monitor_ctx;
};

PH_INTERN PetscErrorCode PhThermalAssemble_Private(PhThermal th, Vec T);
PH_INTERN PetscErrorCode PhThermalKFaces_Private(PhThermal th, PetscInt *n, PetscInt **own, PetscInt **nbr, PetscReal **dgds, PetscBool *boundary);
PH_INTERN PetscErrorCode PhThermalRHS_Private(PhThermal th, PetscReal t, Vec T, PetscBool left, Vec b);
PH_INTERN PetscErrorCode PhThermalConfigureKSP_Private(PhThermal th, KSP ksp, PetscBool with_pc);
PH_INTERN PetscErrorCode PhThermalSetShift_Private(PhThermal th, PetscReal shift);
PH_INTERN PetscErrorCode PhThermalMultA_Private(PhThermal th, Vec x, Vec y);
PH_INTERN PetscErrorCode PhThermalDryOperator_Private(PhThermal th, Mat *op);
PH_INTERN PetscErrorCode PhThermalCreateShell_Private(PhThermal th, Mat *S);
PH_INTERN PetscErrorCode PhThermalStencilDestroy_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalConductanceDrift_Private(PhThermal th, Vec T, PetscReal *drift);
PH_INTERN PetscErrorCode PhThermalApplyNonlinear_Private(PhThermal th, Vec T, Vec y);
PH_INTERN PetscErrorCode PhThermalSetUpMG_Private(PhThermal th, PC pc);
PH_INTERN PetscErrorCode PhThermalUpdateMG_Private(PhThermal th, PC pc);
PH_INTERN PetscErrorCode PhThermalDestroyState_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalCreateTS_Private(PhThermal th, PetscReal rise);
PH_INTERN PetscErrorCode PhThermalCheckState_Private(PhThermal th, PetscReal t, Vec T);
PH_INTERN PetscErrorCode PhThermalAddSourceHeat_Private(PhThermal th, const PetscReal power[], Vec b);
PH_INTERN PetscErrorCode PhThermalSpreadInputs_Private(PhThermal th, const PetscReal power[], Vec heat);
PH_INTERN PetscErrorCode PhThermalFieldBoxStats_Private(PhThermal th, Vec T, PetscInt nbox, const PhIndexBox boxes[], PetscReal tmax[],
                                                        PetscReal tmean[]);
PH_INTERN PetscErrorCode PhThermalCavitiesCreate_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalCavitiesUpdate_Private(PhThermal th, PetscReal t, Vec T, PetscBool left);
PH_INTERN PetscErrorCode PhThermalCavitiesResponse_Private(PhThermal th, Vec x, PetscReal inlet, Vec column[]);
PH_INTERN PetscErrorCode PhThermalCavitiesDestroy_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalSetUpCoolantPC_Private(PhThermal th, PC pc);
PH_INTERN PetscErrorCode PhThermalCoolantInnerPC_Private(PhThermal th, PC pc, PC *inner);
PH_INTERN PetscReal PhThermalFluidFace_Private(PhThermal th, PetscInt g, PetscInt gn, PetscInt d, PetscInt side, PetscReal area, PetscReal r_self,
                                               PetscReal r_nb);
PH_INTERN PetscErrorCode PhThermalPlatesCreate_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalPlatesUpdate_Private(PhThermal th, PetscReal t, Vec T, PetscBool left);
PH_INTERN PetscErrorCode PhThermalPlatesDestroy_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalPlatesResponse_Private(PhThermal th, Vec x, PetscReal inlet, Vec column[]);
PH_INTERN PetscInt       PhThermalPatchPlate_Private(PhThermal th, const PhPatch *pa);
PH_INTERN PetscErrorCode PhThermalReducedPlates_Private(PhThermal th, PetscReal outlet[], PetscReal heat[], PetscReal *profile[]);
PH_INTERN PetscErrorCode PhThermalNextInputChange_Private(PhThermal th, PetscReal t, PetscReal *t_next);
PH_INTERN PetscErrorCode PhThermalOperator_Private(PhThermal th, PetscReal t, PetscBool left, Mat *op);
PH_INTERN PetscReal      PhSignalAt_Private(const PhSignal *s, PetscReal t, PetscBool left);
PH_INTERN PetscErrorCode PhThermalReducedBuild_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalReducedAdvance_Private(PhThermal th, PetscReal t1);
PH_INTERN PetscErrorCode PhThermalReducedDestroy_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalReducedField_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalReducedCheck_Private(PhThermal th);
PH_INTERN PetscErrorCode PhThermalReducedReportStats_Private(PhThermal th, PetscReal tmax[], PetscReal tmean[]);
PH_INTERN PetscErrorCode PhThermalReducedPeak_Private(PhThermal th, PetscReal *value, PetscInt *natural);
PH_INTERN PetscErrorCode PhThermalReducedStored_Private(PhThermal th, PetscScalar *stored);
PH_INTERN PetscErrorCode PhThermalReducedInputMeans_Private(PhThermal th, PetscReal mean[]);
PH_INTERN PetscErrorCode PhThermalReducedSourceIntegrals_Private(PhThermal th, PetscReal integral[]);
PH_INTERN PetscErrorCode PhMaxTreeCreate(PetscInt n, PetscInt r, PetscInt nlead, const PetscReal w[], const PetscInt ijk[], const PetscInt nat[],
                                         PhMaxTree *tree);
PH_INTERN PetscErrorCode PhMaxTreeQuery(PhMaxTree t, const PetscReal z[], PetscBool above, PetscReal theta, PetscReal *best, PetscInt *first);
PH_INTERN PetscErrorCode PhMaxTreeGetCounts(PhMaxTree t, PetscInt *nodes, PetscInt *evaluated, PetscInt *cells);
PH_INTERN PetscErrorCode PhMaxTreeDestroy(PhMaxTree *tree);

/* src/sim_impl.h - private to src/sim*.c: the layout of a run and the series it records. */
#pragma once

#include <photherm/sim.h>

/* Samples at every series_every: [sample] and [sample][source] or [sample][block], row-major. */
typedef struct {
  PetscInt   n, cap;
  PetscInt   nsrc, nblk;
  PetscReal *time;         /* s */
  PetscReal *src_power;    /* W */
  PetscReal *src_tmax;     /* K */
  PetscReal *src_tmean;    /* K */
  PetscReal *blk_tmax;     /* K */
  PetscReal *blk_tmean;    /* K */
  PetscReal *energy_error; /* relative */
  PetscReal *peak;         /* hottest cell, K */
  PetscInt  *peak_index;   /* its natural index (k * ny + j) * nx + i */
} PhSeries;

/* Cumulative energy terms from the start, by the integrator's quadrature, J. */
typedef struct {
  PetscReal generated, out, flux_in;
  PetscReal residual; /* what the residuals of the discrete equations account for */
  PetscBool exact;    /* the quadrature is the integrator's own, so the gap beyond the residual is a defect */
  PetscBool warned;
} PhEnergy;

struct _p_PhSim {
  MPI_Comm       comm;
  PhCase         problem; /* borrowed */
  PhMesh         mesh;    /* borrowed */
  PhSimOptions   options;
  PhThermal      thermal;
  PhOutput       out;
  TS             ts;
  Vec            T;     /* temperatures, K */
  Vec            T0;    /* at t = 0, for the stored energy */
  Vec            Tprev; /* at the previous step */
  Vec            theta; /* the integrator's state, T - T_ref */
  PetscReal      t_ref; /* K */
  Vec            work;
  PetscReal      t;           /* current time, s */
  PetscReal      next_series; /* s */
  PetscReal      next_field;  /* s */
  PetscReal      segment_end; /* the landing time of the current TSSolve, s */
  PetscReal      dt_natural;  /* last step size the adaptivity chose freely, s */
  PetscInt       steps;
  PhSeries       series;
  PhEnergy       energy;
  PetscLogDouble wall_start, progress_last;
  PetscBool      tty, progress_shown;
  void          *optics; /* the optics state (PHYSICS.md), owned */
};

PH_INTERN PetscErrorCode PhOpticsCreate_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsSteady_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsBeforeSegment_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsSample_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsWrite_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsDestroy_Private(PhSim sim);
PH_INTERN PetscErrorCode PhSimWriteResults_Private(PhSim sim);

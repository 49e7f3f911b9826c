/* src/sim_impl.h - private to src/sim*.c: the layout of a run and the series it records. */
#pragma once

#include <photherm/h5.h>
#include <photherm/optics.h>
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

/*
  The optics of a run (PHYSICS.md). Devices are the rings of all groups in case order (global ring index), then the
  lasers; lines are those of all links in case order. Temperatures of devices come from weighted sums over the owned
  cells (one reduction per sample for all devices). Series are [sample][device], [sample][line] or [sample][link] and
  share their samples with PhSeries.
*/
typedef struct {
  PetscInt    nring, nline, ndev;
  PetscInt   *group_first; /* [ngroups + 1] global index of each group's ring 0 */
  PetscInt   *link_first;  /* [nlinks + 1] global index of each link's line 0 */
  PetscInt    nentry;      /* owned (cell, device) pairs with their overlap volumes */
  PetscInt   *entry_cell, *entry_dev;
  PetscReal  *entry_w;    /* m^3 */
  PetscReal  *dev_w;      /* [ndev] total overlap volume of each device, all ranks */
  PetscReal  *self;       /* [nring] R_ii, K/W (0 without heater feedback) */
  PetscReal   self_share; /* largest drift * R_ii / efficiency */
  PetscBool   heats;      /* some heater or laser heats the mesh */
  Vec         heat;       /* W per cell, handed to the thermal model */
  PetscReal  *applied;    /* [ndev] heat held until the next sample, W */
  PetscReal  *next;       /* [ndev] heat the last evaluation asks for, W */
  PetscBool   started;    /* a sample has been recorded: later locks can be relocks */
  PetscBool  *was_locked; /* [nring] at the previous sample */
  PetscInt   *was_order;  /* [nring] */
  PetscInt   *rotation;   /* [ngroups] current rotation (rotate), -1 before the first lock */
  PetscReal  *down_until; /* [nline] end of the current relock outage, s */
  PetscReal  *dev_t;      /* [ndev] scratch: mean temperatures */
  PetscReal  *wl, *res;   /* scratch: line wavelengths, untuned resonances */
  PhRingLock *locks;      /* [nring] scratch */
  PetscInt    cap;        /* samples the series below can hold */
  PetscInt    ncols;
  PetscReal **cols[32]; /* every series below, for growing and freeing */
  PetscInt    width[32];
  PetscReal  *laser_t, *laser_wl, *laser_dbm, *laser_elec;                                                       /* [n][nlasers] K, m, dBm, W */
  PetscReal  *ring_t, *ring_slice_t, *ring_shift, *ring_power, *ring_res, *ring_locked, *ring_order, *ring_line; /* [n][nring] */
  PetscReal  *ring_relock, *ring_sat;                                                                            /* [n][nring] 0 or 1 */
  PetscReal  *line_margin, *line_up, *line_ok, *line_down;                  /* [n][nline] dB, 0/1, margin >= threshold, outage end s */
  PetscReal  *link_tp, *link_tune, *link_laser, *link_min_margin, *link_up; /* [n][nlinks] b/s, W, W, dB, lines */
} PhOpticsRun;

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
  PhOpticsRun   *optics; /* the optics (PHYSICS.md), owned; NULL without links */
};

PH_INTERN PetscErrorCode PhOpticsCreate_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsSteady_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsRestore_Private(PhSim sim, hid_t file, const char name[], PetscReal t_snap);
PH_INTERN PetscErrorCode PhOpticsSample_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsWrite_Private(PhSim sim);
PH_INTERN PetscErrorCode PhOpticsDestroy_Private(PhSim sim);
PH_INTERN PetscErrorCode PhSimWriteResults_Private(PhSim sim);
PH_INTERN PetscErrorCode PhSummaryReport_Private(MPI_Comm comm, const char path[]);
PH_INTERN PetscErrorCode PhSimWriteSeries_Private(PhSim sim, const char path[], const PetscReal *data, PetscInt n, PetscInt m, PetscReal scale,
                                                  PetscReal shift, PetscInt nnames, const char *const names[], const char units[],
                                                  const char definition[]);

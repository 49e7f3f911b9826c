/* src/links_impl.h - private to src/links*.c: the state of the optics of a run and its columns of the series table. */
#pragma once

#include <photherm/links.h>
#include <photherm/optics.h>

/* The optics columns of the series table, [sample][laser], [sample][ring], [sample][line] or [sample][link]. */
typedef enum {
  PH_LC_LASER_T,
  PH_LC_LASER_WL,
  PH_LC_LASER_DBM,
  PH_LC_LASER_ELEC,
  PH_LC_RING_T,
  PH_LC_RING_SLICE_T,
  PH_LC_RING_SHIFT,
  PH_LC_RING_POWER,
  PH_LC_RING_RES,
  PH_LC_RING_LOCKED,
  PH_LC_RING_ORDER,
  PH_LC_RING_LINE,
  PH_LC_RING_RELOCK,
  PH_LC_RING_SAT,
  PH_LC_LINE_MARGIN,
  PH_LC_LINE_UP,
  PH_LC_LINE_OK,
  PH_LC_LINE_DOWN,
  PH_LC_LINK_TP,
  PH_LC_LINK_TUNE,
  PH_LC_LINK_LASER,
  PH_LC_LINK_MIN_MARGIN,
  PH_LC_LINK_UP,
  PH_LC_NCOLUMNS
} PhLinksColumn;

struct _p_PhLinks {
  MPI_Comm    comm;
  PhCase      problem; /* borrowed */
  PhMesh      mesh;    /* borrowed */
  PhThermal   thermal; /* borrowed */
  PhSeries    series;  /* borrowed */
  PetscInt    col[PH_LC_NCOLUMNS];
  PetscInt    nring, nline, ndev;
  PetscInt   *group_first; /* [ngroups + 1] global index of each group's ring 0 */
  PetscInt   *link_first;  /* [nlinks + 1] global index of each link's line 0 */
  PetscReal  *self;        /* [nring] R_ii, K/W (0 without heater feedback) */
  PetscReal   self_share;  /* largest drift * R_ii / efficiency */
  PetscBool   heats;       /* some heater or laser heats the mesh (the devices are the thermal model's heat inputs) */
  PetscReal  *applied;     /* [ndev] heat held until the next sample, W */
  PetscReal  *next;        /* [ndev] heat the last evaluation asks for, W */
  PetscBool   started;     /* a sample has been recorded: later locks can be relocks */
  PetscBool  *was_locked;  /* [nring] at the previous sample */
  PetscInt   *was_order;   /* [nring] */
  PetscInt   *rotation;    /* [ngroups] current rotation (rotate), -1 before the first lock */
  PetscReal  *down_until;  /* [nline] end of the current relock outage, s */
  PetscReal  *dev_t;       /* [ndev] scratch: mean temperatures */
  PetscReal  *wl, *res;    /* scratch: line wavelengths, untuned resonances */
  PhRingLock *locks;       /* [nring] scratch */
};

PH_INTERN PetscErrorCode PhLinksRegisterColumns_Private(PhLinks links);

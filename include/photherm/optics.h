/*
  photherm/optics.h - the device models of PHYSICS.md that act on temperatures: laser lines, ring resonances, heater
  locking (fixed, wrap, rotate), the detuning penalty and link margin, ring slices, and the yield Monte Carlo.

  Everything here is plain arithmetic on the resolved case (SI units: m, W, K, s; dB and dBm for powers in
  logarithmic units) and is independent of the mesh and the solver, so that it can be checked by hand.

  Layer: device models beside the case; links (the optics runtime of a run) calls them. They call only case.
*/
#pragma once

#include <photherm/case.h>

/* One laser at one instant (PHYSICS §2, §4). */
typedef struct {
  PetscReal temperature; /* T_L, K */
  PetscReal wavelength;  /* line 0, m */
  PetscReal power_dbm;   /* optical power per line, dBm */
  PetscReal wpe;         /* wall-plug efficiency */
  PetscReal optical;     /* all lines, W */
  PetscReal electrical;  /* all lines, W */
} PhLaserState;

/* The lock of one ring at one sample (PHYSICS §3). */
typedef struct {
  PetscReal shift;    /* s: wavelength of its line minus its untuned resonance, m */
  PetscReal distance; /* d: the red shift asked of the heater after the wrap, m */
  PetscReal power;    /* heater power, W */
  PetscReal residual; /* residual detuning, m (lock_error when locked) */
  PetscInt  order;    /* k with s = d + k * fsr (0 under fixed) */
  PetscInt  line;     /* c(i): the laser line it serves */
  PetscBool locked;
  PetscBool saturated; /* heater at max_power */
} PhRingLock;

/* Spectral yield of one link by Monte Carlo (PHYSICS §5), with standard errors. */
typedef struct {
  PetscReal spectral, spectral_se; /* mean fraction of good lines */
  PetscReal link, link_se;         /* fraction of draws with every line good */
  PetscInt  draws;
} PhLinkYield;

PH_EXTERN void      PhLaserEvaluate(const PhLaser *laser, PetscReal t0, PetscReal temperature, PhLaserState *state);
PH_EXTERN PetscReal PhLaserLine(const PhLaser *laser, const PhLaserState *state, PetscInt line);
PH_EXTERN PetscReal PhRingResonance(const PhRingGroup *group, PetscInt ring, PetscReal offset, PetscReal t0, PetscReal temperature);
PH_EXTERN PetscReal PhDetuningPenalty(PetscReal residual, PetscReal fwhm);
PH_EXTERN void      PhLockRing(const PhRingGroup *group, PetscBool wrap, PetscReal shift, PhRingLock *lock);
PH_EXTERN PetscInt  PhLockGroup(const PhRingGroup *group, PhLockPolicy policy, const PetscReal line[], const PetscReal resonance[], PetscInt rotation,
                                PhRingLock lock[]);
PH_EXTERN void      PhRingSlice(const PhCase problem, PetscInt group, PetscInt ring, PetscInt *axis, PetscReal *lo, PetscReal *hi);
PH_EXTERN PetscReal PhRandomNormal(PetscInt64 seed, PetscInt64 draw, PetscInt64 stream);
PH_EXTERN PetscErrorCode PhYieldSpectral(MPI_Comm comm, const PhOptics *optics, const PhYield *yield, PetscInt nsamples,
                                         const PetscReal laser_temperature[], const PetscReal ring_temperature[], PhLinkYield result[]);

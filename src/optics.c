/* Laser lines, ring locking, detuning penalty, ring slices and the counter-based normal generator (PHYSICS §2-§5). */
#include <photherm/optics.h>

#include <math.h>
#include <stdint.h>

/**
  @brief The state of a laser at temperature T (K): line-0 wavelength, power per line, wall-plug efficiency, optical
  and electrical power of all its lines (PHYSICS §2, §4).

  Not collective.
**/
void PhLaserEvaluate(const PhLaser *ls, PetscReal t0, PetscReal temperature, PhLaserState *st)
{
  PetscReal dt = temperature - t0;

  st->temperature = temperature;
  st->wavelength  = ls->wavelength + ls->drift * dt;
  st->power_dbm   = ls->power_dbm + ls->power_drift * dt;
  st->wpe         = ls->wpe * PetscExpReal(-dt / ls->wpe_t1);
  st->optical     = (PetscReal)ls->lines * 1e-3 * PetscPowReal(10.0, st->power_dbm / 10.0);
  st->electrical  = st->optical / st->wpe;
}

/**
  @brief The wavelength (m) of line j of a laser in a given state: line 0 plus j spacings.

  Not collective.
**/
PetscReal PhLaserLine(const PhLaser *ls, const PhLaserState *st, PetscInt j)
{
  return st->wavelength + (PetscReal)j * ls->spacing;
}

/**
  @brief The untuned resonance (m) of ring i of a group at temperature T (K) with fabrication offset `offset` (m):
  wavelength + i * spacing + offset + drift * (T - T0).

  Not collective.
**/
PetscReal PhRingResonance(const PhRingGroup *g, PetscInt i, PetscReal offset, PetscReal t0, PetscReal temperature)
{
  return g->wavelength + (PetscReal)i * g->spacing + offset + g->drift * (temperature - t0);
}

/**
  @brief The detuning penalty of a ring with residual detuning r and linewidth FWHM: 10 log10(1 + (2 r / FWHM)^2) dB.

  Not collective.
**/
PetscReal PhDetuningPenalty(PetscReal residual, PetscReal fwhm)
{
  PetscReal x = 2 * residual / fwhm;

  return 10 * PetscLog10Real(1 + x * x);
}

/**
  @brief Lock one ring that needs a red shift `shift` (m) to reach its line, under `fixed` (wrap false) or `wrap`.

  Heaters only red-shift, within range = efficiency * max_power. Locked: P = d / efficiency, residual lock_error.
  Fixed with d < 0 (ring redder than its line): P = 0, residual -d. Otherwise unlocked: P = max_power, residual
  d - range. The line (c(i)) is left for the caller to set.

  Not collective.
**/
void PhLockRing(const PhRingGroup *g, PetscBool wrap, PetscReal shift, PhRingLock *lock)
{
  PetscReal range = g->heater_efficiency * g->heater_max_power, d = shift;
  PetscInt  k = 0;

  if (wrap) {
    PetscReal q = PetscFloorReal(shift / g->fsr);

    d = shift - q * g->fsr;
    if (d >= g->fsr) d -= g->fsr, q += 1; /* rounding at an order boundary */
    if (d < 0) d += g->fsr, q -= 1;
    k = (PetscInt)q;
  }
  lock->shift     = shift;
  lock->distance  = d;
  lock->order     = k;
  lock->locked    = (PetscBool)(d >= 0 && d <= range);
  lock->saturated = PETSC_FALSE;
  if (lock->locked) {
    lock->power    = d / g->heater_efficiency;
    lock->residual = g->lock_error;
    if (lock->power >= g->heater_max_power) lock->saturated = PETSC_TRUE;
  } else if (d < 0) {
    lock->power    = 0;
    lock->residual = -d;
  } else {
    lock->power     = g->heater_max_power;
    lock->residual  = d - range;
    lock->saturated = PETSC_TRUE;
  }
}

/* Lock every ring of a group with ring i serving line (i + r) mod N, each with wrap (rotate) or as `wrap` says. */
static void PhLockRotation(const PhRingGroup *g, PetscBool wrap, const PetscReal line[], const PetscReal resonance[], PetscInt r, PhRingLock lock[],
                           PetscInt *locked, PetscReal *power)
{
  PetscInt n = g->count;

  *locked = 0;
  *power  = 0;
  for (PetscInt i = 0; i < n; i++) {
    PetscInt c = (i + r) % n;

    PhLockRing(g, wrap, line[c] - resonance[i], &lock[i]);
    lock[i].line = c;
    *locked += lock[i].locked;
    *power += lock[i].power;
  }
}

/**
  @brief Lock a ring group to its laser lines under a policy (PHYSICS §3); returns the rotation used (0 unless rotate).

  `line[c]` is the wavelength of laser line c and `resonance[i]` the untuned resonance of ring i (both m, length
  count). Under `rotate`, the rotation r that locks the most rings, then needs the least heater power (then the
  smallest r), is chosen; a previous rotation (`rotation` >= 0) is kept unless another locks strictly more rings.

  Not collective.
**/
PetscInt PhLockGroup(const PhRingGroup *g, PhLockPolicy policy, const PetscReal line[], const PetscReal resonance[], PetscInt rotation,
                     PhRingLock lock[])
{
  PetscInt  n = g->count, best = -1, best_locked = -1, kept_locked = -1, nl;
  PetscReal best_power = PETSC_MAX_REAL, p;

  if (policy != PH_LOCK_ROTATE) {
    PhLockRotation(g, (PetscBool)(policy == PH_LOCK_WRAP), line, resonance, 0, lock, &nl, &p);
    return 0;
  }
  for (PetscInt r = 0; r < n; r++) {
    PhLockRotation(g, PETSC_TRUE, line, resonance, r, lock, &nl, &p);
    if (r == rotation) kept_locked = nl;
    if (nl > best_locked || (nl == best_locked && p < best_power)) best = r, best_locked = nl, best_power = p;
  }
  if (rotation >= 0 && rotation < n && kept_locked >= best_locked) best = rotation;
  PhLockRotation(g, PETSC_TRUE, line, resonance, best, lock, &nl, &p);
  return best;
}

/**
  @brief The slice of ring `ring` of group `group`: its block cut into `count` equal slices along its longer lateral
  side (x on a tie), numbered from the low-coordinate end (PHYSICS §1). Gives the axis (0 x, 1 y) and the range, m.

  Not collective.
**/
void PhRingSlice(const PhCase pb, PetscInt group, PetscInt ring, PetscInt *axis, PetscReal *lo, PetscReal *hi)
{
  const PhRingGroup *g  = &pb->optics.rings[group];
  const PhBlock     *b  = &pb->blocks[g->block];
  PetscInt           d  = (b->y1 - b->y0) > (b->x1 - b->x0) ? 1 : 0;
  PetscReal          a0 = d ? b->y0 : b->x0, a1 = d ? b->y1 : b->x1, w = (a1 - a0) / g->count;

  *axis = d;
  *lo   = a0 + w * ring;
  *hi   = ring == g->count - 1 ? a1 : a0 + w * (ring + 1);
}

/* SplitMix64's finaliser: a bijection of 64-bit words with full avalanche. */
static inline uint64_t PhMix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/**
  @brief A standard normal deviate that depends only on (seed, draw, stream): a counter-based generator, so that any
  rank can produce any draw and the yield does not depend on how draws are distributed (PHYSICS §5).

  Two uniforms from hashes of the key feed the Box-Muller transform. Not collective.
**/
PetscReal PhRandomNormal(PetscInt64 seed, PetscInt64 draw, PetscInt64 stream)
{
  uint64_t  key = PhMix64(PhMix64(PhMix64((uint64_t)seed + 0x9e3779b97f4a7c15ULL) ^ (uint64_t)draw) ^ (uint64_t)stream);
  PetscReal u1  = ((PetscReal)(PhMix64(key ^ 0x1ULL) >> 11) + 0.5) * 0x1.0p-53; /* in (0, 1) */
  PetscReal u2  = (PetscReal)(PhMix64(key ^ 0x2ULL) >> 11) * 0x1.0p-53;

  return PetscSqrtReal(-2 * PetscLogReal(u1)) * PetscCosReal(2 * PETSC_PI * u2);
}

/*
  Spectral yield by Monte Carlo (PHYSICS §5): fabrication offsets drawn per die and per ring replace the measured
  offsets, the locking is replayed on the recorded ring and laser temperatures, and a line is good when its margin
  holds at every sample.

  A draw must cost O(rings), not O(rings * samples). For each ring the nominal shifts s0(t) (line minus untuned
  resonance at zero offset) are sorted once; with offset o the ring needs s0(t) - o. From the extremes (fixed) or a
  binary search per resonance order (wrap) follows the worst unlocked residual over the run, U(o), zero when the ring
  stays locked throughout. A line whose two rings stay locked is decided exactly by its budget; otherwise bounds
  from U decide most lines, and only the undecided ones (and rotate groups without a rotation that locks every ring
  throughout) are replayed sample by sample with the run's own locking code.
*/
#include <photherm/optics.h>

#include <math.h>
#include <stdlib.h>

#define PH_STREAM_DIE ((PetscInt64)1 << 40) /* generator streams of die offsets, after those of the rings */

/* What one link's replay needs, precomputed over the samples. */
typedef struct {
  const PhLink      *link;
  const PhLaser     *laser;
  const PhRingGroup *group[2]; /* tx, rx */
  PetscInt           first[2]; /* global index of ring 0 of each group */
  PetscInt           n;        /* lines = rings per group */
  PetscReal         *budget;   /* [sample] P_dBm - loss - sensitivity - margin_threshold, dB */
  PetscReal          bmin, bmax;
  PetscReal         *line0;  /* [sample] laser line 0, m */
  PetscReal         *sorted; /* [2][n][nsamples] sorted nominal shifts of ring i serving line i */
  PetscReal          le_penalty;
  PetscBool          rotate, wrap;
} PhYieldLink;

static int PhCompareReal(const void *a, const void *b)
{
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;

  return (x > y) - (x < y);
}

/* Index of the first value >= x in sorted v[0..n). */
static PetscInt PhLowerBound(const PetscReal *v, PetscInt n, PetscReal x)
{
  PetscInt lo = 0, hi = n;

  while (lo < hi) {
    PetscInt mid = (lo + hi) / 2;

    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The worst unlocked residual over the samples of a ring needing shifts v - o (v sorted, length n): 0 when it stays
   locked at every sample. */
static PetscReal PhWorstResidual(const PhRingGroup *g, PetscBool wrap, const PetscReal *v, PetscInt n, PetscReal o)
{
  PetscReal range = g->heater_efficiency * g->heater_max_power, worst = 0;

  if (!wrap) return PetscMax(0, PetscMax(o - v[0], v[n - 1] - range - o));
  {
    PetscReal k0 = PetscFloorReal((v[0] - o) / g->fsr), k1 = PetscFloorReal((v[n - 1] - o) / g->fsr);

    if (k1 - k0 + 1 > (PetscReal)n) { /* more resonance orders than samples: look at every sample */
      for (PetscInt i = 0; i < n; i++) {
        PhRingLock l;

        PhLockRing(g, PETSC_TRUE, v[i] - o, &l);
        if (!l.locked) worst = PetscMax(worst, l.residual);
      }
      return worst;
    }
    for (PetscReal k = k0; k <= k1; k += 1) { /* the largest shift of each order sets its worst distance */
      PetscInt  i = PhLowerBound(v, n, o + (k + 1) * g->fsr) - 1;
      PetscReal d;

      if (i < 0 || v[i] < o + k * g->fsr) continue;
      d     = v[i] - o - k * g->fsr;
      worst = PetscMax(worst, d - range);
    }
    return worst;
  }
}

/* Replay lines of a fixed or wrap link sample by sample: is line j good with these offsets? */
static PetscBool PhReplayLine(const PhYieldLink *yl, const PhOptics *op, PetscInt nsamples, const PetscReal ring_t[], PetscInt nring, PetscInt j,
                              const PetscReal off[2])
{
  for (PetscInt s = 0; s < nsamples; s++) {
    PetscReal pen = 0;

    for (PetscInt side = 0; side < 2; side++) {
      const PhRingGroup *g   = yl->group[side];
      PetscReal          res = PhRingResonance(g, j, off[side], op->reference_temperature, ring_t[s * nring + yl->first[side] + j]);
      PhRingLock         l;

      PhLockRing(g, yl->wrap, yl->line0[s] + (PetscReal)j * yl->laser->spacing - res, &l);
      pen += PhDetuningPenalty(l.residual, g->wavelength / g->q);
    }
    if (pen > yl->budget[s]) return PETSC_FALSE;
  }
  return PETSC_TRUE;
}

/* Replay a rotate link sample by sample with its hysteresis; counts the lines good at every sample. */
static PetscErrorCode PhReplayRotate(const PhYieldLink *yl, const PhOptics *op, PetscInt nsamples, const PetscReal ring_t[], PetscInt nring,
                                     const PetscReal *off[2], PetscBool good[])
{
  PetscInt    n = yl->n, rot[2] = {-1, -1};
  PetscReal  *lines = NULL, *res[2] = {NULL, NULL};
  PhRingLock *locks[2] = {NULL, NULL};

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc5(n, &lines, n, &res[0], n, &res[1], n, &locks[0], n, &locks[1]));
  for (PetscInt j = 0; j < n; j++) good[j] = PETSC_TRUE;
  for (PetscInt s = 0; s < nsamples; s++) {
    for (PetscInt j = 0; j < n; j++) lines[j] = yl->line0[s] + (PetscReal)j * yl->laser->spacing;
    for (PetscInt side = 0; side < 2; side++) {
      const PhRingGroup *g = yl->group[side];

      for (PetscInt i = 0; i < n; i++)
        res[side][i] = PhRingResonance(g, i, off[side][i], op->reference_temperature, ring_t[s * nring + yl->first[side] + i]);
      rot[side] = PhLockGroup(g, PH_LOCK_ROTATE, lines, res[side], rot[side], locks[side]);
    }
    for (PetscInt j = 0; j < n; j++) {
      PetscReal total = 0;

      for (PetscInt side = 0; side < 2; side++) {
        const PhRingGroup *g = yl->group[side];
        PetscInt           i = ((j - rot[side]) % n + n) % n; /* the ring serving line j */

        total += PhDetuningPenalty(locks[side][i].residual, g->wavelength / g->q);
      }
      if (total > yl->budget[s]) good[j] = PETSC_FALSE;
    }
  }
  PetscCall(PetscFree5(lines, res[0], res[1], locks[0], locks[1]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Does some rotation keep every ring of one side locked at every sample? */
static PetscBool PhRotateAllLocked(const PhYieldLink *yl, PetscInt side, PetscInt nsamples, const PetscReal *off)
{
  const PhRingGroup *g = yl->group[side];
  PetscInt           n = yl->n;

  for (PetscInt r = 0; r < n; r++) {
    PetscBool all = PETSC_TRUE;

    for (PetscInt i = 0; i < n && all; i++) {
      PetscReal extra = (PetscReal)((i + r) % n - i) * yl->laser->spacing; /* line (i + r) mod n instead of line i */

      if (PhWorstResidual(g, PETSC_TRUE, yl->sorted + (side * n + i) * nsamples, nsamples, off[i] - extra) > 0) all = PETSC_FALSE;
    }
    if (all) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/**
  @brief The spectral yield of every link by Monte Carlo (PHYSICS §5).

  `laser_temperature` is [nsamples][nlasers] and `ring_temperature` [nsamples][total rings] (rings of all groups in
  case order), both K, over the samples with t >= metrics_from. Draws are spread over the ranks of `comm` and their
  integer counts summed, so every rank gets the same numbers whatever the number of ranks.

  Collective.
**/
PetscErrorCode PhYieldSpectral(MPI_Comm comm, const PhOptics *op, const PhYield *yield, PetscInt nsamples, const PetscReal laser_t[],
                               const PetscReal ring_t[], PhLinkYield result[])
{
  PetscMPIInt  rank, size;
  PetscInt     nring = 0, *first, nlinks = op->nlinks;
  PhYieldLink *yl;
  PetscInt64  *counts; /* per link: sum of good lines, sum of their squares, draws with all lines good */
  PetscReal   *die_z, *off[2];
  PetscBool   *good;
  PetscInt     maxn = 1;

  PetscFunctionBeginUser;
  PetscCall(PhLogEventsRegister());
  PetscCall(PetscLogEventBegin(PH_EVENT_YIELD, 0, 0, 0, 0));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1(op->nrings + 1, &first));
  for (PetscInt g = 0; g < op->nrings; g++) first[g] = nring, nring += op->rings[g].count;
  PetscCall(PetscCalloc2(nlinks, &yl, 3 * nlinks, &counts));
  for (PetscInt l = 0; l < nlinks; l++) {
    PhYieldLink *y = &yl[l];

    y->link       = &op->links[l];
    y->laser      = &op->lasers[y->link->laser];
    y->group[0]   = &op->rings[y->link->tx];
    y->group[1]   = &op->rings[y->link->rx];
    y->first[0]   = first[y->link->tx];
    y->first[1]   = first[y->link->rx];
    y->n          = y->laser->lines;
    y->rotate     = (PetscBool)(y->link->lock == PH_LOCK_ROTATE);
    y->wrap       = (PetscBool)(y->link->lock != PH_LOCK_FIXED);
    maxn          = PetscMax(maxn, y->n);
    y->bmin       = PETSC_MAX_REAL;
    y->bmax       = PETSC_MIN_REAL;
    y->le_penalty = PhDetuningPenalty(y->group[0]->lock_error, y->group[0]->wavelength / y->group[0]->q) +
                    PhDetuningPenalty(y->group[1]->lock_error, y->group[1]->wavelength / y->group[1]->q);
    PetscCall(PetscMalloc3(nsamples, &y->budget, nsamples, &y->line0, 2 * y->n * nsamples, &y->sorted));
    for (PetscInt s = 0; s < nsamples; s++) {
      PhLaserState st;

      PhLaserEvaluate(y->laser, op->reference_temperature, laser_t[s * op->nlasers + y->link->laser], &st);
      y->line0[s]  = st.wavelength;
      y->budget[s] = st.power_dbm - y->link->loss - y->link->sensitivity - y->link->margin_threshold;
      y->bmin      = PetscMin(y->bmin, y->budget[s]);
      y->bmax      = PetscMax(y->bmax, y->budget[s]);
      for (PetscInt side = 0; side < 2; side++)
        for (PetscInt i = 0; i < y->n; i++)
          y->sorted[(side * y->n + i) * nsamples + s] = PhLaserLine(y->laser, &st, i) - PhRingResonance(y->group[side], i, 0,
                                                                                                        op->reference_temperature,
                                                                                                        ring_t[s * nring + y->first[side] + i]);
    }
    for (PetscInt q = 0; q < 2 * y->n; q++) qsort(y->sorted + q * nsamples, (size_t)nsamples, sizeof(PetscReal), PhCompareReal);
  }
  PetscCall(PetscMalloc4(op->ndies + 1, &die_z, maxn, &off[0], maxn, &off[1], maxn, &good));
  for (PetscInt64 d = rank; nsamples > 0 && d < yield->samples; d += size) {
    for (PetscInt k = 0; k < op->ndies; k++) die_z[k] = PhRandomNormal(yield->seed, d, PH_STREAM_DIE + k);
    for (PetscInt l = 0; l < nlinks; l++) {
      PhYieldLink *y     = &yl[l];
      PetscInt     ngood = 0, n = y->n;

      for (PetscInt side = 0; side < 2; side++) {
        const PhRingGroup *g = y->group[side];

        for (PetscInt i = 0; i < n; i++)
          off[side][i] = g->sigma_die * die_z[g->die_index] + g->sigma_local * PhRandomNormal(yield->seed, d, y->first[side] + i);
      }
      if (y->rotate) {
        if (PhRotateAllLocked(y, 0, nsamples, off[0]) && PhRotateAllLocked(y, 1, nsamples, off[1])) {
          for (PetscInt j = 0; j < n; j++) good[j] = (PetscBool)(y->le_penalty <= y->bmin);
        } else {
          const PetscReal *o[2] = {off[0], off[1]};

          PetscCall(PhReplayRotate(y, op, nsamples, ring_t, nring, o, good));
        }
      } else {
        for (PetscInt j = 0; j < n; j++) {
          PetscReal u[2], le[2], o2[2] = {off[0][j], off[1][j]};

          for (PetscInt side = 0; side < 2; side++) {
            u[side]  = PhWorstResidual(y->group[side], y->wrap, y->sorted + (side * n + j) * nsamples, nsamples, o2[side]);
            le[side] = y->group[side]->lock_error;
          }
          if (u[0] == 0 && u[1] == 0) good[j] = (PetscBool)(y->le_penalty <= y->bmin); /* locked throughout: exact */
          else {
            PetscReal fw0 = y->group[0]->wavelength / y->group[0]->q, fw1 = y->group[1]->wavelength / y->group[1]->q;
            PetscReal upper  = PhDetuningPenalty(PetscMax(u[0], le[0]), fw0) + PhDetuningPenalty(PetscMax(u[1], le[1]), fw1);
            PetscReal lower0 = PhDetuningPenalty(u[0], fw0) + (u[1] == 0 ? PhDetuningPenalty(le[1], fw1) : 0);
            PetscReal lower1 = PhDetuningPenalty(u[1], fw1) + (u[0] == 0 ? PhDetuningPenalty(le[0], fw0) : 0);

            if (upper <= y->bmin) good[j] = PETSC_TRUE;
            else if (lower0 > y->bmax || lower1 > y->bmax) good[j] = PETSC_FALSE;
            else good[j] = PhReplayLine(y, op, nsamples, ring_t, nring, j, o2);
          }
        }
      }
      for (PetscInt j = 0; j < n; j++) ngood += good[j];
      counts[3 * l] += ngood;
      counts[3 * l + 1] += (PetscInt64)ngood * ngood;
      counts[3 * l + 2] += ngood == n;
    }
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, counts, (PetscMPIInt)(3 * nlinks), MPIU_INT64, MPI_SUM, comm));
  for (PetscInt l = 0; l < nlinks; l++) {
    PetscReal D = (PetscReal)yield->samples, n = (PetscReal)yl[l].n;
    PetscReal mean = (PetscReal)counts[3 * l] / (D * n), sq = (PetscReal)counts[3 * l + 1] / (n * n), all = (PetscReal)counts[3 * l + 2] / D;

    result[l].draws       = yield->samples;
    result[l].spectral    = nsamples > 0 ? mean : 0;
    result[l].link        = nsamples > 0 ? all : 0;
    result[l].spectral_se = D > 1 && nsamples > 0 ? PetscSqrtReal(PetscMax(0, (sq - D * mean * mean) / (D - 1)) / D) : 0;
    result[l].link_se     = D > 1 && nsamples > 0 ? PetscSqrtReal(PetscMax(0, all * (1 - all) * D / (D - 1)) / D) : 0;
    PetscCall(PetscFree3(yl[l].budget, yl[l].line0, yl[l].sorted));
  }
  PetscCall(PetscFree4(die_z, off[0], off[1], good));
  PetscCall(PetscFree2(yl, counts));
  PetscCall(PetscFree(first));
  PetscCall(PetscLogEventEnd(PH_EVENT_YIELD, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Optics (PHYSICS §2-§5): laser lines and power versus temperature, the detuning penalty, locking under fixed, wrap
  and rotate, the counter-based generator, and the spectral yield against a brute-force replay written here and
  against a closed-form probability. Expected values are computed by hand (literals with their formulas) or by the
  reference implementation in this file, never by the code under test.
*/
#include "ph_test.h"

#include <math.h>
#include <photherm/optics.h>
#include <string.h>

#define NM 1e-9
#define MW 1e-3

/* A ring group for the locking tests: range = 0.28 nm/mW * 20 mW = 5.6 nm. */
static PhRingGroup group(PetscReal fsr, PetscReal lock_error)
{
  PhRingGroup g = {0};

  g.count             = 4;
  g.wavelength        = 1300 * NM;
  g.spacing           = 1 * NM;
  g.drift             = 0.07 * NM;
  g.fsr               = fsr;
  g.q                 = 5000;
  g.lock_error        = lock_error;
  g.heater_efficiency = 0.28 * NM / MW;
  g.heater_max_power  = 20 * MW;
  return g;
}

START_TEST(laser_line_power_and_efficiency_follow_its_temperature)
{
  PhLaser      ls = {0};
  PhLaserState st;

  ls.wavelength  = 1310 * NM;
  ls.lines       = 8;
  ls.spacing     = 1.12 * NM;
  ls.drift       = 0.09 * NM;
  ls.power_dbm   = 10;
  ls.power_drift = -0.02;
  ls.wpe         = 0.2;
  ls.wpe_t1      = 200;
  PhLaserEvaluate(&ls, 298.15, 318.15, &st);                              /* 20 K above T0 */
  ck_assert_double_eq_tol(st.wavelength, 1311.8 * NM, 1e-21);             /* 1310 + 0.09 * 20 nm */
  ck_assert_double_eq_tol(PhLaserLine(&ls, &st, 3), 1315.16 * NM, 1e-21); /* + 3 * 1.12 nm */
  ck_assert_double_eq_tol(st.power_dbm, 9.6, 1e-12);                      /* 10 - 0.02 * 20 dBm */
  ck_assert_double_eq_tol(st.wpe, 0.18096748360719192, 1e-15);            /* 0.2 exp(-20/200) */
  ck_assert_double_eq_tol(st.optical, 0.07296086714847277, 1e-15);        /* 8 * 10^0.96 mW */
  ck_assert_double_eq_tol(st.electrical, 0.4031711426503651, 1e-14);      /* optical / wpe */
}
END_TEST

START_TEST(penalty_is_3_db_at_half_the_linewidth)
{
  PetscReal fwhm = 1300 * NM / 5000;

  ck_assert_double_eq_tol(PhDetuningPenalty(0, fwhm), 0, 1e-15);
  ck_assert_double_eq_tol(PhDetuningPenalty(fwhm / 2, fwhm), 3.010299956639812, 1e-12); /* 10 log10 2 */
  ck_assert_double_eq_tol(PhDetuningPenalty(fwhm, fwhm), 6.989700043360188, 1e-12);     /* 10 log10 5 */
}
END_TEST

START_TEST(fixed_locks_within_range_and_reports_red_and_saturated_rings)
{
  PhRingGroup g = group(12.7 * NM, 0.01 * NM);
  PhRingLock  l;

  PhLockRing(&g, PETSC_FALSE, 1.4 * NM, &l); /* in range: P = 1.4 / 0.28 = 5 mW */
  ck_assert(l.locked && !l.saturated);
  ck_assert_double_eq_tol(l.power, 5 * MW, 1e-15);
  ck_assert_double_eq_tol(l.residual, 0.01 * NM, 1e-22);
  ck_assert_int_eq(l.order, 0);
  PhLockRing(&g, PETSC_FALSE, -0.3 * NM, &l); /* redder than its line: no heat, residual 0.3 nm */
  ck_assert(!l.locked && !l.saturated);
  ck_assert_double_eq(l.power, 0);
  ck_assert_double_eq_tol(l.residual, 0.3 * NM, 1e-22);
  PhLockRing(&g, PETSC_FALSE, 7.0 * NM, &l); /* beyond the range: max power, residual 7 - 5.6 nm */
  ck_assert(!l.locked && l.saturated);
  ck_assert_double_eq_tol(l.power, 20 * MW, 1e-15);
  ck_assert_double_eq_tol(l.residual, 1.4 * NM, 1e-21);
}
END_TEST

START_TEST(wrap_locks_to_the_next_order_across_the_fsr)
{
  PhRingGroup g = group(12.7 * NM, 0), h = group(5.0 * NM, 0);
  PhRingLock  l;

  PhLockRing(&g, PETSC_TRUE, -0.3 * NM, &l); /* d = 12.7 - 0.3 = 12.4 nm > 5.6: saturated, residual 6.8 nm */
  ck_assert(!l.locked && l.saturated);
  ck_assert_int_eq(l.order, -1);
  ck_assert_double_eq_tol(l.distance, 12.4 * NM, 1e-21);
  ck_assert_double_eq_tol(l.residual, 6.8 * NM, 1e-21);
  PhLockRing(&h, PETSC_TRUE, -0.3 * NM, &l); /* FSR 5 nm: d = 4.7 nm, within range: 4.7 / 0.28 mW */
  ck_assert(l.locked);
  ck_assert_int_eq(l.order, -1);
  ck_assert_double_eq_tol(l.power, 4.7 / 0.28 * MW, 1e-14);
  PhLockRing(&g, PETSC_TRUE, 13.0 * NM, &l); /* one order up: d = 0.3 nm, k = 1 */
  ck_assert(l.locked);
  ck_assert_int_eq(l.order, 1);
  ck_assert_double_eq_tol(l.distance, 0.3 * NM, 1e-21);
}
END_TEST

START_TEST(rotate_picks_the_rotation_that_locks_most_then_needs_least_power)
{
  PhRingGroup g = group(4.0 * NM, 0); /* 4 lines 1 nm apart, FSR = 4 spacings */
  PetscReal   line[4], res[4];
  PhRingLock  l[4];
  PetscInt    r;

  g.heater_max_power = 1.5 * NM / g.heater_efficiency; /* range 1.5 nm */
  for (int i = 0; i < 4; i++) line[i] = 1300 * NM + i * NM;
  /* every ring 0.2 nm red of its own line: r = 0 needs 3.8 nm, r = 1 needs 0.8 nm (ring 3 wraps to line 0) */
  for (int i = 0; i < 4; i++) res[i] = line[i] + 0.2 * NM;
  r = PhLockGroup(&g, PH_LOCK_ROTATE, line, res, -1, l);
  ck_assert_int_eq(r, 1);
  for (int i = 0; i < 4; i++) {
    ck_assert(l[i].locked);
    ck_assert_int_eq(l[i].line, (i + 1) % 4);
    ck_assert_double_eq_tol(l[i].power, 0.8 / 0.28 * MW, 1e-12);
  }
  ck_assert_int_eq(l[3].order, -1); /* line 0 is one FSR below ring 3's next order */
  /* 0.4 nm blue: r = 0 (0.4 nm each) and r = 1 (1.4 nm each) both lock all four */
  for (int i = 0; i < 4; i++) res[i] = line[i] - 0.4 * NM;
  ck_assert_int_eq(PhLockGroup(&g, PH_LOCK_ROTATE, line, res, -1, l), 0); /* fresh: least power */
  ck_assert_int_eq(PhLockGroup(&g, PH_LOCK_ROTATE, line, res, 1, l), 1);  /* kept: no rotation locks more */
  ck_assert_int_eq(PhLockGroup(&g, PH_LOCK_ROTATE, line, res, 2, l), 0);  /* r = 2 locks none: move */
  ck_assert_int_eq(PhLockGroup(&g, PH_LOCK_WRAP, line, res, 2, l), 0);
  ck_assert_int_eq(l[2].line, 2);
}
END_TEST

START_TEST(generator_is_reproducible_and_standard_normal)
{
  const int n   = 200000;
  double    sum = 0, sq = 0, tail = 0;

  ck_assert_double_eq(PhRandomNormal(7, 123, 5), PhRandomNormal(7, 123, 5));
  ck_assert(PhRandomNormal(7, 123, 5) != PhRandomNormal(7, 123, 6));
  ck_assert(PhRandomNormal(7, 123, 5) != PhRandomNormal(7, 124, 5));
  ck_assert(PhRandomNormal(7, 123, 5) != PhRandomNormal(8, 123, 5));
  for (int i = 0; i < n; i++) {
    double z = PhRandomNormal(1, i, 3);

    sum += z;
    sq += z * z;
    tail += fabs(z) > 2;
  }
  ck_assert_double_le(fabs(sum / n), 5 / sqrt(n));                       /* mean 0 within 5 standard errors */
  ck_assert_double_le(fabs(sq / n - 1), 5 * sqrt(2.0 / n));              /* variance 1 */
  ck_assert_double_le(fabs(tail / n - 0.0455003), 5 * sqrt(0.0455 / n)); /* P(|z| > 2) = erfc(sqrt 2) */
}
END_TEST

/* ---------- spectral yield ---------- */

#define NS 40 /* samples */
#define NL 8  /* lines */

typedef struct {
  PhLaser     laser;
  PhRingGroup rings[2];
  PhLink      link;
  PhOptics    op;
  PhYield     y;
  char       *dies[1];
  PetscReal   laser_t[NS], ring_t[NS * 2 * NL];
} Scenario;

/* A DFB laser and two ring groups whose temperatures wander over the samples; budget 1 dB so penalties matter. */
static void scenario(Scenario *s, PhLockPolicy lock)
{
  memset(s, 0, sizeof(*s));
  s->laser.type        = PH_LASER_DFB;
  s->laser.wavelength  = 1310 * NM;
  s->laser.lines       = NL;
  s->laser.spacing     = 1.12 * NM;
  s->laser.drift       = 0.09 * NM;
  s->laser.power_dbm   = 10;
  s->laser.power_drift = -0.05;
  s->laser.wpe         = 0.2;
  s->laser.wpe_t1      = 200;
  for (int side = 0; side < 2; side++) {
    PhRingGroup *g = &s->rings[side];

    *g                  = group(lock == PH_LOCK_ROTATE ? 8.96 * NM : 12.7 * NM, 0.02 * NM);
    g->count            = NL;
    g->wavelength       = (1306.5 + 0.6 * side) * NM;
    g->spacing          = 1.12 * NM;
    g->q                = side ? 10000 : 4000;
    g->sigma_die        = 1.0 * NM;
    g->sigma_local      = 0.3 * NM;
    g->die_index        = 0;
    g->heater_max_power = (lock == PH_LOCK_ROTATE ? 2.0 : 5.6) * NM / g->heater_efficiency;
  }
  s->link.laser               = 0;
  s->link.tx                  = 0;
  s->link.rx                  = 1;
  s->link.rate                = 112e9;
  s->link.lock                = lock;
  s->link.loss                = 8;
  s->link.sensitivity         = -12;
  s->link.margin_threshold    = 13; /* budget about 1 dB at the laser's T0 */
  s->dies[0]                  = "pic";
  s->op.reference_temperature = 298.15;
  s->op.nlasers               = 1;
  s->op.nrings                = 2;
  s->op.nlinks                = 1;
  s->op.ndies                 = 1;
  s->op.lasers                = &s->laser;
  s->op.rings                 = s->rings;
  s->op.links                 = &s->link;
  s->op.die_names             = s->dies;
  s->y.present                = PETSC_TRUE;
  s->y.seed                   = 11;
  s->y.samples                = 400;
  for (int t = 0; t < NS; t++) {
    s->laser_t[t] = 300 + 4 * sin(0.3 * t);
    for (int i = 0; i < 2 * NL; i++) s->ring_t[t * 2 * NL + i] = 330 + 6 * sin(2 * PETSC_PI * t / NS + 0.2 * i) + 0.1 * i;
  }
}

/* The lock of PHYSICS §3 written out again: fills power, residual, locked for a ring needing `shift`. */
static void ref_lock(const PhRingGroup *g, int wrap, double shift, double *power, double *residual, int *locked)
{
  double range = g->heater_efficiency * g->heater_max_power, d = wrap ? shift - floor(shift / g->fsr) * g->fsr : shift;

  *locked = d >= 0 && d <= range;
  if (*locked) *power = d / g->heater_efficiency, *residual = g->lock_error;
  else if (d < 0) *power = 0, *residual = -d;
  else *power = g->heater_max_power, *residual = d - range;
}

/* Brute force: replay every sample of every draw; returns the good lines summed over draws and the all-good draws. */
static void ref_yield(const Scenario *s, long *good_sum, long *all_good)
{
  *good_sum = 0;
  *all_good = 0;
  for (long d = 0; d < s->y.samples; d++) {
    double zdie = PhRandomNormal(s->y.seed, d, ((PetscInt64)1 << 40) + 0), off[2][NL];
    int    good[NL], rot[2] = {-1, -1}, ngood = 0;

    for (int side = 0; side < 2; side++)
      for (int i = 0; i < NL; i++)
        off[side][i] = s->rings[side].sigma_die * zdie + s->rings[side].sigma_local * PhRandomNormal(s->y.seed, d, side * NL + i);
    for (int j = 0; j < NL; j++) good[j] = 1;
    for (int t = 0; t < NS; t++) {
      double dt = s->laser_t[t] - 298.15, l0 = s->laser.wavelength + s->laser.drift * dt;
      double budget = s->laser.power_dbm + s->laser.power_drift * dt - s->link.loss - s->link.sensitivity - s->link.margin_threshold;
      double res[2][NL]; /* residual of the ring serving line j */

      for (int side = 0; side < 2; side++) {
        const PhRingGroup *g = &s->rings[side];
        double             reso[NL];
        int                nr = s->link.lock == PH_LOCK_ROTATE ? NL : 1, best = 0, best_n = -1, keep_n = -1;
        double             best_p = 1e300;

        for (int i = 0; i < NL; i++)
          reso[i] = g->wavelength + i * g->spacing + off[side][i] + g->drift * (s->ring_t[t * 2 * NL + side * NL + i] - 298.15);
        for (int r = 0; r < nr; r++) { /* locked count and power of each rotation */
          int    n = 0, lk;
          double p = 0, pw, rs;

          for (int i = 0; i < NL; i++) {
            ref_lock(g, s->link.lock != PH_LOCK_FIXED, l0 + ((i + r) % NL) * s->laser.spacing - reso[i], &pw, &rs, &lk);
            n += lk;
            p += pw;
          }
          if (r == rot[side]) keep_n = n;
          if (n > best_n || (n == best_n && p < best_p)) best = r, best_n = n, best_p = p;
        }
        if (rot[side] >= 0 && keep_n >= best_n) best = rot[side];
        rot[side] = best;
        for (int i = 0; i < NL; i++) {
          double pw, rs;
          int    lk;

          ref_lock(g, s->link.lock != PH_LOCK_FIXED, l0 + ((i + best) % NL) * s->laser.spacing - reso[i], &pw, &rs, &lk);
          res[side][(i + best) % NL] = rs;
        }
      }
      for (int j = 0; j < NL; j++) {
        double pen = 0;

        for (int side = 0; side < 2; side++) {
          double x = 2 * res[side][j] / (s->rings[side].wavelength / s->rings[side].q);

          pen += 10 * log10(1 + x * x);
        }
        if (pen > budget) good[j] = 0;
      }
    }
    for (int j = 0; j < NL; j++) ngood += good[j];
    *good_sum += ngood;
    *all_good += ngood == NL;
  }
}

static void check_against_brute_force(PhLockPolicy lock)
{
  Scenario    s;
  PhLinkYield y;
  long        good, all;

  scenario(&s, lock);
  PH_CK(PhYieldSpectral(PETSC_COMM_SELF, &s.op, &s.y, NS, s.laser_t, s.ring_t, &y));
  ref_yield(&s, &good, &all);
  ck_assert_int_eq(y.draws, s.y.samples);
  ck_assert_double_eq_tol(y.spectral, (double)good / (s.y.samples * NL), 1e-12);
  ck_assert_double_eq_tol(y.link, (double)all / s.y.samples, 1e-12);
  ck_assert(y.spectral > 0.05 && y.spectral < 0.95); /* the scenario exercises both good and bad lines */
}

START_TEST(yield_matches_a_brute_force_replay_under_fixed)
{
  check_against_brute_force(PH_LOCK_FIXED);
}
END_TEST

START_TEST(yield_matches_a_brute_force_replay_under_wrap)
{
  check_against_brute_force(PH_LOCK_WRAP);
}
END_TEST

START_TEST(yield_matches_a_brute_force_replay_under_rotate)
{
  check_against_brute_force(PH_LOCK_ROTATE);
}
END_TEST

START_TEST(yield_without_spread_is_the_nominal_result)
{
  Scenario    s;
  PhLinkYield y;
  long        good, all;

  scenario(&s, PH_LOCK_WRAP);
  s.y.samples = 3;
  for (int side = 0; side < 2; side++) s.rings[side].sigma_die = s.rings[side].sigma_local = 0;
  PH_CK(PhYieldSpectral(PETSC_COMM_SELF, &s.op, &s.y, NS, s.laser_t, s.ring_t, &y));
  s.y.samples = 1; /* every draw is the nominal die */
  ref_yield(&s, &good, &all);
  ck_assert_double_eq_tol(y.spectral, (double)good / NL, 1e-12);
  ck_assert_double_eq_tol(y.spectral_se, 0, 1e-15);
  ck_assert(good > 0 && good < NL);
}
END_TEST

/* Standard normal distribution function. */
static double Phi(double x)
{
  return 0.5 * erfc(-x / sqrt(2.0));
}

START_TEST(yield_under_fixed_matches_the_closed_form_probability)
{
  Scenario    s;
  PhLinkYield y;
  double      sigma = 2 * NM, range = 5.6 * NM, fwhm, rstar, expect = 0, all = 1, budget;

  scenario(&s, PH_LOCK_FIXED);
  s.y.samples = 100000;
  for (int t = 0; t < NS; t++) {
    s.laser_t[t] = 298.15;
    for (int i = 0; i < 2 * NL; i++) s.ring_t[t * 2 * NL + i] = 298.15; /* constant: rings at their design wavelengths */
  }
  s.rings[0].sigma_die = 0, s.rings[0].sigma_local = sigma, s.rings[0].lock_error = 0;
  s.rings[1].sigma_die = 0, s.rings[1].sigma_local = 0, s.rings[1].lock_error = 0;
  s.rings[1].wavelength = s.laser.wavelength - 1 * NM; /* rx locked with 1 nm of heat: residual 0 */
  s.rings[0].wavelength = s.laser.wavelength - 3 * NM; /* tx needs 3 nm nominally */
  s.rings[0].spacing = s.rings[1].spacing = s.laser.spacing;
  s.link.margin_threshold                 = 11; /* budget 3 dB: a line is good while the tx residual <= FWHM/2 * sqrt(10^0.3 - 1) */
  budget                                  = s.laser.power_dbm - s.link.loss - s.link.sensitivity - s.link.margin_threshold;
  fwhm                                    = s.rings[0].wavelength / s.rings[0].q;
  rstar                                   = fwhm / 2 * sqrt(pow(10, budget / 10) - 1);
  /* offset o is good when the shift 3 nm - o is in [-r*, range + r*] */
  for (int j = 0; j < NL; j++) {
    double p = Phi((3 * NM + rstar) / sigma) - Phi((3 * NM - range - rstar) / sigma);

    expect += p / NL;
    all *= p;
  }
  PH_CK(PhYieldSpectral(PETSC_COMM_SELF, &s.op, &s.y, NS, s.laser_t, s.ring_t, &y));
  ck_assert_double_le(fabs(y.spectral - expect), 4 * y.spectral_se);
  ck_assert_double_le(fabs(y.link - all), 4 * y.link_se);
  ck_assert_double_le(y.spectral_se, 2e-3);
}
END_TEST

Suite *ph_optics_suite(void)
{
  Suite *s  = suite_create("optics");
  TCase *tc = tcase_create("models");
  TCase *ty = tcase_create("yield");

  tcase_add_test(tc, laser_line_power_and_efficiency_follow_its_temperature);
  tcase_add_test(tc, penalty_is_3_db_at_half_the_linewidth);
  tcase_add_test(tc, fixed_locks_within_range_and_reports_red_and_saturated_rings);
  tcase_add_test(tc, wrap_locks_to_the_next_order_across_the_fsr);
  tcase_add_test(tc, rotate_picks_the_rotation_that_locks_most_then_needs_least_power);
  tcase_add_test(tc, generator_is_reproducible_and_standard_normal);
  tcase_add_test(ty, yield_matches_a_brute_force_replay_under_fixed);
  tcase_add_test(ty, yield_matches_a_brute_force_replay_under_wrap);
  tcase_add_test(ty, yield_matches_a_brute_force_replay_under_rotate);
  tcase_add_test(ty, yield_without_spread_is_the_nominal_result);
  tcase_add_test(ty, yield_under_fixed_matches_the_closed_form_probability);
  tcase_set_timeout(ty, 60);
  suite_add_tcase(s, tc);
  suite_add_tcase(s, ty);
  return s;
}

/* Signals (DESIGN §3.6): held and linear traces, repeat, patterns, and the breakpoints the integrator lands on. */
#include "ph_test.h"

#include <math.h>
#include <photherm/signal.h>

static PetscReal T[] = {0.0, 1.0, 3.0};
static PetscReal V[] = {10.0, 20.0, 40.0};

static PhSignal trace(PetscBool linear, PetscBool repeat)
{
  PhSignal s = {0};

  s.type   = PH_SIGNAL_TRACE;
  s.n      = 3;
  s.t      = T;
  s.v      = V;
  s.linear = linear;
  s.repeat = repeat;
  s.scale  = 1;
  return s;
}

START_TEST(held_trace_keeps_each_value_until_the_next_row)
{
  PhSignal s = trace(PETSC_FALSE, PETSC_FALSE);

  ck_assert_double_eq(PhSignalEvaluate(&s, -1.0), 10.0); /* before the first row: the first value */
  ck_assert_double_eq(PhSignalEvaluate(&s, 0.0), 10.0);
  ck_assert_double_eq(PhSignalEvaluate(&s, 0.999), 10.0);
  ck_assert_double_eq(PhSignalEvaluate(&s, 1.0), 20.0);
  ck_assert_double_eq(PhSignalEvaluate(&s, 2.5), 20.0);
  ck_assert_double_eq(PhSignalEvaluate(&s, 3.0), 40.0);
  ck_assert_double_eq(PhSignalEvaluate(&s, 100.0), 40.0); /* after the last row: the last value */
}
END_TEST

START_TEST(linear_trace_interpolates)
{
  PhSignal s = trace(PETSC_TRUE, PETSC_FALSE);

  ck_assert_double_eq_tol(PhSignalEvaluate(&s, 0.5), 15.0, 1e-12);
  ck_assert_double_eq_tol(PhSignalEvaluate(&s, 2.0), 30.0, 1e-12);
  ck_assert_double_eq_tol(PhSignalEvaluate(&s, 5.0), 40.0, 1e-12);
}
END_TEST

START_TEST(repeated_trace_loops_with_period_last_minus_first)
{
  PhSignal  s = trace(PETSC_FALSE, PETSC_TRUE);
  PetscReal next;

  ck_assert_double_eq(PhSignalEvaluate(&s, 3.5), 10.0); /* 3.5 -> 0.5 */
  ck_assert_double_eq(PhSignalEvaluate(&s, 4.0), 20.0); /* 4.0 -> 1.0 */
  ck_assert_double_eq(PhSignalEvaluate(&s, 7.2), 20.0); /* 7.2 -> 1.2 */
  PH_CK(PhSignalNextBreak(&s, 3.5, &next));
  ck_assert_double_eq_tol(next, 4.0, 1e-12);
  PH_CK(PhSignalNextBreak(&s, 4.0, &next));
  ck_assert_double_eq_tol(next, 6.0, 1e-12);
}
END_TEST

START_TEST(breakpoints_of_a_held_trace_are_its_rows)
{
  PhSignal  s = trace(PETSC_FALSE, PETSC_FALSE);
  PetscReal next;

  PH_CK(PhSignalNextBreak(&s, -1.0, &next));
  ck_assert_double_eq(next, 0.0);
  PH_CK(PhSignalNextBreak(&s, 0.0, &next));
  ck_assert_double_eq(next, 1.0);
  PH_CK(PhSignalNextBreak(&s, 1.5, &next));
  ck_assert_double_eq(next, 3.0);
  PH_CK(PhSignalNextBreak(&s, 3.0, &next));
  ck_assert(next >= PETSC_INFINITY); /* PETSc's infinity: no further break */
}
END_TEST

START_TEST(square_pattern_is_high_for_the_duty_fraction_after_the_delay)
{
  PhSignal  s = {0};
  PetscReal next;

  s.type   = PH_SIGNAL_SQUARE;
  s.period = 20e-3;
  s.duty   = 0.25;
  s.high   = 30;
  s.low    = 10;
  s.delay  = 5e-3;
  ck_assert_double_eq(PhSignalEvaluate(&s, 0.0), 10);
  ck_assert_double_eq(PhSignalEvaluate(&s, 5e-3), 30);
  ck_assert_double_eq(PhSignalEvaluate(&s, 9.9e-3), 30);
  ck_assert_double_eq(PhSignalEvaluate(&s, 10.1e-3), 10);
  ck_assert_double_eq(PhSignalEvaluate(&s, 25.5e-3), 30);
  PH_CK(PhSignalNextBreak(&s, 0.0, &next));
  ck_assert_double_eq_tol(next, 5e-3, 1e-15);
  PH_CK(PhSignalNextBreak(&s, 5e-3, &next));
  ck_assert_double_eq_tol(next, 10e-3, 1e-15);
  PH_CK(PhSignalNextBreak(&s, 10e-3, &next));
  ck_assert_double_eq_tol(next, 25e-3, 1e-15);
}
END_TEST

START_TEST(sine_pattern_starts_at_its_mean)
{
  PhSignal s = {0};

  s.type      = PH_SIGNAL_SINE;
  s.period    = 4.0;
  s.mean      = 50;
  s.amplitude = 10;
  s.delay     = 1.0;
  ck_assert_double_eq(PhSignalEvaluate(&s, 0.5), 50);
  ck_assert_double_eq_tol(PhSignalEvaluate(&s, 2.0), 60, 1e-12);
  ck_assert_double_eq_tol(PhSignalEvaluate(&s, 4.0), 40, 1e-12);
  ck_assert(!PhSignalIsConstant(&s));
}
END_TEST

Suite *ph_signal_suite(void)
{
  Suite *s  = suite_create("signal");
  TCase *tc = tcase_create("evaluate");

  tcase_add_test(tc, held_trace_keeps_each_value_until_the_next_row);
  tcase_add_test(tc, linear_trace_interpolates);
  tcase_add_test(tc, repeated_trace_loops_with_period_last_minus_first);
  tcase_add_test(tc, breakpoints_of_a_held_trace_are_its_rows);
  tcase_add_test(tc, square_pattern_is_high_for_the_duty_fraction_after_the_delay);
  tcase_add_test(tc, sine_pattern_starts_at_its_mean);
  suite_add_tcase(s, tc);
  return s;
}

/* Units and expressions (DESIGN §3.1): every unit, dimensions, temperatures, logarithmic units, precedence, parameters. */
#include "ph_test.h"

#include <photherm/units.h>
#include <string.h>

/* Parse `text` as `type`; assert validity and, when valid, the SI value to a relative tolerance. */
static void expect_value(const char *text, PhQuantityType type, double si)
{
  PetscReal value = 0;
  PetscBool valid = PETSC_FALSE;
  char      reason[512];

  PH_CK(PhUnitsParse(text, type, NULL, NULL, NULL, &value, &valid, reason, sizeof(reason)));
  ck_assert_msg(valid, "\"%s\" should be valid: %s", text, reason);
  ck_assert_msg(PetscAbsReal(value - si) <= 1e-12 * PetscAbsReal(si) + 1e-300, "\"%s\" gave %.17g, expected %.17g", text, (double)value, si);
}

/* Parse `text` as `type`; assert it is rejected and that the reason contains `needle`. */
static void expect_error(const char *text, PhQuantityType type, const char *needle)
{
  PetscReal value;
  PetscBool valid = PETSC_TRUE;
  char      reason[512];

  PH_CK(PhUnitsParse(text, type, NULL, NULL, NULL, &value, &valid, reason, sizeof(reason)));
  ck_assert_msg(!valid, "\"%s\" should be rejected, got %g", text, (double)value);
  ck_assert_msg(strstr(reason, needle) != NULL, "reason for \"%s\" is \"%s\", expected it to contain \"%s\"", text, reason, needle);
}

START_TEST(reads_every_length_time_and_power_unit)
{
  expect_value("50 um", PH_QT_LENGTH, 50e-6);
  expect_value("50um", PH_QT_LENGTH, 50e-6);
  expect_value("2.5 mm", PH_QT_LENGTH, 2.5e-3);
  expect_value("1.5 cm", PH_QT_LENGTH, 1.5e-2);
  expect_value("3 m", PH_QT_LENGTH, 3);
  expect_value("220 nm", PH_QT_LENGTH, 220e-9);
  expect_value("2 s", PH_QT_TIME, 2);
  expect_value("10 ms", PH_QT_TIME, 1e-2);
  expect_value("100 us", PH_QT_TIME, 1e-4);
  expect_value("5 ns", PH_QT_TIME, 5e-9);
  expect_value("700 W", PH_QT_POWER, 700);
  expect_value("20 mW", PH_QT_POWER, 20e-3);
  expect_value("3 uW", PH_QT_POWER, 3e-6);
  expect_value("1.2 kW", PH_QT_POWER, 1200);
}
END_TEST

START_TEST(reads_compound_units)
{
  expect_value("148 W/m/K", PH_QT_CONDUCTIVITY, 148);
  expect_value("2e4 W/m^2/K", PH_QT_HEAT_TRANSFER, 2e4);
  expect_value("2330 kg/m^3", PH_QT_DENSITY, 2330);
  expect_value("2.33 g/cm^3", PH_QT_DENSITY, 2330);
  expect_value("712 J/kg/K", PH_QT_SPECIFIC_HEAT, 712);
  expect_value("1e4 W/m^2", PH_QT_FLUX, 1e4);
  expect_value("0.08 nm/K", PH_QT_DRIFT, 0.08e-9);
  expect_value("0.28 nm/mW", PH_QT_TUNING, 0.28e-9 / 1e-3);
  expect_value("0.017 1/K", PH_QT_INVERSE_TEMPERATURE, 0.017);
  expect_value("112 Gb/s", PH_QT_RATE, 112e9);
  expect_value("2 pJ/bit", PH_QT_ENERGY_PER_BIT, 2e-12);
  expect_value("2 pJ/b", PH_QT_ENERGY_PER_BIT, 2e-12);
  expect_value("200 GHz", PH_QT_FREQUENCY, 200e9);
  expect_value("5 J/s", PH_QT_POWER, 5);
  expect_value("2 mW*s/mJ", PH_QT_DIMENSIONLESS, 2);
  expect_value("1.5 L/min", PH_QT_VOLUME_FLOW, 1.5e-3 / 60);
  expect_value("300 mL/min", PH_QT_VOLUME_FLOW, 300e-6 / 60);
  expect_value("2 min", PH_QT_TIME, 120);
  expect_value("0.025 kg/s", PH_QT_MASS_FLOW, 0.025);
  expect_value("90 kg/min", PH_QT_MASS_FLOW, 1.5);
  expect_error("1.5", PH_QT_VOLUME_FLOW, "needs its unit");
  expect_error("1.5 L", PH_QT_VOLUME_FLOW, "got a volume");
  expect_error("1.5 L/min", PH_QT_MASS_FLOW, "got a volume flow");
  expect_value("1.1 m/s", PH_QT_VELOCITY, 1.1);
  expect_value("110 cm/s", PH_QT_VELOCITY, 1.1);
  expect_error("1.1", PH_QT_VELOCITY, "needs its unit");
  expect_error("1.1 L/min", PH_QT_VELOCITY, "got a volume flow");
}
END_TEST

START_TEST(reads_bare_numbers_in_si)
{
  expect_value("0.001", PH_QT_LENGTH, 1e-3);
  expect_value("700", PH_QT_POWER, 700);
  expect_value("148", PH_QT_CONDUCTIVITY, 148);
  expect_value("1e-3", PH_QT_TIME, 1e-3);
  expect_value("0.5", PH_QT_DIMENSIONLESS, 0.5);
  expect_value("92 %", PH_QT_DIMENSIONLESS, 0.92);
}
END_TEST

START_TEST(temperatures_need_units_and_keep_absolute_and_difference_apart)
{
  expect_value("25 C", PH_QT_TEMPERATURE, 298.15);
  expect_value("300 K", PH_QT_TEMPERATURE, 300);
  expect_value("-40 C", PH_QT_TEMPERATURE, 233.15);
  expect_value("10 K", PH_QT_TEMPERATURE_DIFFERENCE, 10);
  expect_value("25 C + 10 K", PH_QT_TEMPERATURE, 308.15);
  expect_value("85 C - 25 C", PH_QT_TEMPERATURE_DIFFERENCE, 60);
  expect_value("(85 C - 25 C) * 2", PH_QT_TEMPERATURE_DIFFERENCE, 120);
  expect_value("200 K", PH_QT_TEMPERATURE_DIFFERENCE, 200);
  expect_error("45", PH_QT_TEMPERATURE, "needs its unit");
  expect_error("10", PH_QT_TEMPERATURE_DIFFERENCE, "needs its unit");
  expect_error("10 C", PH_QT_TEMPERATURE_DIFFERENCE, "absolute temperature");
  expect_error("85 C - 25 C", PH_QT_TEMPERATURE, "temperature difference");
  expect_error("25 C + 20 C", PH_QT_TEMPERATURE, "cannot be added");
  expect_error("2 * 25 C", PH_QT_TEMPERATURE, "can only be added");
  expect_error("25 C / 2", PH_QT_TEMPERATURE, "can only be added");
  expect_error("25 C + 5", PH_QT_TEMPERATURE, "without unit");
  expect_error("3 W/m/C", PH_QT_CONDUCTIVITY, "use K in compound");
}
END_TEST

START_TEST(accepts_temperatures_as_photherm_prints_them)
{
  expect_value("25 degC", PH_QT_TEMPERATURE, 298.15);
  expect_value("25 °C", PH_QT_TEMPERATURE, 298.15);
  expect_value("25°C + 10 K", PH_QT_TEMPERATURE, 308.15);
  expect_value("85 degC - 25 °C", PH_QT_TEMPERATURE_DIFFERENCE, 60);
  expect_error("10 degC", PH_QT_TEMPERATURE_DIFFERENCE, "absolute temperature");
  expect_error("3 W/m/degC", PH_QT_CONDUCTIVITY, "use K in compound");
}
END_TEST

START_TEST(logarithmic_units_follow_their_own_arithmetic)
{
  expect_value("8 dB", PH_QT_DB, 8);
  expect_value("8 dB + 1.5 dB", PH_QT_DB, 9.5);
  expect_value("0.5 dB * 4", PH_QT_DB, 2);
  expect_value("12 dBm", PH_QT_OPTICAL_POWER, 12);
  expect_value("10 dBm - 8 dB", PH_QT_OPTICAL_POWER, 2);
  expect_value("1 mW", PH_QT_OPTICAL_POWER, 0);
  expect_value("10 mW", PH_QT_OPTICAL_POWER, 10);
  expect_value("-0.02 dB/K", PH_QT_DB_PER_K, -0.02);
  expect_error("8", PH_QT_DB, "needs its unit");
  expect_error("10 dBm * 2", PH_QT_OPTICAL_POWER, "dBm");
  expect_error("10 dBm + 3 dBm", PH_QT_OPTICAL_POWER, "only dBm");
  expect_error("3 dB", PH_QT_OPTICAL_POWER, "got a ratio in dB");
  expect_error("3 dBm", PH_QT_DB, "got a power level in dBm");
  expect_error("3 dBm", PH_QT_POWER, "got a power level in dBm");
  expect_error("-0.02", PH_QT_DB_PER_K, "needs its unit");
  expect_error("1 dB/dBm", PH_QT_DB, "dBm stands alone");
}
END_TEST

START_TEST(wavelengths_need_units)
{
  expect_value("1310 nm", PH_QT_WAVELENGTH, 1310e-9);
  expect_value("1.31 um", PH_QT_WAVELENGTH, 1.31e-6);
  expect_error("1310", PH_QT_WAVELENGTH, "needs its unit");
}
END_TEST

START_TEST(rejects_mismatched_dimensions_naming_what_was_expected)
{
  expect_error("3 W", PH_QT_LENGTH, "expected a length such as \"50 um\", got a power");
  expect_error("5 mm", PH_QT_TIME, "expected a time such as \"100 us\", got a length");
  expect_error("2 W/m/K", PH_QT_HEAT_TRANSFER, "got a thermal conductivity");
  expect_error("5 ms", PH_QT_POWER, "got a time");
  expect_error("5 kg", PH_QT_LENGTH, "got a mass");
  expect_error("5 mm + 3 W", PH_QT_LENGTH, "cannot add a length and a power");
}
END_TEST

START_TEST(rejects_malformed_values)
{
  expect_error("abc", PH_QT_LENGTH, "expected a length such as \"50 um\", got \"abc\"");
  expect_error("5 uz", PH_QT_LENGTH, "unknown unit \"uz\"");
  expect_error("5 mm mm", PH_QT_LENGTH, "unexpected \"mm\"");
  expect_error("", PH_QT_LENGTH, "got \"\"");
  expect_error("nan", PH_QT_LENGTH, "got \"nan\"");
  expect_error("inf", PH_QT_LENGTH, "got \"inf\"");
  expect_error("(5 mm", PH_QT_LENGTH, "missing ')'");
  expect_error("5 mm +", PH_QT_LENGTH, "ends where a value is expected");
  expect_error("5 m^9", PH_QT_LENGTH, "bad exponent");
  expect_error("2 mm / 0", PH_QT_LENGTH, "division by zero");
  expect_error("${gap}", PH_QT_LENGTH, "cannot be used here");
}
END_TEST

START_TEST(detects_overflow)
{
  expect_error("1e400 m", PH_QT_LENGTH, "expected a length such as \"50 um\", got \"1e400 m\" (number out of range)");
  expect_error("1e308 m * 10", PH_QT_LENGTH, "overflow");
  expect_error("1e300 * 1e300", PH_QT_DIMENSIONLESS, "overflow");
  expect_value("1e300 m / 1e290", PH_QT_LENGTH, 1e10); /* a large intermediate is fine; the value is bounded */
  /* finite but beyond what the model can multiply (1e308 W is finite, its energy is not): 0 or 1e-30 to 1e30 */
  expect_error("1e308 m / 10", PH_QT_LENGTH, "outside the magnitudes accepted");
  expect_error("1e308 + 1 W", PH_QT_POWER, "is 1e+308 W, outside the magnitudes accepted (0, or 1e-30 to 1e+30 in SI units)");
  expect_error("1 W / 1e-308", PH_QT_POWER, "outside the magnitudes accepted");
  expect_error("1e-40 W", PH_QT_POWER, "outside the magnitudes accepted");
  expect_value("0 W", PH_QT_POWER, 0);
  expect_value("1e30 W", PH_QT_POWER, 1e30);
  /* a unit of many factors: its exponents stay within 8 (64 times m^4 used to wrap a signed char to m^0, a plain
     number), and its scale within the numbers */
  {
    char unit[600] = "1 m^4", tiny[800] = "1 nm^4";

    for (int i = 1; i < 64; i++) (void)strcat(unit, "*m^4");
    expect_error(unit, PH_QT_DIMENSIONLESS, "an exponent beyond 8");
    for (int i = 1; i < 40; i++) (void)strcat(tiny, i % 2 ? "/mm^4" : "*nm^4");
    expect_error(tiny, PH_QT_DIMENSIONLESS, "its scale is beyond the range of numbers");
  }
  expect_error("1e22 ms", PH_QT_TIME, "is 1e+19 s, more than the 1e+09 s (about 32 years) a time may be");
  expect_value("1e9 s", PH_QT_TIME, 1e9);
}
END_TEST

START_TEST(respects_precedence_and_associativity)
{
  expect_value("1 mm + 2 mm * 3", PH_QT_LENGTH, 7e-3);
  expect_value("(1 mm + 2 mm) * 3", PH_QT_LENGTH, 9e-3);
  expect_value("10 mm / 2 / 5", PH_QT_LENGTH, 1e-3);
  expect_value("10 mm - 2 mm - 3 mm", PH_QT_LENGTH, 5e-3);
  expect_value("-5 mm + 10 mm", PH_QT_LENGTH, 5e-3);
  expect_value("- (2 mm + 1 mm) + 5 mm", PH_QT_LENGTH, 2e-3);
  expect_value("2 * 3 + 4", PH_QT_DIMENSIONLESS, 10);
  expect_value("30 mm + 1.5 mm", PH_QT_LENGTH, 31.5e-3);
  expect_value("700 W / (25 mm * 25 mm)", PH_QT_FLUX, 700 / (25e-3 * 25e-3));
  expect_value("1 W/m^2/K * 2 m", PH_QT_CONDUCTIVITY, 2);
}
END_TEST

/* A parameter table for the lookup callback: gap = 1.5 mm, p = 700 W, t = 35 C. */
static PetscErrorCode lookup(void *ctx, const char name[], PhQuantity *q, PetscBool *found, PetscBool *valid, char *reason, size_t len)
{
  const char *texts[][2] = {
    {"gap", "1.5 mm"},
    {"p",   "700 W" },
    {"t",   "35 C"  },
    {"n",   "8"     }
  };

  (void)ctx;
  *found = PETSC_FALSE;
  for (int i = 0; i < 4; i++) {
    if (!strcmp(name, texts[i][0])) {
      *found = PETSC_TRUE;
      return PhUnitsEvaluate(texts[i][1], NULL, NULL, q, valid, reason, len);
    }
  }
  return PETSC_SUCCESS;
}

START_TEST(substitutes_parameters)
{
  PetscReal v;
  PetscBool valid;
  char      reason[256];

  PH_CK(PhUnitsParse("30 mm + ${gap}", PH_QT_LENGTH, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(valid);
  ck_assert_double_eq_tol(v, 31.5e-3, 1e-15);
  PH_CK(PhUnitsParse("${p} * 2 - 400 W", PH_QT_POWER, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(valid);
  ck_assert_double_eq_tol(v, 1000, 1e-9);
  PH_CK(PhUnitsParse("-${gap} + 2 mm", PH_QT_LENGTH, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(valid);
  ck_assert_double_eq_tol(v, 0.5e-3, 1e-15);
  PH_CK(PhUnitsParse("${t} + 10 K", PH_QT_TEMPERATURE, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(valid);
  ck_assert_double_eq_tol(v, 318.15, 1e-9);
  PH_CK(PhUnitsParse("${gap}", PH_QT_POWER, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(!valid);
  ck_assert_ptr_nonnull(strstr(reason, "got a length"));
  PH_CK(PhUnitsParse("${nope} + 1 mm", PH_QT_LENGTH, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(!valid);
  ck_assert_ptr_nonnull(strstr(reason, "unknown parameter ${nope}"));
  PH_CK(PhUnitsParse("${gap} mm", PH_QT_LENGTH, lookup, NULL, NULL, &v, &valid, reason, sizeof(reason)));
  ck_assert(!valid);
}
END_TEST

START_TEST(maps_header_units_affinely)
{
  PetscReal scale, offset;
  PetscBool valid;
  char      reason[256];

  PH_CK(PhUnitsAffine("ms", PH_QT_TIME, &scale, &offset, &valid, reason, sizeof(reason)));
  ck_assert(valid);
  ck_assert_double_eq_tol(scale, 1e-3, 1e-18);
  ck_assert_double_eq_tol(offset, 0, 1e-18);
  PH_CK(PhUnitsAffine("C", PH_QT_TEMPERATURE, &scale, &offset, &valid, reason, sizeof(reason)));
  ck_assert(valid);
  ck_assert_double_eq_tol(scale, 1, 1e-12);
  ck_assert_double_eq_tol(offset, 273.15, 1e-12);
  PH_CK(PhUnitsAffine("W", PH_QT_TIME, &scale, &offset, &valid, reason, sizeof(reason)));
  ck_assert(!valid);
}
END_TEST

START_TEST(formats_values_for_people)
{
  char buf[64];

  PH_CK(PhUnitsFormat(50e-6, PH_QT_LENGTH, buf, sizeof(buf)));
  ck_assert_str_eq(buf, "50 um");
  PH_CK(PhUnitsFormat(2.5e-3, PH_QT_TIME, buf, sizeof(buf)));
  ck_assert_str_eq(buf, "2.5 ms");
  PH_CK(PhUnitsFormat(308.15, PH_QT_TEMPERATURE, buf, sizeof(buf)));
  ck_assert_str_eq(buf, "35 C");
  PH_CK(PhUnitsFormat(0.02, PH_QT_POWER, buf, sizeof(buf)));
  ck_assert_str_eq(buf, "20 mW");
}
END_TEST

START_TEST(null_text_is_a_programming_error)
{
  PhQuantity q;
  PetscBool  valid;
  char       reason[64];

  PH_CK(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ck_assert_int_eq(PhUnitsEvaluate(NULL, NULL, NULL, &q, &valid, reason, sizeof(reason)), PETSC_ERR_ARG_NULL);
  PH_CK(PetscPopErrorHandler());
}
END_TEST

Suite *ph_units_suite(void)
{
  Suite *s     = suite_create("units");
  TCase *parse = tcase_create("parse"), *arith = tcase_create("arithmetic"), *io = tcase_create("io");

  tcase_add_test(parse, reads_every_length_time_and_power_unit);
  tcase_add_test(parse, reads_compound_units);
  tcase_add_test(parse, reads_bare_numbers_in_si);
  tcase_add_test(parse, wavelengths_need_units);
  tcase_add_test(parse, rejects_mismatched_dimensions_naming_what_was_expected);
  tcase_add_test(parse, rejects_malformed_values);
  tcase_add_test(parse, null_text_is_a_programming_error);
  tcase_add_test(arith, temperatures_need_units_and_keep_absolute_and_difference_apart);
  tcase_add_test(arith, accepts_temperatures_as_photherm_prints_them);
  tcase_add_test(arith, logarithmic_units_follow_their_own_arithmetic);
  tcase_add_test(arith, detects_overflow);
  tcase_add_test(arith, respects_precedence_and_associativity);
  tcase_add_test(arith, substitutes_parameters);
  tcase_add_test(io, maps_header_units_affinely);
  tcase_add_test(io, formats_values_for_people);
  suite_add_tcase(s, parse);
  suite_add_tcase(s, arith);
  suite_add_tcase(s, io);
  return s;
}

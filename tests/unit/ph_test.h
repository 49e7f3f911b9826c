/* tests/unit/ph_test.h - shared by the unit suites: the suites, and PH_CK for PETSc calls inside Check tests. */
#pragma once

#include <check.h>
#include <petscsys.h>
#include <photherm/sys.h>

/* PetscCall() returns a value, which a void Check test cannot: assert success instead. */
#define PH_CK(call) ck_assert_int_eq((call), PETSC_SUCCESS)

Suite *ph_units_suite(void);
Suite *ph_case_suite(void);
Suite *ph_mesh_suite(void);
Suite *ph_signal_suite(void);
Suite *ph_thermal_suite(void);
Suite *ph_optics_suite(void);

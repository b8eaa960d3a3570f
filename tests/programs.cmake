# programs.cmake - the program conformance corpus (tests/programs/*.py) as ctest tests.
#   programs_lint         Pillow only: every program runs under the restricted namespace and
#                         gives 4 EVE-valid, visually distinct results (no vkeve needed, ~5 s)
#   programs_selftest     the comparison itself: a Pillow stand-in for vkeve must pass, and
#                         each injected defect (pixel, size, mode, args repr, failed case,
#                         crash) must be caught
#   programs_conformance  `vkeve exec` against Pillow (tests/reference/pil_exec.py) on the two
#                         test images in assets/, per-program tolerance from its header
# Both run Debian's /usr/bin/python3 (PYTHON3) with its python3-pil and python3-numpy.
add_test(NAME programs_lint
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/compare_programs.py --lint)
set_tests_properties(programs_lint PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 120)

add_test(NAME programs_selftest
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/compare_programs.py --selftest)
set_tests_properties(programs_selftest PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 120)

add_test(NAME programs_conformance
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/compare_programs.py
                 --vkeve $<TARGET_FILE:vkeve>)
set_tests_properties(programs_conformance PROPERTIES
                     ENVIRONMENT "${VKEVE_TEST_ENV}"
                     REQUIRED_FILES $<TARGET_FILE:vkeve>
                     TIMEOUT 600)

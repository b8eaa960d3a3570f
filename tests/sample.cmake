# sample.cmake - tests of the sampler (runtime/sample.h) beyond the plain test_*.c program:
#   sample_ref_selftest  the PyTorch processors of tests/reference/sample_ref.py against cases
#                        worked out by hand from HF's definitions, so the reference that
#                        test_sample compares the C sampler against is itself checked
#   test_sample          (a test_*.c program) log-softmax, kept sets and probabilities ==
#                        sample_ref.py; draw frequencies (chi-square); greedy, penalty,
#                        determinism, one draw per token; stop strings (runtime/stopstr.h)
add_test(NAME sample_ref_selftest
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/sample_ref.py --selftest)
set_tests_properties(sample_ref_selftest PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 120)

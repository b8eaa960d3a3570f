# fuzz.cmake - the libFuzzer test of the program language (tests/fuzz/): builds
# tests/fuzz/fuzz_prog.c with clang (-fsanitize=fuzzer,address,undefined) and fuzzes the parser
# and interpreter for 30 s from the seed corpus. Registered only in the build without
# VKEVE_SANITIZE, so CI runs it once; the target carries its own sanitizers.
find_program(VKEVE_CLANG NAMES clang-14 clang)
if(NOT VKEVE_SANITIZE AND VKEVE_CLANG)
  add_test(NAME prog_fuzz
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzz.sh ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/prog_fuzz 30)
  set_tests_properties(prog_fuzz PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)
endif()

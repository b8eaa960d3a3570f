# fuzz.cmake - the libFuzzer test of the program language (tests/fuzz/). The Release build
# configures a second, clang-built tree with VKEVE_FUZZ=ON (base, vision and prog instrumented
# with libFuzzer, ASan and UBSan) and fuzzes the parser and interpreter for 30 s from the seed
# corpus. Registered only in the build without VKEVE_SANITIZE, so CI runs it once.
find_program(VKEVE_CLANG NAMES clang-14 clang)
if(NOT VKEVE_SANITIZE AND VKEVE_CLANG)
  include(ExternalProject)
  set(fuzz_dir ${CMAKE_CURRENT_BINARY_DIR}/fuzz-build)
  ExternalProject_Add(vkeve_fuzz
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${fuzz_dir}
    CMAKE_ARGS -DCMAKE_C_COMPILER=${VKEVE_CLANG} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKEVE_FUZZ=ON
    BUILD_COMMAND ${CMAKE_COMMAND} --build ${fuzz_dir} --target fuzz_prog
    BUILD_ALWAYS ON
    INSTALL_COMMAND "")
  set(work ${CMAKE_CURRENT_BINARY_DIR}/prog_fuzz)
  file(MAKE_DIRECTORY ${work}/corpus)
  # New inputs go to the work folder, never into the source tree.
  add_test(NAME prog_fuzz
           COMMAND ${fuzz_dir}/tests/fuzz/fuzz_prog -max_total_time=30 -timeout=10
                   -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1
                   ${work}/corpus ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus
           WORKING_DIRECTORY ${work})
  set_tests_properties(prog_fuzz PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)
endif()

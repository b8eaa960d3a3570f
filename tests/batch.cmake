# batch.cmake - tests of the training batch files (evolve/batch.h, schemas/batch.fbs):
#   test_batch          C writer -> C reader, rollover, damaged files, killed writer
#   test_batch_compat   the current reader on a file of the older schema tests/batch/batch_v0.fbs,
#                       made from tests/batch/batch_v0.json by flatc at build time
#   batch_python        C writer -> Python reader (tools/python) and -> `flatc --json`;
#                       the Python reader on the version-0 file
#   batch_inspect       the `vkeve inspect` command
# batch_fixture (tests/batch/batch_fixture.c) writes the sample file and its expected JSON.
set(VKEVE_BATCH_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/batch)
target_sources(test_batch PRIVATE ${VKEVE_BATCH_TEST_DIR}/batch_sample.c)

add_executable(batch_fixture ${VKEVE_BATCH_TEST_DIR}/batch_fixture.c
                             ${VKEVE_BATCH_TEST_DIR}/batch_sample.c)
target_link_libraries(batch_fixture vkeve_evolve PkgConfig::CJSON)

set(VKEVE_BATCH_V0_FILE ${CMAKE_CURRENT_BINARY_DIR}/batch_v0/batch_v0.vkb)
add_custom_command(
  OUTPUT ${VKEVE_BATCH_V0_FILE}
  COMMAND ${FLATC} -b -o ${CMAKE_CURRENT_BINARY_DIR}/batch_v0
          ${VKEVE_BATCH_TEST_DIR}/batch_v0.fbs ${VKEVE_BATCH_TEST_DIR}/batch_v0.json
  DEPENDS ${VKEVE_BATCH_TEST_DIR}/batch_v0.fbs ${VKEVE_BATCH_TEST_DIR}/batch_v0.json
  COMMENT "flatc: the version-0 batch file for test_batch_compat")
add_custom_target(batch_v0_file ALL DEPENDS ${VKEVE_BATCH_V0_FILE})
add_dependencies(test_batch_compat batch_v0_file)
set_tests_properties(test_batch_compat PROPERTIES
  ENVIRONMENT "${VKEVE_TEST_ENV};VKEVE_BATCH_V0=${VKEVE_BATCH_V0_FILE}")

set(VKEVE_BATCH_PY_ENV
  ${VKEVE_TEST_ENV}
  "PYTHONPATH=${CMAKE_SOURCE_DIR}/tools/python"
  "BATCH_FIXTURE=$<TARGET_FILE:batch_fixture>"
  "VKEVE_BATCH_V0=${VKEVE_BATCH_V0_FILE}"
  "FLATC=${FLATC}"
  "BATCH_SCHEMA=${VKEVE_BATCH_SCHEMA}")
add_test(NAME batch_python
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/batch_read.py)
add_test(NAME batch_inspect
         COMMAND ${PYTHON3} ${VKEVE_BATCH_TEST_DIR}/inspect_cli.py)
# The committed Python module is what flatc generates from the schema today.
add_test(NAME batch_python_schema
         COMMAND ${PYTHON3} ${VKEVE_BATCH_TEST_DIR}/python_schema.py)
# A fresh virtual environment installs the reader offline and reads a batch with it.
add_test(NAME batch_python_install
         COMMAND ${PYTHON3} ${VKEVE_BATCH_TEST_DIR}/python_install.py
                 ${CMAKE_CURRENT_BINARY_DIR}/python_install)
set_tests_properties(batch_python batch_inspect batch_python_schema batch_python_install
  PROPERTIES ENVIRONMENT "${VKEVE_BATCH_PY_ENV}" TIMEOUT 300)

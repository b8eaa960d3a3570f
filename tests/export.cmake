# export.cmake - `vkeve export DIR --format eve-jsonl OUT` (tools/cmd_export.c):
#   export_eve   export_fixture (tests/export/export_fixture.c) writes batches with real
#                PNGs; tests/reference/export_check.py reads them with the Python reader
#                (tools/python), runs the export and checks the JSONL against EVE's format:
#                valid JSON per line, images that exist and decode, ground truths, only the
#                selected tasks, EVE's ranking, atomic and repeatable output, bad usage.
add_executable(export_fixture ${CMAKE_CURRENT_SOURCE_DIR}/export/export_fixture.c)
target_link_libraries(export_fixture vkeve_evolve)
add_test(NAME export_eve COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/export_check.py)
set(VKEVE_EXPORT_ENV ${VKEVE_TEST_ENV} "PYTHONPATH=${CMAKE_SOURCE_DIR}/tools/python"
                     "EXPORT_FIXTURE=$<TARGET_FILE:export_fixture>")
set_tests_properties(export_eve PROPERTIES ENVIRONMENT "${VKEVE_EXPORT_ENV}" TIMEOUT 300)

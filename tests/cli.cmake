# cli.cmake - the command line's help texts, exit statuses and environment errors.
add_test(NAME cli COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/test_cli.py)
set_tests_properties(cli PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)

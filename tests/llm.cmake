# llm.cmake - the decoder against the PyTorch reference (tests/reference/llm_golden.py):
# llm_driver runs vkeve's decoder on models that `vkeve make-model` writes; the script
# compares its logits and greedy tokens with tests/reference/llm_ref.py.
add_executable(llm_driver ${CMAKE_CURRENT_SOURCE_DIR}/llm_driver.c)
target_link_libraries(llm_driver vkeve_runtime)
add_test(NAME llm_golden
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/llm_golden.py
                 ${CMAKE_CURRENT_BINARY_DIR}/llm_golden)
set_tests_properties(llm_golden PROPERTIES
  ENVIRONMENT "${VKEVE_TEST_ENV};LLM_DRIVER=$<TARGET_FILE:llm_driver>" TIMEOUT 1500)
add_test(NAME generate_cli
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/generate_cli.py
                 ${CMAKE_CURRENT_BINARY_DIR}/generate_cli)
set_tests_properties(generate_cli PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 600)

# vlm.cmake - the vision encoder and multimodal prompts against the PyTorch reference
# (tests/reference/vlm_golden.py): vlm_driver runs vkeve on models and mmproj files that
# `vkeve make-model` writes; the script compares embeddings, logits and greedy tokens with
# tests/reference/vlm_ref.py.
add_executable(vlm_driver ${CMAKE_CURRENT_SOURCE_DIR}/vlm_driver.c)
target_link_libraries(vlm_driver vkeve_evolve vkeve_runtime PkgConfig::CJSON)
add_test(NAME describe_cli COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/vlm/describe_cli.py)
set_tests_properties(describe_cli PROPERTIES FIXTURES_REQUIRED tok_qwen TIMEOUT 900
                     ENVIRONMENT "${VKEVE_TEST_ENV};VKEVE_TOK_DIR=${VKEVE_TOK_DIR}")
add_test(NAME vlm_golden
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/vlm_golden.py
                 ${CMAKE_CURRENT_BINARY_DIR}/vlm_golden)
set_tests_properties(vlm_golden PROPERTIES FIXTURES_REQUIRED tok_qwen TIMEOUT 1500
  ENVIRONMENT "${VKEVE_TEST_ENV};VLM_DRIVER=$<TARGET_FILE:vlm_driver>;VKEVE_TOK_DIR=${VKEVE_TOK_DIR}")

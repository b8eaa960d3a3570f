# llm_ref.cmake - the tiny-model maker and the PyTorch reference decoder the Vulkan decoder
# is tested against (both need Debian's python3-torch and python3-numpy):
#   make_model  `vkeve make-model` read back with tests/reference/gguf_read.py: determinism,
#               llama.cpp's key and tensor names, presets, vocabularies, exit statuses
#   llm_ref     tests/reference/llm_ref.py's self-consistency (KV cache, batches, M-RoPE,
#               llama's q/k permutation, GQA) and that it reads every type make-model writes
add_test(NAME make_model COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/make_model_test.py)
add_test(NAME llm_ref COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/test_llm_ref.py)
set_tests_properties(make_model llm_ref PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)

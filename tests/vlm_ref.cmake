# vlm_ref.cmake - the PyTorch reference of the Qwen2-VL / Qwen2.5-VL vision towers and of
# multimodal prompts (tests/reference/vlm_ref.py, Debian's python3-torch), checked on its own:
#   vlm_ref_selftest  Qwen2.5-VL's window regrouping against a brute-force 8x8-patch mask and
#                     the masked forward, 2-D RoPE angles worked from the definition,
#                     get_rope_index on a hand-worked 2-image prompt and with the images
#                     swapped, the norms and MLPs against their formulas; then on the mmproj
#                     files `vkeve make-model --mmproj` writes: every type read close to f32,
#                     well-conditioned embeddings, and the command line against the API
add_test(NAME vlm_ref_selftest
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/vlm_ref.py selftest
                 --vkeve $<TARGET_FILE:vkeve>)
set_tests_properties(vlm_ref_selftest PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)

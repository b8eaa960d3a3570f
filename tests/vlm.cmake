# vlm.cmake - the vision encoder and multimodal prompts against the PyTorch reference
# (tests/reference/vlm_golden.py): vlm_driver runs vkeve on models and mmproj files that
# `vkeve make-model` writes; the script compares embeddings, logits and greedy tokens with
# tests/reference/vlm_ref.py.
add_executable(vlm_driver ${CMAKE_CURRENT_SOURCE_DIR}/vlm_driver.c)
target_link_libraries(vlm_driver vkeve_evolve vkeve_runtime PkgConfig::CJSON)

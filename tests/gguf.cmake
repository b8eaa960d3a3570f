# gguf.cmake - tests of the GGUF reader/writer and the tensor type codecs beyond the plain
# test_*.c programs:
#   gguf_quant_ref_selftest  the numpy dequantizers of tests/reference/quant_ref.py against
#                            blocks worked out by hand from the format description, so the
#                            reference that test_quant compares C against is itself checked
#   test_gguf_ref            (a test_*.c program) writer -> tests/reference/gguf_read.py and
#                            `vkeve gguf-info`; it runs the vkeve binary, so building it
#                            builds vkeve
#   test_quant               (a test_*.c program) C dequantizers == quant_ref.py bit for bit
add_test(NAME gguf_quant_ref_selftest
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/quant_ref.py --selftest)
set_tests_properties(gguf_quant_ref_selftest PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 120)
add_dependencies(test_gguf_ref vkeve)

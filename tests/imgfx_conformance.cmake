# imgfx_conformance.cmake - the Pillow conformance test of vision/img_color, img_draw,
# img_filter and img_enhance: a C driver runs named cases, tests/reference/imgfx_conformance.py
# redoes them with Pillow (/usr/bin/python3) and compares.
add_executable(imgfx_driver ${CMAKE_CURRENT_SOURCE_DIR}/imgfx_driver.c)
target_link_libraries(imgfx_driver vkeve_vision)
add_test(NAME imgfx_conformance
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/imgfx_conformance.py
                 $<TARGET_FILE:imgfx_driver> ${CMAKE_CURRENT_BINARY_DIR}/imgfx_conformance)
set_tests_properties(imgfx_conformance PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)

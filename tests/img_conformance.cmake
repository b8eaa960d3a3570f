# img_conformance.cmake - the Pillow conformance test of vision/img_geom and img_ops:
# a C driver runs named cases on synthetic images, tests/reference/img_conformance.py runs
# the same cases with Pillow (/usr/bin/python3) and compares them pixel by pixel.
add_executable(img_conformance_driver ${CMAKE_CURRENT_SOURCE_DIR}/img_conformance_driver.c)
target_link_libraries(img_conformance_driver vkeve_vision)
add_test(NAME img_conformance
         COMMAND ${PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/reference/img_conformance.py
                 --driver $<TARGET_FILE:img_conformance_driver>
                 --work ${CMAKE_CURRENT_BINARY_DIR}/img_conformance)
set_tests_properties(img_conformance PROPERTIES ENVIRONMENT "${VKEVE_TEST_ENV}" TIMEOUT 300)

# Compiles every shaders/*.comp to SPIR-V with glslc, validates it with spirv-val, and
# embeds all of them into one generated C file (vk_shaders_embedded.c) so the binary
# needs no shader files at run time.
file(GLOB VKEVE_SHADER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/*.comp)
file(GLOB VKEVE_SHADER_INCLUDES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/*.glsl)
set(VKEVE_SPV_FILES "")
foreach(src ${VKEVE_SHADER_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  set(spv ${CMAKE_BINARY_DIR}/shaders/${name}.spv)
  add_custom_command(
    OUTPUT ${spv}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/shaders
    COMMAND ${GLSLC} --target-env=vulkan1.2 -O -Werror -I ${CMAKE_SOURCE_DIR}/shaders
            -o ${spv} ${src}
    COMMAND ${SPIRV_VAL} --target-env vulkan1.2 ${spv}
    DEPENDS ${src} ${VKEVE_SHADER_INCLUDES}
    COMMENT "glslc + spirv-val ${name}.comp"
    VERBATIM)
  list(APPEND VKEVE_SPV_FILES ${spv})
endforeach()
set(VKEVE_SHADER_C ${CMAKE_BINARY_DIR}/vk_shaders_embedded.c)
add_custom_command(
  OUTPUT ${VKEVE_SHADER_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${VKEVE_SHADER_C} "-DSPV=${VKEVE_SPV_FILES}"
          -P ${CMAKE_SOURCE_DIR}/cmake/embed_spirv.cmake
  DEPENDS ${VKEVE_SPV_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed_spirv.cmake
  COMMENT "embedding SPIR-V"
  VERBATIM)
# The rule above belongs to this directory; runtime/ builds the file through this target.
add_custom_target(vkeve_shaders DEPENDS ${VKEVE_SHADER_C})

# vkeve_module(NAME DIR DEPS...): a static library from every .c/.cpp file in DIR, linked
# to DEPS. A folder with no sources yet becomes an interface library, so dependants link
# the same way before and after it grows. Sources include headers by their path from the
# repository root ("runtime/gguf.h"), which every library publishes.
function(vkeve_module name dir)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.c ${dir}/*.cpp)
  list(APPEND sources ${VKEVE_MODULE_EXTRA_${name}})
  if(sources)
    add_library(${name} STATIC ${sources})
    target_link_libraries(${name} PUBLIC ${ARGN})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ${ARGN})
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR})
  endif()
endfunction()

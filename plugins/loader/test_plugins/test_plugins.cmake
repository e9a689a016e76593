# Deliberately good and broken plugins for the loader's tests. Built into their own folder so the
# search-path tests control exactly what is there.
set(BOXTOOL_TEST_PLUGIN_DIR ${CMAKE_CURRENT_BINARY_DIR}/test_plugins)
set(_dir ${CMAKE_CURRENT_SOURCE_DIR}/loader/test_plugins)
set(_names plain_c wrong_major_symbol wrong_major_field missing_entry null_get failing_create throwing_get
  bad_answer abi_1_0 evil_constructor)
set(_targets)
foreach(name IN LISTS _names)
  if(EXISTS ${_dir}/${name}.c)
    set(_src ${_dir}/${name}.c)
  else()
    set(_src ${_dir}/${name}.cpp)
  endif()
  add_library(test_plugin_${name} MODULE ${_src})
  target_link_libraries(test_plugin_${name} PRIVATE boxtool_plugin_abi)
  set_target_properties(test_plugin_${name} PROPERTIES PREFIX "" OUTPUT_NAME ${name}
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden LIBRARY_OUTPUT_DIRECTORY ${BOXTOOL_TEST_PLUGIN_DIR})
  boxtool_warnings(test_plugin_${name})
  list(APPEND _targets test_plugin_${name})
endforeach()
# The plain C plugin must build as strict C99 with no C++ at all: that is what it proves.
set_target_properties(test_plugin_plain_c PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
  LINKER_LANGUAGE C)
add_custom_target(boxtool_test_plugins DEPENDS ${_targets})

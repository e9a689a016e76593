# Helpers every component's CMakeLists.txt uses: warnings, the shared + static library pair, and
# test registration with labels.

# Warnings for our own targets only; errors with BOXTOOL_WERROR (CI and the test scripts turn it
# on; packagers building with another compiler are not stopped by a new warning).
# GCC 12 at -O3 (Release) reports -Wrestrict inside libstdc++'s own std::string code for ordinary
# concatenations such as "text" + std::move(s) (GCC bugs 105329 and 105651, fixed in GCC 13): false
# positives that would make a Release build with BOXTOOL_WERROR fail in sigv4.cpp, oci_manifest.cpp,
# archive_outputs.cpp and elsewhere. Only that compiler, in that build type, loses the warning.
set(BOXTOOL_GCC12_FALSE_POSITIVES "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  set(BOXTOOL_GCC12_FALSE_POSITIVES $<$<CONFIG:Release>:-Wno-restrict>)
endif()

function(boxtool_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor> -Wno-missing-field-initializers
    $<$<COMPILE_LANGUAGE:CXX>:${BOXTOOL_GCC12_FALSE_POSITIVES}>
    $<$<BOOL:${BOXTOOL_WERROR}>:-Werror>)
  target_compile_features(${target} PRIVATE cxx_std_20)
endfunction()

# boxtool_library(<name> EXPORT <export name> OUTPUT <file name> INCLUDE <public include dir>
#   SOURCES ... [PRIVATE_INCLUDES ...] [DEPENDS <boxtool libraries>] [PRIVATE_LIBS ...]
#   [PUBLIC_LIBS ...] [DEFINITIONS ...])
#
# Compiles SOURCES once (position independent, hidden visibility: only BOXTOOL_API declarations
# are exported) into:
#   <name>         a shared library lib<OUTPUT>.so with an SONAME, alias boxtool::<EXPORT>
#   <name>_static  a static library lib<OUTPUT>.a, alias boxtool::<EXPORT>_static
# DEPENDS names other boxtool_library()s: the shared library links their shared form, the static
# one their static form. boxtool's own tools and tests link the static forms, which also give
# them the internals the shared libraries hide.
function(boxtool_library name)
  cmake_parse_arguments(L "" "EXPORT;OUTPUT;INCLUDE"
    "SOURCES;PRIVATE_INCLUDES;DEPENDS;PRIVATE_LIBS;PUBLIC_LIBS;DEFINITIONS" ${ARGN})
  add_library(${name}_objects OBJECT ${L_SOURCES})
  set_target_properties(${name}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_include_directories(${name}_objects PUBLIC $<BUILD_INTERFACE:${L_INCLUDE}> PRIVATE ${L_PRIVATE_INCLUDES})
  target_compile_definitions(${name}_objects PRIVATE ${L_DEFINITIONS})
  target_link_libraries(${name}_objects PRIVATE ${L_PRIVATE_LIBS} PUBLIC ${L_PUBLIC_LIBS})
  foreach(dep IN LISTS L_DEPENDS)
    target_link_libraries(${name}_objects PUBLIC ${dep}_static)
  endforeach()
  boxtool_warnings(${name}_objects)

  add_library(${name} SHARED $<TARGET_OBJECTS:${name}_objects>)
  add_library(${name}_static STATIC $<TARGET_OBJECTS:${name}_objects>)
  add_library(boxtool::${L_EXPORT} ALIAS ${name})
  add_library(boxtool::${L_EXPORT}_static ALIAS ${name}_static)
  foreach(target ${name} ${name}_static)
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${L_INCLUDE}> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_link_libraries(${target} PRIVATE ${L_PRIVATE_LIBS} PUBLIC ${L_PUBLIC_LIBS})
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${L_OUTPUT})
  endforeach()
  foreach(dep IN LISTS L_DEPENDS)
    target_link_libraries(${name} PUBLIC ${dep})
    target_link_libraries(${name}_static PUBLIC ${dep}_static)
  endforeach()
  # 0.x releases may break the API with every minor version, so the SONAME carries both.
  # $ORIGIN: an installed library finds the others beside it, wherever the prefix was moved.
  set_target_properties(${name} PROPERTIES EXPORT_NAME ${L_EXPORT}
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    INSTALL_RPATH "$ORIGIN")
  set_target_properties(${name}_static PROPERTIES EXPORT_NAME ${L_EXPORT}_static)
  # Every symbol resolved at link time; only the API exported (see exported-symbols.map).
  target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--exclude-libs,ALL
    -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/exported-symbols.map)
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/exported-symbols.map)
  install(TARGETS ${name} EXPORT boxtoolTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development COMPONENT Runtime)
  install(TARGETS ${name}_static EXPORT boxtoolStaticTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development)
endfunction()

# boxtool_gtest(<test executable> LABELS <label>... [TIMEOUT seconds])
# Registers every test case of a GoogleTest executable with ctest under all the labels given.
# (gtest_discover_tests flattens a list given in PROPERTIES, so the labels are set by an include
# file once the cases are discovered.)
function(boxtool_gtest target)
  cmake_parse_arguments(T "" "TIMEOUT" "LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  gtest_discover_tests(${target} TEST_LIST ${target}_cases DISCOVERY_TIMEOUT 60)
  set(file ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(WRITE ${file}
    "set_tests_properties(\${${target}_cases} PROPERTIES LABELS \"${T_LABELS}\" TIMEOUT ${T_TIMEOUT})\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${file})
endfunction()

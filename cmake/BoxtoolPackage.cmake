# What `cmake --install` adds besides the targets: the CMake package (find_package(boxtool)), its
# version file, and a pkg-config file per library. Also the packaging tests, which build the
# examples against the installed package.
include(CMakePackageConfigHelpers)

set(BOXTOOL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/boxtool)
install(EXPORT boxtoolTargets NAMESPACE boxtool:: DESTINATION ${BOXTOOL_CMAKE_DIR} COMPONENT Development)
install(EXPORT boxtoolStaticTargets NAMESPACE boxtool:: DESTINATION ${BOXTOOL_CMAKE_DIR} COMPONENT Development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/boxtoolConfig.cmake.in
  ${PROJECT_BINARY_DIR}/boxtoolConfig.cmake INSTALL_DESTINATION ${BOXTOOL_CMAKE_DIR})
# 0.x: a new minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/boxtoolConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/boxtoolConfig.cmake ${PROJECT_BINARY_DIR}/boxtoolConfigVersion.cmake
  DESTINATION ${BOXTOOL_CMAKE_DIR} COMPONENT Development)

# pkg-config: `pkg-config --cflags --libs boxtool-core` for the shared library; add --static for
# the static one (its private dependencies are listed in Libs.private / Requires.private).
# Relocatable: the prefix is found from the .pc file's own place, so a moved install still works.
file(RELATIVE_PATH BOXTOOL_PC_UP "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" BOXTOOL_PC_UP "${BOXTOOL_PC_UP}")
set(BOXTOOL_PC_PREFIX "\${pcfiledir}/${BOXTOOL_PC_UP}")
foreach(pc boxtool-core boxtool-lua boxtool-plugins boxtool-c boxtool-plugin-sdk)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/pkgconfig/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    COMPONENT Development)
endforeach()

if(BOXTOOL_BUILD_TESTS)
  # Installs the build into a temporary prefix, checks what the shared libraries export, builds
  # every example against the installed package (CMake and pkg-config), and runs them against a
  # local registry:2.
  add_test(NAME packaging_examples
    COMMAND ${PROJECT_SOURCE_DIR}/cmake/packaging_test.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(packaging_examples PROPERTIES LABELS packaging TIMEOUT 600)
  # The API reference builds without a documentation warning.
  add_test(NAME packaging_api_docs
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/docs.sh ${PROJECT_BINARY_DIR}/packaging-docs)
  set_tests_properties(packaging_api_docs PROPERTIES LABELS packaging TIMEOUT 300)
endif()

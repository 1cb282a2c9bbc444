# Installs aekit::aekit with a package config, so another project can find_package(aekit).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS aekit EXPORT aekitTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/aekit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(AEKIT_BUILD_APP)
  install(TARGETS aekit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT aekitTargets NAMESPACE aekit:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aekit)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/aekitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/aekitConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aekit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aekitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/aekitConfig.cmake ${PROJECT_BINARY_DIR}/aekitConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aekit)

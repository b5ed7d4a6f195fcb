# Install rules and the Debian package (issue #20 item 1).
#
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
#     -DCMAKE_INSTALL_PREFIX=/usr -DROTGUARD_BUILD_TESTS=OFF
#   cmake --build build && cmake --install build     # or: cd build && cpack
#
# Installs the stripped binary, rotguard(1), the bash/zsh/fish completions
# (all generated at build time by rotguard-docs), the default policy, the
# systemd units and the README/CHANGELOG. The units name the installed
# binary, so configure with the prefix the files will really live under
# (the .deb uses CMAKE_INSTALL_PREFIX as its packaging prefix for that).
include(GNUInstallDirs)

set(ROTGUARD_INSTALLED_BINARY ${CMAKE_INSTALL_FULL_BINDIR}/rotguard)
configure_file(${PROJECT_SOURCE_DIR}/contrib/systemd/rotguard.service.in
               ${PROJECT_BINARY_DIR}/contrib/systemd/rotguard.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/contrib/systemd/rotguard-worker@.service.in
               ${PROJECT_BINARY_DIR}/contrib/systemd/rotguard-worker@.service
               @ONLY)

install(TARGETS rotguard RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `cmake --install` strips only with --strip; the installed tool is always
# the stripped binary (the build tree keeps the symbols for debugging).
install(CODE "
  set(bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/rotguard\")
  if(NOT \"${CMAKE_BUILD_TYPE}\" MATCHES \"^(Release|RelWithDebInfo)$\")
    message(WARNING \"installing a ${CMAKE_BUILD_TYPE} build of rotguard; configure with -DCMAKE_BUILD_TYPE=Release\")
  endif()
  if(EXISTS \"${CMAKE_STRIP}\")
    execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-unneeded \"\${bin}\"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR \"strip failed on \${bin}\")
    endif()
  endif()")

# Debian ships man pages gzip -9n (no name, no timestamp: reproducible).
find_program(ROTGUARD_GZIP gzip)
if(ROTGUARD_GZIP)
  add_custom_command(OUTPUT ${ROTGUARD_DOCS_DIR}/rotguard.1.gz
    COMMAND ${ROTGUARD_GZIP} -9n -c ${ROTGUARD_DOCS_DIR}/rotguard.1
            > ${ROTGUARD_DOCS_DIR}/rotguard.1.gz
    DEPENDS ${ROTGUARD_DOCS_DIR}/rotguard.1)
  add_custom_target(rotguard_man_gz ALL
                    DEPENDS ${ROTGUARD_DOCS_DIR}/rotguard.1.gz)
  add_dependencies(rotguard_man_gz rotguard_docs)
  install(FILES ${ROTGUARD_DOCS_DIR}/rotguard.1.gz
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  install(FILES ${ROTGUARD_DOCS_DIR}/rotguard.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${ROTGUARD_DOCS_DIR}/rotguard.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME rotguard)
install(FILES ${ROTGUARD_DOCS_DIR}/_rotguard
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${ROTGUARD_DOCS_DIR}/rotguard.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${PROJECT_SOURCE_DIR}/policies/default.toml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/rotguard/policies)
install(FILES ${PROJECT_BINARY_DIR}/contrib/systemd/rotguard.service
              ${PROJECT_BINARY_DIR}/contrib/systemd/rotguard-worker@.service
              ${PROJECT_SOURCE_DIR}/contrib/systemd/rotguard.timer
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
              ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rotguard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "rotguard maintainers <rotguard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "keeps the web a blog links to from rotting away")
set(CPACK_PACKAGE_DESCRIPTION
    "rotguard reads blog posts (Hugo or Jekyll Markdown, HTML), finds every
link and image, fetches each with its redirect chain and page requisites,
stores the exchanges in standard WARC files and records every capture with
its digests in a SQLite manifest; verify proves the archive intact and
restore writes offline copies of the posts.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
# Depends from the binary's real shared libraries (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)

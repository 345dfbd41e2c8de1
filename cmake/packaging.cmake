# Installation layout and the Debian package (`cpack -G DEB` in the build directory).
include(GNUInstallDirs)

install(FILES ${CMAKE_SOURCE_DIR}/docs/sqlite2pg.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_PACKAGE_NAME sqlite2pg)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "sqlite2pg maintainers")
set(CPACK_PACKAGE_CONTACT "sqlite2pg maintainers <sqlite2pg@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "move a SQLite database into PostgreSQL, checked and fast")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "Loads SQLite tables into an existing PostgreSQL schema in one transaction with COPY, "
       "converting each value by the target type and refusing any value that would change. "
       "Also inspect, check (preflight), verify and a JSON run report for cutovers.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Runtime dependencies from the binary's own links (libpqxx-6.4, libpq5, libsqlite3-0,
# libsimdjson14, libfmt9, libdate-tz3, libxxhash0, ...), as Debian's tooling computes them,
# so the list cannot drift from what the build links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)

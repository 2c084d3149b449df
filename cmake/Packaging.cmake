# Installing and packaging (docs/install.md): `make install` (cmake --install, DESTDIR and the
# prefix honoured) and `make package` (cpack: a .deb whose Depends dpkg-shlibdeps computes).
#
# Layout under the prefix (/usr/local for `make install`, /usr in the .deb):
#   bin/switchboard                     the executable, stripped in the package
#   share/switchboard/workers/          the language workers (JavaScript, Python, .NET, Java); the executable
#                                       finds them at ../share/switchboard/workers (worker_location)
#   share/doc/switchboard/              README, docs/, the examples (function apps)
#   lib/systemd/system/switchboard.service  the unit of `service`, its ExecStart pointing at this
#                                       prefix's bin/; switchboard-start@.service: `start APP_DIR`
# and, outside the prefix, SWITCHBOARD_SYSCONFDIR/switchboard/switchboard.env (a conffile).
include(GNUInstallDirs)

set(SWITCHBOARD_SYSCONFDIR "/etc" CACHE PATH
    "Where switchboard/switchboard.env is installed (an absolute path; DESTDIR applies)")
set(SWITCHBOARD_SYSTEMD_UNITDIR "lib/systemd/system" CACHE PATH
    "Where the systemd unit is installed (relative: under the prefix)")

install(TARGETS switchboard RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY workers/ DESTINATION ${CMAKE_INSTALL_DATADIR}/switchboard/workers
        PATTERN __pycache__ EXCLUDE)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The function apps of the examples; the C++ ones need the source tree (they link the library).
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        PATTERN .switchboard EXCLUDE PATTERN __pycache__ EXCLUDE PATTERN node_modules EXCLUDE
        PATTERN cpp EXCLUDE PATTERN trigger-cpp EXCLUDE)

# The units as committed name /usr/bin/switchboard and /etc/switchboard/ (the package's paths);
# they are written at install time with the prefix and SWITCHBOARD_SYSCONFDIR then in force.
foreach(unit_name switchboard.service switchboard-start@.service)
  set(unit_source ${CMAKE_SOURCE_DIR}/deploy/${unit_name})
  set(unit_staged ${CMAKE_BINARY_DIR}/deploy/${unit_name})
  install(CODE "
    file(READ \"${unit_source}\" unit)
    string(REPLACE \"/usr/bin/switchboard\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/switchboard\" unit \"\${unit}\")
    string(REPLACE \"/etc/switchboard/\" \"${SWITCHBOARD_SYSCONFDIR}/switchboard/\" unit \"\${unit}\")
    file(WRITE \"${unit_staged}\" \"\${unit}\")
  ")
  install(FILES ${unit_staged} DESTINATION ${SWITCHBOARD_SYSTEMD_UNITDIR})
endforeach()
# The environment file holds the access key: readable by root only (systemd reads it as root).
install(FILES deploy/switchboard.env DESTINATION ${SWITCHBOARD_SYSCONFDIR}/switchboard
        PERMISSIONS OWNER_READ OWNER_WRITE)

# The .deb (cpack -G DEB in the build folder; `make package`).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME switchboard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Self-hosted SignalR-compatible real-time service and Azure Functions host")
set(CPACK_PACKAGE_DESCRIPTION
    "Switchboard speaks the Azure SignalR Service protocols (connection strings, access tokens, the
data-plane REST API) to the official SignalR clients, and runs Azure Functions apps with the
SignalR Service bindings (JavaScript, Python, custom handlers).")
set(CPACK_PACKAGE_CONTACT "Switchboard maintainers <switchboard@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The workers: `service` needs neither; JavaScript and Python functions need node / python3.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nodejs (>= 18), python3")
# C# functions (workers/dotnet) need Mono's compiler and runtime and the class libraries they reference;
# Java functions (workers/java) a JDK (javac) and Jackson.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "mono-mcs, mono-runtime, libmono-system-net-http4.0-cil, libmono-system-runtime-serialization4.0-cil, openjdk-17-jdk-headless, libjackson2-databind-java")
# dpkg keeps an operator's edits of the environment file across upgrades (a conffile).
file(WRITE ${CMAKE_BINARY_DIR}/deploy/debian/conffiles
     "${SWITCHBOARD_SYSCONFDIR}/switchboard/switchboard.env\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/deploy/debian/conffiles ${CMAKE_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_SOURCE_DIR}/deploy/debian/prerm ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

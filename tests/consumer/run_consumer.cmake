# cmake -P script behind the `consumer` test (see CMakeLists.txt here for the arguments):
#  1. cmake --install BIK_BUILD_DIR into WORK_DIR/prefix (wiped first)
#  2. run the installed bin/bik --version, if the CLI was built (checks its run-time paths)
#  3. configure CONSUMER_SOURCE_DIR with CMAKE_PREFIX_PATH=<prefix>;<bik's prefix path> and
#     the Kokkos bik was built with, build it, and run its programs
# With RUN set to a false value, steps 2 and 3 run nothing (build only).
foreach(_var BIK_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR KOKKOS_DIR)
  if(NOT ${_var})
    message(FATAL_ERROR "run_consumer.cmake: ${_var} not set")
  endif()
endforeach()
string(REPLACE "|" ";" PREFIX_PATH "${PREFIX_PATH}")
if(NOT DEFINED RUN)
  set(RUN ON)
endif()

# Runs the command held in the list variable `command_var` (a variable, not ARGN, so that an
# escaped ';' inside one argument survives).
function(run_step what command_var)
  execute_process(COMMAND ${${command_var}} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "consumer test: ${what} failed (${_rc}): ${${command_var}}")
  endif()
endfunction()

set(_prefix "${WORK_DIR}/prefix")
set(_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# 1. install
set(_config_args "")
if(CONFIG)
  set(_config_args --config "${CONFIG}")
endif()
message(STATUS "installing ${BIK_BUILD_DIR} into ${_prefix}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BIK_BUILD_DIR}" --prefix "${_prefix}"
                        ${_config_args}
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "consumer test: cmake --install failed; is bik built? (cmake --build first)\n${_out}${_err}")
endif()
foreach(_file include/bik/bik.hpp include/bik/config.hpp include/bik/measure/intensity.hpp)
  if(NOT EXISTS "${_prefix}/${_file}")
    message(FATAL_ERROR "consumer test: ${_file} missing from the install")
  endif()
endforeach()
file(GLOB _configs "${_prefix}/lib*/cmake/bik/bikConfig.cmake")
file(GLOB _versions "${_prefix}/lib*/cmake/bik/bikConfigVersion.cmake")
if(NOT _configs OR NOT _versions)
  message(FATAL_ERROR "consumer test: lib/cmake/bik/bikConfig.cmake or bikConfigVersion.cmake not installed")
endif()

# 2. the installed CLI must start from its install location
foreach(_exe "${_prefix}/bin/bik" "${_prefix}/bin/bik.exe")
  if(RUN AND EXISTS "${_exe}")
    set(_cmd "${_exe}" --version)
    run_step("installed bik --version" _cmd)
  endif()
endforeach()

# 3. the consumer project
# The prefix path is one argument: escape its ';' so the list below keeps it whole.
string(REPLACE ";" "\\;" _prefix_path "${_prefix};${PREFIX_PATH}")
set(_configure "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${_build}"
    "-DCMAKE_PREFIX_PATH=${_prefix_path}" "-DKokkos_DIR=${KOKKOS_DIR}")
if(GENERATOR)
  list(APPEND _configure -G "${GENERATOR}")
endif()
if(BUILD_TYPE)
  list(APPEND _configure "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
endif()
if(CXX_COMPILER)
  list(APPEND _configure "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(C_COMPILER)
  list(APPEND _configure "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif()
if(NOT "${CXX_EXTENSIONS}" STREQUAL "")  # as bik was configured (the cuda preset sets OFF)
  list(APPEND _configure "-DCMAKE_CXX_EXTENSIONS=${CXX_EXTENSIONS}")
endif()
run_step("configuring the consumer" _configure)
set(_cmd "${CMAKE_COMMAND}" --build "${_build}" --parallel 2 ${_config_args})
run_step("building the consumer" _cmd)

if(NOT RUN)
  message(STATUS "consumer test passed (built only, nothing run)")
  return()
endif()
set(_exe_dir "${_build}")
if(CONFIG AND EXISTS "${_build}/${CONFIG}")
  set(_exe_dir "${_build}/${CONFIG}")  # multi-config generators
endif()
set(_cmd "${_exe_dir}/simulation")
run_step("running the consumer" _cmd)
if(EXISTS "${_exe_dir}/io_link_check" OR EXISTS "${_exe_dir}/io_link_check.exe")
  set(_cmd "${_exe_dir}/io_link_check")
  run_step("running io_link_check" _cmd)
endif()
message(STATUS "consumer test passed")

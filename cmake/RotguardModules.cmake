# One static library per module (SPEC §12, ARCHITECTURE.md), and the build
# rules that keep the layers honest:
#
# - Includes. A module compiles against a staged include tree of its own
#   (build/layers/<module>/) that holds symbolic links to exactly what it
#   may see: its own src/<module>/ folder, util's folder, and the public
#   headers (include/rotguard/*.h) owned by itself and by the modules it
#   declares, transitively. Including anything else (another module's
#   private header, or the public header of a module above it) is a
#   "file not found" compile error.
# - Links. With ROTGUARD_CHECK_LAYERS, each module is also linked whole
#   (every object, --whole-archive) into a small executable with only its
#   declared dependencies: a call into a module it did not declare is an
#   undefined reference at build time. tools/check_layers.sh adds the rules
#   an include path cannot express (only the CLI may include CLI11 or end
#   the process).
#
# rotguard_module(NAME
#   DEPS    <modules it may use; each must be declared before>
#   HEADERS <the include/rotguard/*.h files it owns>
#   SOURCES <its .cc files>
#   LIBS    <target_link_libraries arguments for third-party libraries>)

option(ROTGUARD_CHECK_LAYERS "Link each module alone to check its deps" ON)

set(ROTGUARD_LAYERS_DIR ${PROJECT_BINARY_DIR}/layers)
set(ROTGUARD_MODULES "" CACHE INTERNAL "modules, in declaration order")

function(_rotguard_module_closure out name)
  set(closure "")
  set(queue ${name})
  while(queue)
    list(POP_FRONT queue m)
    if(NOT m IN_LIST closure)
      list(APPEND closure ${m})
      get_property(deps GLOBAL PROPERTY ROTGUARD_DEPS_${m})
      list(APPEND queue ${deps})
    endif()
  endwhile()
  set(${out} ${closure} PARENT_SCOPE)
endfunction()

function(_rotguard_stage_includes name)
  set(stage ${ROTGUARD_LAYERS_DIR}/${name})
  file(REMOVE_RECURSE ${stage})
  file(MAKE_DIRECTORY ${stage}/rotguard)
  _rotguard_module_closure(closure ${name})
  foreach(m IN LISTS closure)
    get_property(headers GLOBAL PROPERTY ROTGUARD_HEADERS_${m})
    foreach(h IN LISTS headers)
      set(source ${PROJECT_SOURCE_DIR}/include/rotguard/${h})
      if(NOT EXISTS ${source})
        message(FATAL_ERROR "module ${m} owns missing header ${h}")
      endif()
      file(CREATE_LINK ${source} ${stage}/rotguard/${h} SYMBOLIC)
    endforeach()
  endforeach()
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${name} ${stage}/${name} SYMBOLIC)
  if(NOT name STREQUAL "util")
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/util ${stage}/util SYMBOLIC)
  endif()
endfunction()

function(rotguard_module name)
  cmake_parse_arguments(M "" "" "DEPS;HEADERS;SOURCES;LIBS" ${ARGN})
  foreach(dep IN LISTS M_DEPS)
    if(NOT dep IN_LIST ROTGUARD_MODULES)
      message(FATAL_ERROR "module ${name}: dependency ${dep} is not declared "
                          "before it (the layers only point down)")
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY ROTGUARD_DEPS_${name} "${M_DEPS}")
  set_property(GLOBAL PROPERTY ROTGUARD_HEADERS_${name} "${M_HEADERS}")
  set(ROTGUARD_MODULES ${ROTGUARD_MODULES} ${name} CACHE INTERNAL "")
  _rotguard_stage_includes(${name})

  set(target rotguard_${name})
  add_library(${target} STATIC ${M_SOURCES})
  target_include_directories(${target} PRIVATE ${ROTGUARD_LAYERS_DIR}/${name})
  foreach(dep IN LISTS M_DEPS)
    target_link_libraries(${target} PUBLIC rotguard_${dep})
  endforeach()
  target_link_libraries(${target} PRIVATE rotguard_settings rotguard_warnings)
  if(M_LIBS)
    target_link_libraries(${target} ${M_LIBS})
  endif()
  target_compile_definitions(${target} PRIVATE
    ROTGUARD_VERSION="${PROJECT_VERSION}")

  if(ROTGUARD_CHECK_LAYERS)
    add_executable(layer_check_${name} ${PROJECT_SOURCE_DIR}/cmake/layer_check_main.cc)
    target_link_libraries(layer_check_${name} PRIVATE
      "$<LINK_LIBRARY:WHOLE_ARCHIVE,${target}>" rotguard_settings)
    set_target_properties(layer_check_${name} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${ROTGUARD_LAYERS_DIR}/bin)
  endif()
endfunction()

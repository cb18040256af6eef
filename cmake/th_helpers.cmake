# th_module(NAME name HDRS ... SRCS ... DEPS ... [PUBLIC_DEPS ...])
#   Declares one module as a static library `th_<name>` (alias th::<name>). Public headers are
#   reached from src/ as "folder/file.h". DEPS are PRIVATE unless listed in PUBLIC_DEPS, because
#   a module's public header should not drag heavy third-party headers into its users.
# th_test(NAME name SRCS ... DEPS ... [LABELS ...] [INTEGRATION] [PROPERTIES prop value ...])
#   One GoogleTest executable per module, registered with ctest through gtest_discover_tests so
#   ctest runs each case in parallel. Cases are labelled `unit` unless INTEGRATION (tests that
#   need a server fixture); PROPERTIES are extra ctest properties of every case (e.g.
#   FIXTURES_REQUIRED, RESOURCE_LOCK, TIMEOUT).
# th_fuzz(NAME name SRCS ... DEPS ... CORPUS dir)
#   A libFuzzer target under the `fuzz` preset; in other presets the same source is linked with a
#   corpus-replay driver and registered as a test that runs every corpus file through it.
include(GoogleTest)

function(th_module)
  cmake_parse_arguments(M "" "NAME" "HDRS;SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  set(target th_${M_NAME})
  if(M_SRCS)
    add_library(${target} STATIC ${M_SRCS} ${M_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PRIVATE ${M_DEPS} th_warnings PUBLIC ${M_PUBLIC_DEPS})
  else()
    add_library(${target} INTERFACE ${M_HDRS})
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} INTERFACE ${M_DEPS} ${M_PUBLIC_DEPS})
  endif()
  add_library(th::${M_NAME} ALIAS ${target})
endfunction()

function(th_test)
  cmake_parse_arguments(T "INTEGRATION" "NAME" "SRCS;DEPS;LABELS;PROPERTIES" ${ARGN})
  set(target ${T_NAME}_test)
  add_executable(${target} ${T_SRCS})
  target_link_libraries(${target} PRIVATE ${T_DEPS} th_warnings GTest::gtest GTest::gmock GTest::gtest_main)
  if(T_INTEGRATION)
    set(labels "${T_LABELS}")
  else()
    set(labels "unit;${T_LABELS}")
  endif()
  gtest_discover_tests(${target}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${labels}" ${T_PROPERTIES}
    DISCOVERY_TIMEOUT 60)
endfunction()

function(th_fuzz)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SRCS;DEPS" ${ARGN})
  set(target ${F_NAME}_fuzz)
  if(TH_FUZZ)
    add_executable(${target} ${F_SRCS})
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${target} ${F_SRCS} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    add_test(NAME fuzz_replay.${F_NAME}
      COMMAND ${target} ${PROJECT_SOURCE_DIR}/${F_CORPUS})
    set_tests_properties(fuzz_replay.${F_NAME} PROPERTIES LABELS "fuzz_replay")
  endif()
  target_link_libraries(${target} PRIVATE ${F_DEPS} th_warnings)
endfunction()

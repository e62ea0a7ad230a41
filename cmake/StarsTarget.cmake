# Helpers that give every STARS module the same shape.
#
#   stars_add_module(NAME data SOURCES a.cpp b.cpp DEPS stars_core [TORCH])
#     -> static library stars_<NAME>, public include root src/, links DEPS.
#        Only modules declared TORCH may link LibTorch; stars_check_torch_free() verifies it at configure time.
#   stars_add_test(NAME data SOURCES ... DEPS ... LABELS unit [integration slow torch])
#     -> one GoogleTest binary per module, tests registered with CTest and labelled.

set(STARS_TORCH_MODULES "" CACHE INTERNAL "")
set(STARS_ALL_MODULES "" CACHE INTERNAL "")

function(stars_add_module)
  cmake_parse_arguments(M "TORCH" "NAME" "SOURCES;DEPS" ${ARGN})
  set(target stars_${M_NAME})
  add_library(${target} STATIC ${M_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${M_DEPS})
  if(M_TORCH)
    target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
    # at::parallel_for is a header template: it splits work over threads only in files compiled with OpenMP
    # (ATen/ParallelOpenMP.h); without -fopenmp its loops run on one thread.
    target_link_libraries(${target} PRIVATE OpenMP::OpenMP_CXX)
    set(STARS_TORCH_MODULES ${STARS_TORCH_MODULES} ${target} CACHE INTERNAL "")
  endif()
  set(STARS_ALL_MODULES ${STARS_ALL_MODULES} ${target} CACHE INTERNAL "")
endfunction()

function(stars_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  set(target test_${T_NAME})
  # crash_report.cpp: a crashing test prints its name and a backtrace (ENABLE_EXPORTS: with function names).
  add_executable(${target} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/crash_report.cpp)
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  target_link_libraries(${target} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(${target} PRIVATE
    STARS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    STARS_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data"
    STARS_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  gtest_discover_tests(${target}
    TEST_LIST ${target}_TESTS
    PROPERTIES TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
  # Labels are set by a second include file: gtest_discover_tests splits a list-valued property such as
  # "unit;torch" into separate arguments, which would keep only the first label.
  set(label_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${label_file}"
    "if(${target}_TESTS)\n  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS \"${T_LABELS}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${label_file}")
endfunction()

# Torch-free modules must not reach LibTorch through their link interface.
function(stars_check_torch_free)
  foreach(t IN LISTS STARS_ALL_MODULES)
    list(FIND STARS_TORCH_MODULES ${t} is_torch)
    if(is_torch EQUAL -1)
      get_target_property(deps ${t} LINK_LIBRARIES)
      foreach(d IN LISTS deps)
        list(FIND STARS_TORCH_MODULES ${d} dep_torch)
        if(NOT dep_torch EQUAL -1 OR d MATCHES "^torch")
          message(FATAL_ERROR "module ${t} is torch-free but links ${d}")
        endif()
      endforeach()
    endif()
  endforeach()
endfunction()

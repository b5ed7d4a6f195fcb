# INTERFACE targets carrying warnings and sanitizer flags; linked PRIVATE to
# first-party targets only, never to third-party code.
add_library(rotguard_warnings INTERFACE)
target_compile_options(rotguard_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(ROTGUARD_WARNINGS_AS_ERRORS)
  target_compile_options(rotguard_warnings INTERFACE -Werror)
endif()

add_library(rotguard_settings INTERFACE)
target_compile_definitions(rotguard_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
if(ROTGUARD_SANITIZE)
  target_compile_options(rotguard_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(rotguard_settings INTERFACE -fsanitize=address,undefined)
endif()
if(ROTGUARD_FUZZ)
  # libFuzzer steers by coverage: every first-party object is instrumented,
  # only the fuzz targets themselves link the fuzzer's main.
  target_compile_options(rotguard_settings INTERFACE -fsanitize=fuzzer-no-link)
endif()
if(ROTGUARD_TSAN)
  # The archive pipeline runs a fetch thread, writer threads and a
  # committer: ThreadSanitizer checks their sharing.
  target_compile_options(rotguard_settings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(rotguard_settings INTERFACE -fsanitize=thread)
endif()

# One interface target carries the warning list, sanitizer flags and include path,
# so every module links the same policy.
add_library(mgdl_options INTERFACE)
target_compile_options(mgdl_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(MGDL_WERROR)
  target_compile_options(mgdl_options INTERFACE -Werror)
endif()
if(MGDL_SANITIZE)
  target_compile_options(mgdl_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(mgdl_options INTERFACE -fsanitize=address,undefined)
endif()
if(MGDL_TSAN)
  if(MGDL_SANITIZE)
    message(FATAL_ERROR "MGDL_TSAN and MGDL_SANITIZE cannot be combined")
  endif()
  target_compile_options(mgdl_options INTERFACE -fsanitize=thread)
  target_link_options(mgdl_options INTERFACE -fsanitize=thread)
endif()
target_include_directories(mgdl_options INTERFACE ${PROJECT_SOURCE_DIR}/include)

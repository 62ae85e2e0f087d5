// mgdl-check FILE: the independent certificate checker on its own.
#include "mgdl/check/check.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "check") return mgdl::check::run_check(argv[2], std::cout, std::cerr);
  if (argc != 2) {
    std::cerr << "usage: mgdl-check [check] CERTIFICATE.json\n";
    return mgdl::check::exit_malformed;
  }
  return mgdl::check::run_check(argv[1], std::cout, std::cerr);
}

#include "output_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace mgdl::cli {

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw std::runtime_error("cannot create output directory '" + dir + "'" + (ec ? ": " + ec.message() : ""));
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write '" + tmp + "': " + std::strerror(errno));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write '" + tmp + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "': " + why);
  }
}

std::string write_network_onnx(const std::string& path, const net::MultigradeNetwork& network,
                               const std::vector<io::Interval>& domain, const std::string& target) {
  if (network.grades() == 0) return "";
  const io::OnnxExport onnx =
      io::write_onnx(network, {{"mgdl.domain", io::domain_metadata(domain)}, {"mgdl.target", target}});
  write_file_atomically(path, onnx.bytes);
  if (onnx.exact) return "";
  return "network.onnx: " + onnx.first_inexact + " is not a binary64 value (rounded to nearest)";
}

}  // namespace mgdl::cli

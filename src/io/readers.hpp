// Internal: one reader per format, called by read_network_bytes after content
// detection. Each fills network, format, weight_type, metadata and layer_names;
// read_network_bytes then applies the mgdl.* metadata and the checksum.
#pragma once

#include "mgdl/io/network_file.hpp"

#include <string>

namespace mgdl::io::detail {

ImportedNetwork read_mgdl_json(const std::string& bytes, const std::string& name);
ImportedNetwork read_onnx(const std::string& bytes, const std::string& name);
ImportedNetwork read_safetensors(const std::string& bytes, const std::string& name);

// "float32" / "float64" / "mixed" from the element types seen.
std::string weight_type(bool saw_f32, bool saw_f64);

}  // namespace mgdl::io::detail

"""Runs onnx.checker (full check, with shape inference) on each file given."""
import sys

import onnx

for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
print("onnx.checker: ok")

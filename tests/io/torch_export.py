"""A small 2-grade stair MLP in PyTorch, exported the way users do.

Usage: torch_export.py OUTDIR
Writes stair_f32.onnx and stair_f64.onnx (torch.onnx.export, opset 14),
stair_f32.safetensors (state_dict, PyTorch names) and reference.json: the
float64 outputs of both models at x = k/16 (exact dyadic inputs).
"""
import json
import struct
import sys

import torch


class Grade(torch.nn.Module):
    def __init__(self, fan_in, width):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Linear(fan_in, width), torch.nn.ReLU())
        self.head = torch.nn.Linear(width, 1)


class Stair(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.grades = torch.nn.ModuleList([Grade(1, 8), Grade(8, 8)])

    def forward(self, x):
        out = 0
        for g in self.grades:
            x = g.layers(x)
            out = out + g.head(x)
        return out


def safetensors(model, path):
    header, data = {}, b""
    for name, t in model.state_dict().items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"mgdl.activation": "relu"}
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def main():
    out = sys.argv[1]
    torch.manual_seed(7)
    f32 = Stair()
    f64 = Stair().double()
    xs = [k / 16 for k in range(-16, 17)]
    ref = {"x": xs}
    for name, model, dtype in (("f32", f32, torch.float32), ("f64", f64, torch.float64)):
        torch.onnx.export(model, torch.zeros(4, 1, dtype=dtype), f"{out}/stair_{name}.onnx", opset_version=14,
                          input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        with torch.no_grad():
            ref[name] = model.double()(torch.tensor(xs, dtype=torch.float64).reshape(-1, 1)).reshape(-1).tolist()
    safetensors(f32, f"{out}/stair_f32.safetensors")
    with open(f"{out}/reference.json", "w") as f:
        json.dump(ref, f)


if __name__ == "__main__":
    main()

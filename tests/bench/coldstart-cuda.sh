#!/usr/bin/env bash
# Cold start on a CUDA machine (H200-class), with and without a prepared-model snapshot, as one table:
# process start -> host ready, files, session creation (CUDA provider init, graph optimization), warm-up,
# model ready and first 200 from /v1/embeddings — `thaw bench coldstart` with Thaw:Onnx:ExecutionProvider=Cuda,
# so the run fails instead of measuring CPU by mistake.
#
# Prepare on a build machine (the device image has no .NET, so the publish is self-contained):
#   dotnet publish src/Thaw.Cli -c Release -r linux-x64 --self-contained true -o publish
# The CUDA provider (publish/libonnxruntime_providers_cuda.so, 284 MB) is larger than one transfer to the device
# allows: split it (`zstd -19 --stdout ... | split -b 60m - cuda.zst.`), send the parts on consecutive calls into a
# git-ignored folder, and reassemble it into publish/ before running this script. The machine needs CUDA 13
# (libcudart.so.13, libcublas(Lt).so.13, libcurand.so.10) and cuDNN 9 on the loader path.
#
# Usage: tests/bench/coldstart-cuda.sh [PUBLISH_DIR] [ROUNDS]
#   With Thaw__Storage__ConnectionString set (an Azurite or Azure account), the snapshot-store scenario runs too.
set -euo pipefail
publish="${1:-publish}"
rounds="${2:-3}"
if [[ ! -x "$publish/thaw" ]]; then
  echo "coldstart-cuda: no $publish/thaw; publish first (see the header of this script)" >&2
  exit 2
fi
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader
else
  echo "coldstart-cuda: nvidia-smi not found: is this a GPU machine?" >&2
fi
exec "$publish/thaw" bench coldstart --rounds "$rounds" --set Thaw:Onnx:ExecutionProvider=Cuda

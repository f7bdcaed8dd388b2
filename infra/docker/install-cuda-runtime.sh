#!/usr/bin/env bash
# Installs the CUDA 13 and cuDNN 9 runtime libraries that ONNX Runtime GPU 1.31's CUDA provider loads
# (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10, libcudnn*.so.9) from NVIDIA's apt
# repository for the image's own distribution, and nothing else: no toolkit, no compiler, no driver (the
# Container Apps GPU host provides the driver).
#
# UNVERIFIED (no Docker engine or GPU on the machines this was written on): that NVIDIA publishes a repository
# for the base image's distribution under the name derived below (e.g. debian12, ubuntu2404), and the package
# names cuda-cudart-13-0, libcublas-13-0, libcurand-13-0 and libcudnn9-cuda-13 in it.
set -euo pipefail

. /etc/os-release
distro="${ID}${VERSION_ID//./}"
repo="https://developer.download.nvidia.com/compute/cuda/repos/${distro}/x86_64"

apt-get update
apt-get install -y --no-install-recommends ca-certificates curl
curl -fsSL -o /tmp/cuda-keyring.deb "${repo}/cuda-keyring_1.1-1_all.deb"
dpkg -i /tmp/cuda-keyring.deb
rm /tmp/cuda-keyring.deb
apt-get update
apt-get install -y --no-install-recommends cuda-cudart-13-0 libcublas-13-0 libcurand-13-0 libcudnn9-cuda-13
rm -rf /var/lib/apt/lists/*

# The CUDA packages install under /usr/local/cuda-13.0; make their libraries visible to the dynamic loader.
echo /usr/local/cuda-13.0/targets/x86_64-linux/lib > /etc/ld.so.conf.d/cuda-13.conf
ldconfig

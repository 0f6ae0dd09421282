#!/usr/bin/env bash
# Installs what lth needs on Debian 12: the real Fashion-MNIST (Debian's dataset-fashion-mnist), chromium (report test) and the
# NuGet packages (TorchSharp + libtorch, about 700 MB once). The .NET 10 SDK must be on PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is not on PATH; install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and rerun" >&2
  exit 1
fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
# Headless Chromium: the report test renders report.html at phone width and checks its layout.
if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
dotnet restore "$here/lth.sln" -v q --nologo

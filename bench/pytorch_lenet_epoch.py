#!/usr/bin/env python3
"""PyTorch reference for lth's benchmark: LeNet-300-100 (or Conv-2 with --model conv2) on Fashion-MNIST, Adam 1.2e-3, batch 60,
N iterations (default 1000 = about one epoch), the data in one tensor and batches as index slices,
exactly as lth trains. Prints one line: 'pytorch threads=T iterations=N seconds=S final_loss=L'.

Run with Debian's python3-torch and OpenBLAS (see docs/torchsharp.md):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_lenet_epoch.py --threads 1
"""
import argparse, gzip, struct, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--model", default="lenet", choices=["lenet", "conv2"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = torch.from_numpy(read_idx(f"{a.data}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)[:55000]
    y = torch.from_numpy(read_idx(f"{a.data}/train-labels-idx1-ubyte.gz").astype(np.int64))[:55000]
    x = (x - x.mean()) / x.std()
    if a.model == "lenet":
        x = x.reshape(-1, 784)
        model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    else:  # Frankle & Carbin's Conv-2 on 1x28x28
        x = x.reshape(-1, 1, 28, 28)
        model = nn.Sequential(nn.Conv2d(1, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(64 * 14 * 14, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1.2e-3)
    g = torch.Generator().manual_seed(a.seed)
    perm = torch.randperm(x.shape[0], generator=g)
    # warm-up: 20 steps, not timed
    def step(i):
        idx = perm[(i * 60) % 54960:(i * 60) % 54960 + 60]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        return loss
    for i in range(20):
        step(i)
    t0 = time.perf_counter()
    for i in range(a.iterations):
        loss = step(i)
    dt = time.perf_counter() - t0
    print(f"pytorch model={a.model} threads={a.threads} iterations={a.iterations} seconds={dt:.4f} final_loss={loss.item():.4f}")


if __name__ == "__main__":
    main()

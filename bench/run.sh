#!/usr/bin/env bash
# LeNet-300-100, Fashion-MNIST, batch 60, ITER iterations (default 1000 ≈ one epoch): lth's trainer vs
# the equivalent PyTorch script, same thread count, ROUNDS alternating rounds; prints each median and
# the ratio lth/PyTorch, and writes bench/results.csv. MEMBERS="1 4" also times cohorts (per member).
# DENSITY="1 0.107" also times lth at a pruned level (0.8^10 of the weights left: IMP level 10), where
# lth computes over the survivors; PyTorch (and open_lth) masks the weights and computes densely, so its
# time is the dense one.
# Needs: apt-get install -y python3-torch libopenblas0-pthread dataset-fashion-mnist
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${ROUNDS:-5}; THREADS=${THREADS:-"1 2"}; ITER=${ITER:-1000}; MEMBERS=${MEMBERS:-1}
CONV_ITER=${CONV_ITER:-0}   # > 0: also time Conv-2 for that many iterations (one member)
DENSITY=${DENSITY:-1}
AUTOGRAD=${AUTOGRAD:-0}     # 1: also time lth's LeNet (and Conv-2) step through autograd (engine lth-autograd): libtorch's kernels, the path before lth's own step
dotnet build bench/Lth.Bench -c Release -nologo -v q >/dev/null
BENCH=bench/Lth.Bench/bin/Release/net10.0/linux-x64/Lth.Bench.dll
out=bench/results.csv
echo "round,engine,model,threads,members,density,seconds_per_member" > "$out"
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
# Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and falls back to its 'Prescott' (SSE3) kernels,
# which makes PyTorch ~1.7x slower than it can be. Give the reference its best kernel for this CPU
# (override with PYTORCH_OPENBLAS_CORETYPE; 'none' keeps OpenBLAS's own choice).
if [ -z "${PYTORCH_OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then PYTORCH_OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then PYTORCH_OPENBLAS_CORETYPE=Haswell
  else PYTORCH_OPENBLAS_CORETYPE=none; fi
fi
pyenv=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1)
[ "$PYTORCH_OPENBLAS_CORETYPE" != none ] && pyenv+=("OPENBLAS_CORETYPE=$PYTORCH_OPENBLAS_CORETYPE")
echo "PyTorch reference: OpenBLAS core type ${PYTORCH_OPENBLAS_CORETYPE}; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for r in $(seq "$ROUNDS"); do
  for t in $THREADS; do
    for k in $MEMBERS; do
      for d in $DENSITY; do
        s=$(dotnet "$BENCH" --threads "$t" --iterations "$ITER" --members "$k" --density "$d" | field per_member)
        echo "$r,lth,lenet,$t,$k,$d,$s" >> "$out"
      done
    done
    if [ "$AUTOGRAD" = 1 ]; then
      for k in $MEMBERS; do
        s=$(dotnet "$BENCH" --threads "$t" --iterations "$ITER" --members "$k" --autograd | field per_member)
        echo "$r,lth-autograd,lenet,$t,$k,1,$s" >> "$out"
      done
    fi
    # PyTorch as a user would run it on Debian: OpenBLAS (pthread build), one BLAS thread per torch thread.
    s=$("${pyenv[@]}" /usr/bin/python3 bench/pytorch_lenet_epoch.py --threads "$t" --iterations "$ITER" | field seconds)
    echo "$r,pytorch,lenet,$t,1,1,$s" >> "$out"
    if [ "$CONV_ITER" -gt 0 ]; then
      s=$(dotnet "$BENCH" --model conv2 --threads "$t" --iterations "$CONV_ITER" | field per_member)
      echo "$r,lth,conv2,$t,1,1,$s" >> "$out"
      if [ "$AUTOGRAD" = 1 ]; then
        s=$(dotnet "$BENCH" --model conv2 --threads "$t" --iterations "$CONV_ITER" --autograd | field per_member)
        echo "$r,lth-autograd,conv2,$t,1,1,$s" >> "$out"
      fi
      s=$("${pyenv[@]}" /usr/bin/python3 bench/pytorch_lenet_epoch.py --model conv2 --threads "$t" --iterations "$CONV_ITER" | field seconds)
      echo "$r,pytorch,conv2,$t,1,1,$s" >> "$out"
    fi
  done
done
for t in $THREADS; do echo "sgemm peak (2048^3, libtorch/MKL): $(dotnet "$BENCH" --sgemm --threads "$t" | field gflops) GFLOP/s at $t thread(s)"; done
/usr/bin/python3 - "$out" "$ITER" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
key = lambda r: (r["model"], r["engine"], r["threads"], r["members"], r["density"])
for k in sorted({key(r) for r in rows}):
    med[k] = statistics.median(float(r["seconds_per_member"]) for r in rows if key(r) == k)
print(f"{'model':6} {'engine':12} {'threads':>7} {'members':>7} {'density':>7} {'median s/member':>16} {'lth/pytorch':>12} {'GFLOP/s':>8}")
for (mo, e, t, k, d), m in med.items():
    ref = med.get((mo, "pytorch", t, "1", "1"))
    ratio = f"{m / ref:.2f}" if ref and e.startswith("lth") else ""
    # dense-equivalent forward+backward FLOPs (what PyTorch computes at any density)
    gf = f"{6 * 60 * 266200 * int(sys.argv[2]) / m / 1e9:.0f}" if mo == "lenet" else ""
    print(f"{mo:6} {e:12} {t:>7} {k:>7} {d:>7} {m:16.3f} {ratio:>12} {gf:>8}")
PY

#!/usr/bin/env bash
# LeNet-300-100, Fashion-MNIST, batch 60, ITER iterations (default 1000 ≈ one epoch): lth's trainer vs
# the equivalent PyTorch script, same thread count, ROUNDS alternating rounds; prints each median and
# the ratio lth/PyTorch, and writes bench/results.csv. MEMBERS="1 4" also times cohorts (per member).
# Needs: apt-get install -y python3-torch libopenblas0-pthread dataset-fashion-mnist
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${ROUNDS:-5}; THREADS=${THREADS:-"1 2"}; ITER=${ITER:-1000}; MEMBERS=${MEMBERS:-1}
dotnet build bench/Lth.Bench -c Release -nologo -v q >/dev/null
BENCH=bench/Lth.Bench/bin/Release/net10.0/linux-x64/Lth.Bench.dll
out=bench/results.csv
echo "round,engine,threads,members,seconds_per_member" > "$out"
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
      s=$(dotnet "$BENCH" --threads "$t" --iterations "$ITER" --members "$k" | field per_member)
      echo "$r,lth,$t,$k,$s" >> "$out"
    done
    # PyTorch as a user would run it on Debian: OpenBLAS (pthread build), one BLAS thread per torch thread.
    s=$("${pyenv[@]}" /usr/bin/python3 bench/pytorch_lenet_epoch.py --threads "$t" --iterations "$ITER" | field seconds)
    echo "$r,pytorch,$t,1,$s" >> "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for key in sorted({(r["engine"], r["threads"], r["members"]) for r in rows}):
    med[key] = statistics.median(float(r["seconds_per_member"]) for r in rows if (r["engine"], r["threads"], r["members"]) == key)
print(f"{'engine':8} {'threads':>7} {'members':>7} {'median s/member':>16} {'lth/pytorch':>12}")
for (e, t, k), m in med.items():
    ref = med.get(("pytorch", t, "1"))
    ratio = f"{m / ref:.2f}" if ref and e == "lth" else ""
    print(f"{e:8} {t:>7} {k:>7} {m:16.3f} {ratio:>12}")
PY

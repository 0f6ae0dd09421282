#!/usr/bin/env bash
# Soak test: runs many short lottery cohorts on the generated `synthetic` dataset with random shapes (lenet:W1,W2),
# densities (levels, rates), cohort sizes, optimizers, worker counts and --threads 1|2, for MINUTES (default 30), in a
# scratch runs folder. Stops at the first failure, printing the failing command and its stderr (the scratch folder is
# kept: it holds the run and, for a bug, its crash-*.log); at the end checks the whole store with `lth verify` and says
# how many runs it completed.
#
#   scripts/soak.sh [MINUTES]
#   LTH_CHECKED=1 scripts/soak.sh 60      # with the pointer kernels' bounds checks on (see README 'Soak test')
#   SOAK_SEED=1234 scripts/soak.sh 10     # the same sequence of commands again
#
# Environment: SOAK_SEED (random choices; default: the process id, printed), SOAK_DIR (scratch parent; default $TMPDIR
# or /tmp), SOAK_KEEP=1 (keep the scratch folder after a clean soak too). Uses ./lth, which builds when stale. It is
# CPU-heavy: on a shared machine run it under the same lock as builds, e.g. `flock /tmp/lth-build.lock scripts/soak.sh 10`.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-30}"
if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]]; then echo "usage: scripts/soak.sh [MINUTES]" >&2; exit 2; fi
seed="${SOAK_SEED:-$$}"
RANDOM="$seed"
scratch="$(mktemp -d "${SOAK_DIR:-${TMPDIR:-/tmp}}/lth-soak.XXXXXX")"
runs="$scratch/runs"
lth=("$here/lth")
deadline=$(( $(date +%s) + $(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }') ))

# pick VAR CHOICE...: sets VAR to a random choice (no subshell: $(...) would reseed RANDOM and lose SOAK_SEED's sequence).
pick() { local -n _pick_var="$1"; shift; local _pick_from=("$@"); _pick_var="${_pick_from[RANDOM % ${#_pick_from[@]}]}"; }

inits=(kaiming-normal xavier-normal kaiming-uniform xavier-uniform lecun-uniform xavier-normal-half)
commands=0 runs_done=0
start=$(date +%s)
echo "soak: ${minutes} min, seed ${seed}, kernel checks ${LTH_CHECKED:-off}, scratch ${scratch}"

# Build first (./lth builds when stale), so that a build error is not taken for a soak failure.
if ! "${lth[@]}" presets >/dev/null 2>"$scratch/build.err"; then
  echo "soak: could not start lth:" >&2; cat "$scratch/build.err" >&2; exit 1
fi

while [ "$(date +%s)" -lt "$deadline" ]; do
  pick w1 16 32 64 100 300
  pick w2 8 16 32 64 100
  levels=$(( RANDOM % 7 ))
  pick rate 0.2 0.5 0.8 0.9
  pick rate_output 0.1 0.2 0.5
  # At most the levels that leave every layer (64 inputs → W1 → W2 → 10) 8 weights or more: lth refuses levels past
  # the one where a layer is emptied.
  levels=$(awk -v L="$levels" -v r="$rate" -v ro="$rate_output" -v a=$(( 64 * w1 )) -v b=$(( w1 * w2 )) -v c=$(( w2 * 10 )) \
    'BEGIN { while (L > 0 && (a * (1 - r) ^ L < 8 || b * (1 - r) ^ L < 8 || c * (1 - ro) ^ L < 8)) L--; print L }')
  pick steps 50it 100it 1ep
  pick threads 1 2
  pick optimizer adam adam sgd
  lr=$([ "$optimizer" = adam ] && echo 0.003 || echo 0.1)
  pick batch 32 60 64 100
  hp=(--preset synthetic-tiny --model "lenet:$w1,$w2" --levels "$levels" --rate "$rate" --rate-output "$rate_output"
      --steps "$steps" --optimizer "$optimizer" --lr "$lr" --batch "$batch" --threads "$threads" --runs "$runs" --quiet)
  if [ $(( RANDOM % 4 )) -eq 0 ]; then
    # One run alone.
    s=$(( RANDOM % 1000 ))
    pick init "${inits[@]}"
    cmd=("${lth[@]}" run "${hp[@]}" --init "$init" --seed "$s")
    n=1 what="run $init seed $s"
  else
    # A cohort sweep: K schemes trained together, over 1-2 seeds, by 1-2 workers.
    k=$(( 1 + RANDOM % 4 ))
    pool=("${inits[@]}") chosen=()
    for ((i = 0; i < k; i++)); do j=$(( RANDOM % ${#pool[@]} )); chosen+=("${pool[j]}"); pool=("${pool[@]:0:j}" "${pool[@]:j+1}"); done
    joined=$(IFS=,; echo "${chosen[*]}")
    s=$(( RANDOM % 1000 ))
    nseeds=$(( 1 + RANDOM % 2 ))
    pick jobs 1 1 2
    cmd=("${lth[@]}" sweep "${hp[@]}" --init "$joined" --seeds "$s-$(( s + nseeds - 1 ))" --cohort "$k" --jobs "$jobs")
    n=$(( k * nseeds )) what="sweep --cohort $k --jobs $jobs $([ "$nseeds" = 1 ] && echo "seed $s" || echo "seeds $s-$(( s + 1 ))") $joined"
  fi
  commands=$(( commands + 1 ))
  t0=$(date +%s)
  "${cmd[@]}" >"$scratch/last.out" 2>"$scratch/last.err"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "soak: FAILED (exit $rc) at command $commands after ${runs_done} completed runs:" >&2
    printf '  %q' "${cmd[@]}" >&2; echo >&2
    echo "--- its stderr:" >&2; cat "$scratch/last.err" >&2
    echo "--- scratch folder kept: $scratch (reproduce with SOAK_SEED=$seed)" >&2
    exit 1
  fi
  runs_done=$(( runs_done + n ))
  echo "soak: [$commands] ok in $(( $(date +%s) - t0 ))s: $what, lenet:$w1,$w2 levels 0..$levels rate $rate $steps $optimizer, $threads thread(s)"
done

if ! "${lth[@]}" verify "$runs" >"$scratch/verify.out" 2>&1; then
  echo "soak: FAILED: lth verify found problems after ${runs_done} runs:" >&2
  cat "$scratch/verify.out" >&2
  echo "--- scratch folder kept: $scratch (reproduce with SOAK_SEED=$seed)" >&2
  exit 1
fi
levels_done=$(find "$runs" -name summary.json | wc -l)
elapsed=$(( $(date +%s) - start ))
echo "soak: done: ${commands} commands, ${runs_done} runs completed (${levels_done} levels trained) in $(( elapsed / 60 ))m$(( elapsed % 60 ))s, no failure; lth verify: $(tail -n 1 "$scratch/verify.out")"
if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "soak: runs kept in $runs"; else rm -rf "$scratch"; fi

#!/usr/bin/env bash
# Proves `lth sweep --emit slurm` on a real, single-node Slurm cluster on this machine (Debian 12, root):
# installs slurm-wlm + munge if missing, configures one node named after `hostname -s`, starts munged,
# slurmctld and slurmd, runs synthetic-study locally and as a Slurm job array, and checks that the
# array finished every run with byte-identical metrics.csv / mask.safetensors / final.safetensors.
# Prints "slurm-test: PASS ..." or "slurm-test: FAIL ..." and exits non-zero on failure. Safe to rerun;
# stops the daemons it started. Outside the repo it writes only under /etc/slurm, /etc/munge,
# /var/spool, /var/log and /run.
#
# LTH_LOCK=FILE: run the builds and the local lth runs under `flock FILE` (never while Slurm works).
# SLURM_TEST_TIMEOUT: seconds to wait for the job array (default 300).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=$SECONDS
timeout_s="${SLURM_TEST_TIMEOUT:-300}"
say() { echo "slurm-test: $*"; }
locked() { if [ -n "${LTH_LOCK:-}" ]; then flock "$LTH_LOCK" "$@"; else "$@"; fi; }

if [ "$(id -u)" -ne 0 ]; then say "FAIL: must run as root (installs and starts Slurm)"; exit 1; fi
node="$(hostname -s)"
started=()          # "name:pidfile" of the daemons this script started, stopped by the trap
tmp=""; job=""; ok=0

pid_of() { [ -f "$1" ] && cat "$1" 2>/dev/null || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
cleanup() {
  local rc=$?
  if [ -n "$job" ] && [ "$ok" -ne 1 ]; then
    scancel "$job" 2>/dev/null || true       # and let its tasks end before slurmd goes
    for _ in $(seq 30); do [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  # Stop in reverse order of starting: slurmd, slurmctld, munged.
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    local name="${started[i]%%:*}" pidfile="${started[i]#*:}" pid
    pid="$(pid_of "$pidfile")"
    if alive "$pid"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do alive "$pid" || break; sleep 0.2; done
      alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  [ -n "$tmp" ] && [ "$ok" -eq 1 ] && rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  say "FAIL: $*"
  if [ -n "$tmp" ]; then
    for f in "$tmp"/slurm/slurm/*.out; do [ -f "$f" ] && { echo "==== $f"; tail -n 40 "$f"; }; done
    echo "==== job script"; cat "$tmp/job.sh" 2>/dev/null || true
    echo "==== kept $tmp for inspection"
  fi
  for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/munge/munged.log; do
    [ -f "$f" ] && { echo "==== $f (tail)"; tail -n 25 "$f"; }
  done
  say "FAIL ($((SECONDS - start)) s)"
  exit 1
}

trap 'fail "line $LINENO: $BASH_COMMAND exited $?"' ERR

wait_job() {
  local deadline=$((SECONDS + timeout_s))
  while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "job $1 still queued or running after $timeout_s s: $(squeue -h -j "$1" -o "%i %T %R" | paste -sd";")"
    sleep 2
  done
}

# "4× COMPLETED 0:0": the array tasks' end states (Slurm keeps them MinJobAge = 300 s after the end).
job_states() {
  scontrol -o show job "$1" 2>/dev/null | sed -nE 's/.*JobState=([A-Z_]+) .*ExitCode=([0-9]+:[0-9]+).*/\1 \2/p' \
    | sort | uniq -c | awk '{printf "%s%s× %s %s", (NR > 1 ? ", " : ""), $1, $2, $3}'
}

# --- 1. Slurm and munge -----------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

mkdir -p /etc/munge /var/log/munge /var/lib/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge /etc/munge/munge.key /var/log/munge /var/lib/munge /run/munge
chmod 0700 /etc/munge /var/log/munge /var/lib/munge; chmod 0755 /run/munge; chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2*
  runuser -u munge -- /usr/sbin/munged
  started+=("munged:/run/munge/munged.pid")
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.2; done
  munge -n | unmunge >/dev/null || fail "munged does not answer"
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
conf=/etc/slurm/slurm.conf
marker="# written by lth scripts/slurm-test.sh"
if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
  cp -n "$conf" "$conf.bak-lth"; say "kept the existing $conf as $conf.bak-lth"
fi
# The node's hardware as slurmd sees it: "NodeName=vm CPUs=2 Boards=1 ... RealMemory=24105".
hw="$(slurmd -C 2>/dev/null | grep -m1 '^NodeName=')" || fail "slurmd -C reported nothing"
hw="$(echo "$hw" | sed -E "s/^NodeName=[^ ]+/NodeName=$node/")"
cat >"$conf.tmp" <<EOF
$marker
ClusterName=lth-local
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
$hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
mv "$conf.tmp" "$conf"

if ! alive "$(pid_of /run/slurmctld.pid)"; then
  rm -f /run/slurmctld.pid
  slurmctld -c          # -c: a clean start, no jobs or node states left from an earlier run
  started+=("slurmctld:/run/slurmctld.pid")
else
  scontrol reconfigure >/dev/null
fi
if ! alive "$(pid_of /run/slurmd.pid)"; then
  rm -f /run/slurmd.pid
  slurmd
  started+=("slurmd:/run/slurmd.pid")
fi
for _ in $(seq 60); do
  state="$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n1 || true)"
  case "$state" in idle|mixed|allocated) break ;; down*|drain*) scontrol update nodename="$node" state=resume 2>/dev/null || true ;; esac
  sleep 1
done
[ "$state" = idle ] || [ "$state" = mixed ] || [ "$state" = allocated ] || fail "node $node is '${state:-unknown}', not idle"
say "Slurm up: node $node $state ($(echo "$hw" | grep -oE 'CPUs=[0-9]+|RealMemory=[0-9]+' | paste -sd' ')), $((SECONDS - start)) s"

# --- 2. The same study, locally and as a Slurm job array ------------------------------------------
cd "$here"
locked ./lth --help >/dev/null
tmp="$(mktemp -d "/tmp/lth slurm-test #1.XXXXXX")"   # a space and a #: proves the job script's quoting
study=(sweep --study synthetic-study)
# The local reference runs every run alone (--cohort 1); the Slurm job uses the default cohorts (the two
# schemes of a seed in one array task): at one thread both give the same bits.
locked ./lth "${study[@]}" --cohort 1 --threads 1 --quiet --runs "$tmp/local" >"$tmp/local.log" 2>&1 \
  || { cat "$tmp/local.log"; fail "the local sweep failed"; }
./lth "${study[@]}" --emit slurm --partition debug --cpus-per-task 1 --time 00:10:00 --runs "$tmp/slurm" >"$tmp/job.sh"
grep -qE '^exec .* --threads 1 --task "\$SLURM_ARRAY_TASK_ID"$' "$tmp/job.sh" || fail "the job script does not pass --threads 1 (= --cpus-per-task)"
ntasks=$(( $(grep -oE -- '--array=0-[0-9]+' "$tmp/job.sh" | grep -oE '[0-9]+$') + 1 ))
job="$(sbatch --parsable "$tmp/job.sh")" || fail "sbatch refused the job script"
job="${job%%;*}"
say "submitted job array $job ($ntasks tasks for 4 runs); waiting up to $timeout_s s"
wait_job "$job"
states="$(job_states "$job")"
say "job $job done: ${states:-no record}"
[ -z "$states" ] || [ "$states" = "${ntasks}× COMPLETED 0:0" ] || fail "array tasks did not all complete: $states"

outs=("$tmp"/slurm/slurm/"${job}"_*.out)
[ "${#outs[@]}" -eq "$ntasks" ] && [ -f "${outs[0]}" ] || fail "expected $ntasks task logs under $tmp/slurm/slurm"

# --- 3. Checks --------------------------------------------------------------------------------------
status="$(locked ./lth "${study[@]}" --runs "$tmp/slurm" --status 2>&1)"
echo "$status"
echo "$status" | grep -q '^4/4 runs complete' || fail "--status does not say 4/4 runs complete"
files() { (cd "$1" && find . -path ./slurm -prune -o -type f \( -name metrics.csv -o -name mask.safetensors -o -name final.safetensors \) -print | sort); }
files "$tmp/local" >"$tmp/local.files"; files "$tmp/slurm" >"$tmp/slurm.files"
n="$(wc -l <"$tmp/local.files")"
[ "$n" -eq 36 ] || fail "expected 36 files (4 runs × 3 levels × 3) in the local run, found $n"
diff "$tmp/local.files" "$tmp/slurm.files" >/dev/null || fail "the two roots hold different files: $(diff "$tmp/local.files" "$tmp/slurm.files" | head)"
while read -r f; do cmp -s "$tmp/local/$f" "$tmp/slurm/$f" || fail "$f differs between the local run and the Slurm run"; done <"$tmp/local.files"

# Resubmitting the finished study is how a partly finished one is completed: every task must find its
# run complete and exit at once, training nothing.
job1="$job"; job2="$(sbatch --parsable "$tmp/job.sh")"; job2="${job2%%;*}"; job="$job2"
wait_job "$job2"
again=("$tmp"/slurm/slurm/"${job2}"_*.out)
[ "${#again[@]}" -eq "$ntasks" ] && [ -f "${again[0]}" ] || fail "the resubmitted job $job2 left no $ntasks task logs"
if grep -lE 'level [0-9]+: [0-9]' "${again[@]}" >/dev/null; then fail "the resubmitted job $job2 trained again: $(grep -hE 'level [0-9]+: [0-9]' "${again[@]}" | head -3)"; fi
states="$(job_states "$job2")"
[ -z "$states" ] || [ "$states" = "${ntasks}× COMPLETED 0:0" ] || fail "the resubmitted tasks did not all complete: $states"
say "resubmitted as job $job2 (${states:-no record}): its $ntasks tasks found their runs complete and trained nothing"

ok=1; echo "==== ${outs[0]##*/} (a task's log)"; tail -n 4 "${outs[0]}"
say "PASS: job array $job1 ($ntasks tasks) ran 4/4 runs of synthetic-study on Slurm $(sinfo -V | awk '{print $2}') (node $node); $n files byte-identical to the local run ($((SECONDS - start)) s)"

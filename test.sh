#!/usr/bin/env bash
# Builds and runs every test (xunit via dotnet test), then prints one closing line of totals:
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
log="$(mktemp)"
dotnet test lth.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}'; }
passed=$(grep -E '^(Passed|Failed)!' "$log" >/dev/null && sum 'Passed' || echo 0)
failed=$(sum 'Failed')
skipped=$(sum 'Skipped')
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then echo "test.sh: no test ran" >&2; exit 1; fi
exit "$rc"

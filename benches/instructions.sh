#!/usr/bin/env bash
# Instructions per operation of the report's tight loops (churn, batch, steady churn; 32 and
# 256 B values), for every system, and the remote-free workload's owner-local churn (a
# SendSlot against a Slot, 32 B), counted by callgrind. Cycles drift with the machine;
# these counts do not.
#
# Usage, from anywhere in the repository: bash benches/instructions.sh
#
# Each case runs in a process of its own (`instructions WORKLOAD BYTES SYSTEM`): the store
# is built (and, for steady churn, filled) and the loop run once to warm up outside the
# counted region; callgrind counts only the call of `counted_region`, which runs the loop
# body of the report's timed loop 2000 times (callees such as malloc included). The figure
# is the count / operations run (the loop's own increment and branch included).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v valgrind > /dev/null; then
    echo "instructions.sh: valgrind not found (apt-get install valgrind)" >&2
    exit 1
fi
cargo build --release -p nexus-slab-benches --bin instructions >&2
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin="$target_dir/release/instructions"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '%-13s %5s  %-16s %10s\n' workload bytes system "instr/op"
"$bin" --list | while IFS=$'\t' read -r workload bytes system; do
    file="$out/callgrind.out"
    ops=$(valgrind --tool=callgrind --toggle-collect='*counted_region*' \
        --callgrind-out-file="$file" "$bin" "$workload" "$bytes" "$system" 2> "$out/log") || {
        echo "instructions.sh: $workload $bytes $system failed:" >&2
        cat "$out/log" >&2
        exit 1
    }
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$file")
    awk -v w="$workload" -v b="$bytes" -v s="$system" -v t="$total" -v o="$ops" \
        'BEGIN { printf "%-13s %5s  %-16s %10.1f\n", w, b, s, t / o }' | tee -a "$out/table"
done

# The instruction targets: churn, 32 B.
echo
echo "targets (churn, 32 B, instructions per op):"
awk -F'  +' '
    $1 ~ /^churn/ && $2 + 0 == 32 { n[$3] = $4 + 0 }
    function check(what, ours, peer, limit) {
        r = n[ours] / n[peer]
        printf "  %-40s %6.3f  limit %.1f  %s\n", what, r, limit, (r <= limit ? "holds" : "MISSES")
    }
    END {
        check("alloc bounded / nexus2 bounded", "alloc bounded", "nexus2 bounded", 1.3)
        check("HiSlab / slab", "HiSlab", "slab", 1.5)
    }' "$out/table"

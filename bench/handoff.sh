#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/handoff.sh [N]: what the front's handoff costs. Every command but
# exec goes through it: wgphys (the front, linked with libc and libcap-ng
# alone, the file that may carry capabilities) execs wgphys-core with the
# same argv. This times `wgphys check --help` against `wgphys-core check
# --help`, which does nothing else, so the difference is the handoff: one
# exec and the front's own start. A benchmark, not a test: it prints
# numbers; exit status 0 unless something failed to run.
#
# Harmless anywhere (it only prints help); on this machine and in the test
# VM, where a process start costs far more under TCG:
#     bench/handoff.sh                      (the release build, ./wgphys)
#     tests/vm/run bench/handoff.sh         (the same, in the VM)
# WGPHYS=PATH times another front (its wgphys-core beside it). ROUNDS
# (default 5) rounds of N (default 200) calls each, interleaved.

set -u

N=${1:-200}
ROUNDS=${ROUNDS:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WGPHYS=${WGPHYS:-$root/wgphys}
[[ $WGPHYS == /* ]] || WGPHYS=$root/$WGPHYS
core=$(dirname "$WGPHYS")/wgphys-core

die() {
	echo "bench/handoff.sh: $*" >&2
	exit 1
}

for b in "$WGPHYS" "$core"; do
	[[ -x $b ]] || die "$b not found (make)"
done
# In the VM, run copies from the guest's tmpfs, as installed files would
# be: from the repository's uncached 9p mount every start pays for the
# transfer.
if [[ ${WGPHYS_VM-} == 1 ]]; then
	if ! { mkdir -p /tmp/handoff && cp "$WGPHYS" /tmp/handoff/wgphys &&
		cp "$core" /tmp/handoff/wgphys-core; }; then
		die "cannot copy into /tmp/handoff"
	fi
	WGPHYS=/tmp/handoff/wgphys core=/tmp/handoff/wgphys-core
fi
for b in "$WGPHYS" "$core"; do
	"$b" check --help >/dev/null 2>&1 || die "$b check --help failed"
done
command -v python3 >/dev/null || die "python3 not found"

python3 - "$N" "$ROUNDS" "$WGPHYS" "$core" <<'EOF'
import os, statistics, sys, time

n, rounds, front, core = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
null = os.open(os.devnull, os.O_WRONLY)
acts = [(os.POSIX_SPAWN_DUP2, null, fd) for fd in (1, 2)]
per = {"front": [], "core": []}
for r in range(rounds):
    for name, path in (("front", front), ("core", core)):
        argv = [path, "check", "--help"]
        t0 = time.perf_counter_ns()
        for i in range(n):
            pid = os.posix_spawn(path, argv, os.environ, file_actions=acts)
            if os.waitpid(pid, 0)[1] != 0:
                sys.exit(f"{name} failed in round {r}")
        per[name].append((time.perf_counter_ns() - t0) / n / 1e6)
f, c = per["front"], per["core"]
print(f"{rounds} rounds of {n} calls each, posix_spawn from python3; "
      f"{os.cpu_count()} CPUs, {os.uname().release}")
print("ms per call, median [best, worst] over the rounds:")
for name, v in (("wgphys check --help (through the front)", f),
                ("wgphys-core check --help (the core alone)", c)):
    print(f"  {name:44s} {statistics.median(v):7.3f} [{min(v):7.3f}, {max(v):7.3f}]")
d = [a - b for a, b in zip(f, c)]
q = [a / b for a, b in zip(f, c)]
print(f"  the handoff: {statistics.median(d):.3f} ms per command (worst {max(d):.3f}); "
      f"time ratio {statistics.median(q):.2f} (worst {max(q):.2f})")
EOF

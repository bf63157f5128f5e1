#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/exec.sh [N]: how long one `wgphys exec true` takes, next to the two
# ways of doing it by hand:
#   ip netns exec physical sudo -E -u '#UID' -g '#GID' -- true   (dropping)
#   ip netns exec physical true                                  (not dropping)
# Goals: at least 4x faster than the sudo line, at least 0.85x the speed of
# plain ip netns exec. A benchmark, not a test: it prints numbers and says
# whether the goals were met; exit status 0 unless something failed to run.
#
# Like tests/host/t-exec.sh it runs in throwaway pid, mount and network
# namespaces (tmpfs /tmp and /run, an overlay on /etc for its user), so the
# machine keeps nothing. Needs root, sudo, and the release build
# (WGPHYS, default ./wgphys, copied into the private /run, so that a
# checkout under /tmp works too). ROUNDS (default 3) rounds of N (default 300)
# calls each; HARNESS=bash times a bash loop instead of posix_spawn.

set -u

N=${1:-300}
ROUNDS=${ROUNDS:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ ${WGX_INNER-} != 1 ]]; then
	if ((EUID != 0)); then
		echo "bench/exec.sh: needs root" >&2
		exit 1
	fi
	WGPHYS=${WGPHYS:-wgphys}
	[[ $WGPHYS == /* ]] || WGPHYS=$root/$WGPHYS
	for tool in "$WGPHYS" ip sudo unshare; do
		if ! command -v "$tool" >/dev/null; then
			echo "bench/exec.sh: $tool not found" >&2
			exit 1
		fi
	done
	# The binary may live under /tmp or /run (a checkout under /tmp),
	# which the private mounts below hide: hold it open, copy it in after.
	exec {binfd}<"$WGPHYS" || exit 1
	WGX_INNER=1 WGX_BINFD=$binfd WGPHYS=$WGPHYS exec unshare --pid --fork --kill-child \
		--mount-proc --mount --net --propagation private -- \
		bash "${BASH_SOURCE[0]}" "$@"
fi

die() {
	echo "bench/exec.sh: $*" >&2
	exit 1
}

if ! { mount -t tmpfs -o mode=0755 wgx-tmp /tmp &&
	mount -t tmpfs -o mode=0755 wgx-run /run &&
	mkdir -p /tmp/etc-up /tmp/etc-work &&
	mount -t overlay wgx-etc -o lowerdir=/etc,upperdir=/tmp/etc-up,workdir=/tmp/etc-work /etc &&
	mkdir -m 0700 /run/wgphys && mkdir -p /etc/netns/physical; }; then
	die "cannot set up the private /tmp, /run and /etc"
fi
if ! { mkdir -p /run/wgx-bin && cat "/proc/self/fd/$WGX_BINFD" >/run/wgx-bin/wgphys &&
	chmod 0755 /run/wgx-bin/wgphys; }; then
	die "cannot copy $WGPHYS into the private /run"
fi
exec {WGX_BINFD}<&-
WGPHYS=/run/wgx-bin/wgphys
# The working directory may be hidden as well (pyenv's python3 wants it).
cd / || die "cannot cd /"

useradd -M -N -g users -s /bin/sh wgxbench || die "useradd failed"
uid=$(id -u wgxbench) gid=$(id -g wgxbench)

if ! { ip link set lo up && ip netns add physical &&
	ip link add wgx-m type veth peer name wgx-p netns physical &&
	echo "nameserver 192.0.2.53" >/etc/netns/physical/resolv.conf; }; then
	die "cannot create namespace physical"
fi
# As a finished up writes it (exec refuses an up that has not finished).
printf 'wgphys-state 1\nnetns physical %s %s\nmain %s %s\nstage 100\n' \
	"$(stat -L -c %d /run/netns/physical)" \
	"$(stat -L -c %i /run/netns/physical)" \
	"$(stat -L -c %d /proc/self/ns/net)" "$(stat -L -c %i /proc/self/ns/net)" \
	>/run/wgphys/state

# What sudo would have set for wgphys; exported so that no extra process
# (env) is timed.
export SUDO_UID=$uid SUDO_GID=$gid SUDO_USER=wgxbench

true_bin=$(type -P true)
names=(v_wgphys v_sudo v_ip v_true)
declare -A label=(
	[v_wgphys]="wgphys exec true"
	[v_sudo]="ip netns exec + sudo -E -u -g true"
	[v_ip]="ip netns exec true"
	[v_true]="true (the command alone)"
)
# One word per argument: split on purpose where used.
declare -A cmd=(
	[v_wgphys]="$WGPHYS exec true"
	[v_sudo]="ip netns exec physical sudo -E -u #$uid -g #$gid -- true"
	[v_ip]="ip netns exec physical true"
	[v_true]="$true_bin"
)
declare -A total=()

for v in "${names[@]}"; do
	# shellcheck disable=SC2086
	out=$(${cmd[$v]} 2>&1) || die "${label[$v]} failed: $out"
	[[ -z $out ]] || echo "note: ${label[$v]} says: $out"
	total[$v]=0
done

# The loop itself. A bash loop forks all of bash for each call, which on a
# small machine costs as much as what is measured and squeezes every ratio
# towards 1; python's posix_spawn (vfork) costs next to nothing. Either way
# the rounds interleave the variants, so that a slow moment of the machine
# is shared rather than charged to one of them. Prints "name microseconds".
spawn_py() {
	local v
	# shellcheck disable=SC2046,SC2086
	python3 - "$N" "$ROUNDS" $(for v in "${names[@]}"; do
		echo "$v" ${cmd[$v]} ";;"
	done) <<'EOF'
import os, shutil, sys, time

n, rounds = int(sys.argv[1]), int(sys.argv[2])
cmds, cur = [], None
for a in sys.argv[3:]:
    if cur is None:
        cur = [a, []]
    elif a == ";;":
        cmds.append(cur)
        cur = None
    else:
        cur[1].append(a)
total = {name: 0 for name, _ in cmds}
for r in range(rounds):
    for name, argv in cmds:
        path = shutil.which(argv[0])
        t0 = time.perf_counter_ns()
        for i in range(n):
            pid = os.posix_spawn(path, argv, os.environ)
            if os.waitpid(pid, 0)[1] != 0:
                sys.exit(f"{name} failed in round {r}")
        total[name] += time.perf_counter_ns() - t0
for name, _ in cmds:
    print(name, total[name] // 1000)
EOF
}

spawn_bash() {
	local v r i t0 t1
	for ((r = 0; r < ROUNDS; r++)); do
		for v in "${names[@]}"; do
			t0=${EPOCHREALTIME/[.,]/}
			for ((i = 0; i < N; i++)); do
				# shellcheck disable=SC2086
				${cmd[$v]} || die "${label[$v]} failed in round $r"
			done
			t1=${EPOCHREALTIME/[.,]/}
			total[$v]=$((total[$v] + t1 - t0))
		done
	done
	for v in "${names[@]}"; do
		echo "$v ${total[$v]}"
	done
}

if [[ ${HARNESS-} != bash ]] && command -v python3 >/dev/null; then
	harness="posix_spawn from python3"
	spawn_py >/tmp/bench.out || die "the timing loop failed"
else
	harness="a bash loop"
	spawn_bash >/tmp/bench.out || die "the timing loop failed"
fi
while read -r v us; do
	total[$v]=$us
done </tmp/bench.out

calls=$((N * ROUNDS))
echo "$calls calls each ($ROUNDS rounds of $N) through $harness; $(nproc) CPUs, $(uname -r)"
for v in "${names[@]}"; do
	awk -v l="${label[$v]}" -v us="${total[$v]}" -v n="$calls" \
		'BEGIN { printf "  %-36s %8.3f ms/call\n", l, us / n / 1000 }'
done
# Raw: what a caller waits for. Added: the same minus running the command
# directly (the spawn and the exec of true), i.e. what each door costs on
# top of the command.
awk -v w="${total[v_wgphys]}" -v s="${total[v_sudo]}" -v i="${total[v_ip]}" \
	-v t="${total[v_true]}" -v n="$calls" 'BEGIN {
	fs = s / w; fi = i / w
	printf "  raw:   %5.2fx faster than the sudo line (goal >= 4: %s), %4.2fx the speed of ip netns exec (goal >= 0.85: %s)\n",
		fs, (fs >= 4) ? "met" : "NOT met", fi, (fi >= 0.85) ? "met" : "NOT met"
	if (w > t && s > t && i > t) {
		printf "  added: wgphys %.3f ms, sudo line %.3f ms, ip netns exec %.3f ms per call: %.2fx and %.2fx\n",
			(w - t) / n / 1000, (s - t) / n / 1000, (i - t) / n / 1000,
			(s - t) / (w - t), (i - t) / (w - t)
	}
}'

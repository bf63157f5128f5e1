#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/exec.sh [N]: how long one `wgphys exec true` takes, next to the ways
# of doing it by hand:
#   ip netns exec physical true                                  (not dropping)
#   ip netns exec physical sudo -E -u '#UID' -g '#GID' -- true   (dropping)
# wgphys is timed the two ways it is used: installed (a copy with file
# capabilities, root:wgphys 0750, as scripts/install-caps makes it, run by a
# member of group wgphys) and under sudo (root, SUDO_UID and SUDO_GID set).
#
# Each figure is a time ratio, wgphys's time over the other's, measured in
# the same round; the median and the worst over ROUNDS rounds are printed.
# Goals (issue 13): installed, at most 0.85 of ip netns exec's time; under
# sudo, at most 0.25 of the sudo line's. A benchmark, not a test: it prints
# numbers and says whether the goals were met; exit status 0 unless
# something failed to run.
#
# Like tests/host/t-exec.sh it runs in throwaway pid, mount and network
# namespaces (tmpfs /tmp and /run, an overlay on /etc for its user and
# group), so the machine keeps nothing. Needs root, sudo, setcap, setpriv,
# python3, and the release build (WGPHYS, default ./wgphys of the checkout
# this script is in, copied into the private /run, so that a checkout
# under /tmp works too). ROUNDS (default 5) rounds of N (default 300)
# calls of each.

set -u

N=${1:-300}
ROUNDS=${ROUNDS:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ ${WGX_INNER-} != 1 ]]; then
	if ((EUID != 0)); then
		echo "bench/exec.sh: needs root" >&2
		exit 1
	fi
	WGPHYS=${WGPHYS:-wgphys}
	[[ $WGPHYS == /* ]] || WGPHYS=$root/$WGPHYS
	for tool in "$WGPHYS" ip sudo unshare setcap setpriv python3; do
		if ! command -v "$tool" >/dev/null; then
			echo "bench/exec.sh: $tool not found" >&2
			exit 1
		fi
	done
	if ((ROUNDS < 1 || N < 1)); then
		echo "bench/exec.sh: ROUNDS and N must be at least 1" >&2
		exit 1
	fi
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
# The user and group the installed way needs (in the overlay only).
groupadd wgphys || die "groupadd failed"
useradd -M -N -g users -G wgphys -s /bin/sh -d /tmp wgxbench || die "useradd failed"
uid=$(id -u wgxbench) gid=$(id -g wgxbench)

# Root's copy, and the installed one: what scripts/install-caps makes.
if ! { mkdir -p /run/wgx-bin /run/wgx-caps && cat "/proc/self/fd/$WGX_BINFD" >/run/wgx-bin/wgphys &&
	chmod 0755 /run/wgx-bin/wgphys &&
	install -o root -g wgphys -m 0750 /run/wgx-bin/wgphys /run/wgx-caps/wgphys &&
	setcap cap_sys_admin,cap_dac_read_search,cap_setpcap+p /run/wgx-caps/wgphys; }; then
	die "cannot copy $WGPHYS into the private /run and give a copy its capabilities"
fi
exec {WGX_BINFD}<&-
WGPHYS=/run/wgx-bin/wgphys
# The working directory may be hidden as well (pyenv's python3 wants it).
cd / || die "cannot cd /"

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
	>/run/wgphys/state && chmod 0600 /run/wgphys/state

# What sudo would have set for wgphys; exported so that no extra process
# (env) is timed. The user's own environment is what a login gives.
export SUDO_UID=$uid SUDO_GID=$gid SUDO_USER=wgxbench
user_env=(HOME=/tmp USER=wgxbench LOGNAME=wgxbench SHELL=/bin/sh
	PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8)

true_bin=$(type -P true)
# "as" is who runs it: root, or the user (a process of its own per round).
names=(v_caps v_wgphys v_ip v_sudo v_true)
declare -A label=(
	[v_caps]="wgphys exec true (installed, as user)"
	[v_wgphys]="sudo wgphys exec true (root)"
	[v_ip]="ip netns exec true (root)"
	[v_sudo]="ip netns exec + sudo -E -u -g true"
	[v_true]="true (the command alone)"
)
declare -A as=([v_caps]=user)
# One word per argument: split on purpose where used.
declare -A cmd=(
	[v_caps]="/run/wgx-caps/wgphys exec true"
	[v_wgphys]="$WGPHYS exec true"
	[v_ip]="ip netns exec physical true"
	[v_sudo]="ip netns exec physical sudo -E -u #$uid -g #$gid -- true"
	[v_true]="$true_bin"
)

as_user=(setpriv --reuid="$uid" --regid="$gid" --init-groups -- env -i "${user_env[@]}")
# perf stat -r and a spawn loop ignore what the command did: look once.
# shellcheck disable=SC2016 # expanded by the command's shell
probe='printf "%s " "$(id -u)" "$(grep CapEff /proc/self/status)" "$(ls /sys/class/net | tr "\n" " ")"'
want="$uid CapEff:	0000000000000000 lo wgx-p  "
for v in v_caps v_wgphys; do
	if [[ ${as[$v]-} == user ]]; then
		# shellcheck disable=SC2086
		out=$("${as_user[@]}" ${cmd[$v]% true} sh -c "$probe" 2>&1)
	else
		# shellcheck disable=SC2086
		out=$(${cmd[$v]% true} sh -c "$probe" 2>&1)
	fi
	[[ $out == "$want" ]] || die "${label[$v]}: the command did not run as it should: '$out', want '$want'"
done
for v in "${names[@]}"; do
	if [[ ${as[$v]-} == user ]]; then
		# shellcheck disable=SC2086
		out=$("${as_user[@]}" ${cmd[$v]} 2>&1) || die "${label[$v]} failed: $out"
	else
		# shellcheck disable=SC2086
		out=$(${cmd[$v]} 2>&1) || die "${label[$v]} failed: $out"
	fi
	[[ -z $out ]] || echo "note: ${label[$v]} says: $out"
done

# The loop: python's posix_spawn (vfork) costs next to nothing, where a
# bash loop would fork all of bash per call and squeeze every ratio
# towards 1. Rounds interleave the variants, so that a slow moment of the
# machine is shared rather than charged to one of them. A user's variant
# runs in a python of its own, started as that user for its turn (its
# start is not timed). Prints "ROUND NAME MICROSECONDS" per variant.
loop_py=$(cat <<'EOF'
import os, shutil, sys, time
n, name, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
path = shutil.which(argv[0])
t0 = time.perf_counter_ns()
for i in range(n):
    pid = os.posix_spawn(path, argv, os.environ)
    if os.waitpid(pid, 0)[1] != 0:
        sys.exit(f"{name} failed")
print(name, (time.perf_counter_ns() - t0) // 1000)
EOF
)
for ((r = 0; r < ROUNDS; r++)); do
	for v in "${names[@]}"; do
		if [[ ${as[$v]-} == user ]]; then
			# shellcheck disable=SC2086
			out=$("${as_user[@]}" python3 -c "$loop_py" "$N" "$v" ${cmd[$v]}) ||
				die "${label[$v]} failed in round $r"
		else
			# shellcheck disable=SC2086
			out=$(python3 -c "$loop_py" "$N" "$v" ${cmd[$v]}) ||
				die "${label[$v]} failed in round $r"
		fi
		echo "$r $out"
	done
done >/tmp/bench.out

echo "$ROUNDS rounds of $N calls each, posix_spawn from python3; $(nproc) CPUs, $(uname -r)"
echo "$(basename "$root"): $(git -C "$root" describe --always --dirty 2>/dev/null || echo "not a git checkout")"
awk -v n="$N" -v names="${names[*]}" \
	-v labels="$(for v in "${names[@]}"; do printf '%s\t' "${label[$v]}"; done)" '
function sort(a, k,   i, j, t) {
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
function median(a, k) {
	sort(a, k)
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function worst(a, k,   i, w) {
	w = a[1]
	for (i = 2; i <= k; i++)
		if (a[i] > w)
			w = a[i]
	return w
}
# The time ratio a/b of each round: median and worst (the largest).
function ratio(a, b, title, goal,   r, k, m, w, x) {
	k = 0
	for (r = 0; r < rounds; r++)
		x[++k] = us[r, a] / us[r, b]
	w = worst(x, k)
	m = median(x, k)
	printf "  %-44s median %.2f, worst %.2f", title, m, w
	if (goal != "")
		printf " (goal <= %.2f: %s)", goal, w <= goal ? "met" : m <= goal ? "met by the median only" : "NOT met"
	printf "\n"
}
{ us[$1, $2] = $3; if ($1 + 1 > rounds) rounds = $1 + 1 }
END {
	nv = split(names, v, " ")
	split(labels, l, "\t")
	printf "ms per call, median [best, worst] over the rounds:\n"
	for (i = 1; i <= nv; i++) {
		k = 0
		for (r = 0; r < rounds; r++)
			t[++k] = us[r, v[i]] / n / 1000
		sort(t, k)
		printf "  %-44s %6.3f [%6.3f, %6.3f]\n", l[i], median(t, k), t[1], t[k]
	}
	printf "time ratios (wgphys / the other), each from one round:\n"
	ratio("v_caps", "v_ip", "installed / ip netns exec", 0.85)
	ratio("v_wgphys", "v_ip", "sudo wgphys / ip netns exec", "")
	ratio("v_wgphys", "v_sudo", "sudo wgphys / ip netns exec + sudo", 0.25)
}' /tmp/bench.out

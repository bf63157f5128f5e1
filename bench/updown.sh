#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/updown.sh: how long `wgphys up` and `wgphys down` take next to the
# published shell script they replace (bench/baseline.sh), on a real kernel
# in the test world of tests/vm/world.sh. Run it inside the VM:
#
#     tests/vm/run -t 1500 bench/updown.sh
#
# In one boot it runs BENCH_ROUNDS (default 5) rounds; each round runs the
# baseline, then wgphys, from the same state: an online laptop, that is a
# dhcpcd of the system's own ("dhcpcd -B -4 eth0", started here, reused
# while it lives and holds its lease) with a lease and a default route on
# eth0, wlan0 down, and no other dhcpcd or wpa_supplicant in the main
# namespace (whatever the previous down started there is stopped first, by
# pid), and dhcpcd's hooks done. For each it measures, in ms:
#   up       until `up` returns
#   tunnel   from `up` returning until a TCP connection from the main
#            namespace to the tunnel's service ($WORLD_TUNNEL_SERVER:7777)
#            is established: the tunnel passes traffic both ways (the SYN
#            out, the SYN-ACK back, both through the tunnel: nothing else
#            leads there)
#   traffic  from `up` returning until that service has answered, and
#            answered $WORLD_TUNNEL_CLIENT (what world_ask checks); anything
#            else is a leak and breaks the run. The service forks socat and
#            bash for each connection, in the world's "lan": most of this
#            is that cost (see "1 ask"), the same for both
#   down     until `down` returns
#   online   from `down` returning until eth0, back in the main namespace,
#            has a default route again (then checked: and a LAN address)
# All bounded: 60 s each.
#
# The probe is bash's own /dev/tcp client, forked before `up` and released
# through a pipe the moment `up` returns; it retries every 20 ms while the
# connect fails at once (no route yet) and otherwise waits for the connect,
# so the times carry no fork or exec. world_ask (timeout + socat) costs
# 0.3 to 2 s per call under TCG, depending on what else the host runs,
# which would swamp a one-second goal; one world_ask, timed once the run
# has settled, is shown as "1 ask" for comparison. "online" likewise reads
# /proc/net/route.
#
# Between up and down it waits (at most 30 s, not timed into anything) for
# eth0 and wlan0 in "physical" to have their leases, so both downs start
# from a settled state; that wait is shown as "settled".
# It prints every run (with how the starting state was made, when the
# system's dhcpcd went away, and which daemons down left running), then
# each figure's median and worst over the rounds, and for up and down the
# ratio wgphys/baseline of each round (both ran back to back, in the same
# noise) with its median and worst, against the goals of issue 13:
#   tunnel after up returns   median <= 200 ms, worst <= 500 ms
#   up returns                ratio median <= 0.10
#   down returns              ratio median <= 0.10
# A benchmark, not a test: exit status 0 unless something broke, which it
# says on lines starting "BROKE:".
#
# The programs timed are copied into the guest's /tmp first: a build on
# the host during the run (the guest reads the checkout over 9p) changes
# nothing in it. Runs from any checkout, under /tmp as well.
#
# Settings, as arguments NAME=VALUE (tests/vm/run hands the guest its
# arguments, not its environment) or from the environment:
#   BENCH_ROUNDS  rounds (default 5); a round takes one to three minutes
#   WGPHYS        the wgphys to time (default: the release build ./wgphys
#                 if it exists, else build/test/wgphys; the sanitizer build
#                 is slower, so prefer the release one)
# e.g. tests/vm/run -t 1500 bench/updown.sh BENCH_ROUNDS=5 WGPHYS=build/test/wgphys

# shellcheck disable=SC2317 # functions called through poll_from and trap
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tests/vm/world.sh
. "$repo/tests/vm/world.sh"

# tests/vm/run passes arguments to the guest, not the environment.
for arg in "$@"; do
	case $arg in
	BENCH_ROUNDS=* | WGPHYS=*) declare "$arg" ;;
	*)
		echo "usage: bench/updown.sh [BENCH_ROUNDS=N] [WGPHYS=PATH]" >&2
		exit 2 ;;
	esac
done
# Outside the VM it would take the machine's own network (and its
# teardown stops every dhcpcd and wpa_supplicant it sees).
if [[ ${WGPHYS_VM-} != 1 ]]; then
	echo "bench/updown.sh: runs only in the test VM: tests/vm/run -t 1500 bench/updown.sh" >&2
	exit 2
fi
ROUNDS=${BENCH_ROUNDS:-5}
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1)); then
	echo "bench/updown.sh: BENCH_ROUNDS must be a positive number" >&2
	exit 2
fi
if [[ -z ${WGPHYS-} ]]; then
	WGPHYS=$repo/wgphys
	[[ -x $WGPHYS ]] || WGPHYS=$repo/build/test/wgphys
fi
[[ $WGPHYS == /* ]] || WGPHYS=$repo/$WGPHYS
BASELINE=$here/baseline.sh
export WG_SETCONF=/etc/wireguard/wg0-setconf.conf
# Only the sanitizer build reads these.
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
LOG=/tmp/bench

broke=0
say() { printf '%s\n' "$*"; }
fail() {
	broke=1
	say "BROKE: $*"
}
# Prints a file indented, for the output of a command that failed.
show() { [[ -s $1 ]] && sed 's/^/    | /' "$1"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

# Sleeping without a fork: read from a pipe nobody writes to. (The guest
# has no /dev/fd, so no process substitution either.)
mkdir -p "$LOG" || exit 1
rm -f "$LOG/nap"
mkfifo "$LOG/nap" && exec {nap_fd}<>"$LOG/nap" || exit 1
nap() {
	read -r -t "$1" -u "$nap_fd" _
	return 0
}

# poll_from T0_US SECS PAUSE CMD...: run CMD until it exits 0, PAUSE seconds
# apart, for at most SECS after T0_US (microseconds since the epoch). Sets
# poll_us to the time from T0_US to CMD's success; returns 1 on timeout.
poll_us=0
poll_from() {
	local t0=$1 secs=$2 pause=$3 deadline t
	shift 3
	deadline=$((t0 + secs * 1000000))
	while :; do
		if "$@" >/dev/null 2>&1; then
			t=${EPOCHREALTIME/[.,]/}
			poll_us=$((t - t0))
			return 0
		fi
		t=${EPOCHREALTIME/[.,]/}
		((t >= deadline)) && return 1
		nap "$pause"
	done
}

# A zombie passes kill -0: read the state instead.
alive() {
	local stat
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Is pid $1 pid $2 or one of its descendants (dhcpcd's privsep helpers)?
under() {
	local p=$1 stat
	while [[ -n $p ]] && ((p > 1)); do
		((p == $2)) && return 0
		read -r stat 2>/dev/null <"/proc/$p/stat" || return 1
		read -r _ p _ <<<"${stat##*) }"
	done
	return 1
}

main_ns=$(stat -L -c %i /proc/$$/ns/net)

# Prints "pid comm" of every live dhcpcd and wpa_supplicant whose network
# namespace is (IN=1) or is not (IN=0) the main one.
daemons() { # IN
	local p comm ns
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == dhcpcd || $comm == wpa_supplicant ]] || continue
		alive "${p#/proc/}" || continue
		ns=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
		if [[ $1 == 1 ]]; then
			[[ $ns == "$main_ns" ]] || continue
		else
			[[ $ns != "$main_ns" ]] || continue
		fi
		printf '%s %s\n' "${p#/proc/}" "$comm"
	done
}

# Stops the given pids: TERM, up to 10 s, then KILL. Returns 1 if KILL was
# needed.
stop_pids() {
	local p rc=0 deadline
	(($#)) || return 0
	kill -TERM "$@" 2>/dev/null
	deadline=$((${EPOCHREALTIME/[.,]/} + 10000000))
	for p in "$@"; do
		while alive "$p" && ((${EPOCHREALTIME/[.,]/} < deadline)); do nap 0.05; done
		if alive "$p"; then
			kill -KILL "$p" 2>/dev/null
			rc=1
		fi
	done
	return "$rc"
}

# The main table's default route is on eth0 (/proc/net/route: no fork).
default_on_eth0() {
	local ifc dst _rest
	while read -r ifc dst _rest; do
		[[ $ifc == eth0 && $dst == 00000000 ]] && return 0
	done </proc/net/route
	return 1
}
has_lan_addr() { # eth0 in main has a LAN address
	[[ $(ip -4 -o addr show dev eth0 2>/dev/null) == *"inet ${WORLD_ROUTER%.*}."* ]]
}
has_lease() { default_on_eth0 && has_lan_addr; }
tunnel_passes() {
	[[ $(world_ask "$WORLD_TUNNEL_SERVER") == "$WORLD_TUNNEL_CLIENT" ]]
}
physical_settled() { # both NICs have their leases in physical
	[[ $(ip -n physical -4 -o addr show dev eth0 2>/dev/null) == *"inet ${WORLD_ROUTER%.*}."* ]] &&
		[[ $(ip -n physical -4 -o addr show dev wlan0 2>/dev/null) == *"inet ${WORLD_CAFE_ROUTER%.*}."* ]]
}

# The traffic probe. probe_arm forks it, waiting on a pipe; probe_go lets
# it connect; it leaves "CONNECTED_US ANSWERED_US ANSWER" in $LOG/probe.out.
probe_pid=
probe_arm() {
	rm -f "$LOG/probe.go" "$LOG/probe.out" "$LOG/probe.tmp"
	mkfifo "$LOG/probe.go" && exec {probe_fd}<>"$LOG/probe.go" || return 1
	(
		exec 2>/dev/null
		read -r _ <&"$probe_fd"
		while :; do
			# Fails at once without a route; otherwise returns when the
			# handshake is done (WireGuard holds the SYN until then).
			if exec 3<>"/dev/tcp/$WORLD_TUNNEL_SERVER/$WORLD_SERVICE_PORT"; then
				tc=${EPOCHREALTIME/[.,]/}
				ans=
				read -r -t 10 ans <&3
				ta=${EPOCHREALTIME/[.,]/}
				exec 3<&-
				if [[ -n $ans ]]; then
					echo "$tc $ta $ans" >"$LOG/probe.tmp"
					mv "$LOG/probe.tmp" "$LOG/probe.out"
					exit 0
				fi
			fi
			read -r -t 0.02 _ <&"$probe_fd"
		done
	) &
	probe_pid=$!
}
probe_go() { echo go >&"$probe_fd"; }
probe_disarm() {
	if [[ -n $probe_pid ]]; then
		kill -KILL "$probe_pid" 2>/dev/null
		wait "$probe_pid" 2>/dev/null
	fi
	probe_pid=
	[[ -n ${probe_fd-} ]] && exec {probe_fd}>&-
	probe_fd=
}

# Prints the pids of live wgphys processes (a guard left behind).
guards() {
	local p comm
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == wgphys ]] && alive "${p#/proc/}" && printf '%s ' "${p#/proc/}"
	done
}

# Prints what keeps the main namespace from being as before up; returns 1
# if anything does.
unclean() {
	local left guard fence=
	[[ -e /sys/class/net/eth0 ]] || echo "eth0 is not in the main namespace"
	[[ -e /sys/class/net/wlan0 ]] || echo "wlan0 is not in the main namespace"
	iw phy phy0 info >/dev/null 2>&1 || echo "phy0 is not in the main namespace"
	[[ -e /run/netns/physical ]] && echo "/run/netns/physical still exists"
	ip link show wg0 >/dev/null 2>&1 && echo "wg0 still exists"
	[[ -e /run/wgphys/state ]] && echo "/run/wgphys/state still exists"
	left=$(daemons 0 | tr '\n' ' ')
	[[ -n $left ]] && echo "dhcpcd/wpa_supplicant left outside the main namespace: $left"
	guard=$(guards)
	[[ -n $guard ]] && echo "wgphys still running (a guard?): $guard"
	nft list table inet wgphys >/dev/null 2>&1 && fence=1 && echo "the fence (nft table inet wgphys) is still there"
	[[ -e /sys/class/net/eth0 && -e /sys/class/net/wlan0 && ! -e /run/netns/physical &&
		! -e /run/wgphys/state && -z $left && -z $guard && -z $fence ]] &&
		! ip link show wg0 >/dev/null 2>&1 && iw phy phy0 info >/dev/null 2>&1
}
is_clean() { unclean >/dev/null; }

# Best effort after a failure, so later rounds can still run: wgphys's own
# down, then by hand what the baseline leaves.
recover() {
	[[ -e /run/wgphys/state ]] && "$WGPHYS" down >>"$LOG/recover.log" 2>&1
	# shellcheck disable=SC2046 # one pid per word
	stop_pids $(daemons 0 | awk '{ print $1 }') $(guards)
	if [[ -e /run/netns/physical ]]; then
		ip -n physical link set eth0 netns 1 2>/dev/null
		ip netns exec physical iw phy phy0 set netns 1 2>/dev/null
		ip netns del physical 2>/dev/null
	fi
	ip link del wg0 2>/dev/null
	for f in inet bridge arp; do nft delete table "$f" wgphys 2>/dev/null; done
	poll_from "${EPOCHREALTIME/[.,]/}" 10 0.1 is_clean
}

# The online laptop every up starts from. Sets start_note.
sys_dhcpcd=
sys_log=
sys_starts=0
sys_told=
start_note=
run_note=
ensure_online() {
	local p pids=()
	# What the previous down started in the main namespace (the baseline's
	# dhcpcd -b and wpa_supplicant -B, wgphys's RestoreOnDown): not part of
	# the starting state.
	for p in $(daemons 1 | awk '{ print $1 }'); do
		[[ -n $sys_dhcpcd ]] && under "$p" "$sys_dhcpcd" && continue
		pids+=("$p")
	done
	start_note=
	if ((${#pids[@]})); then
		start_note="stopped ${#pids[@]} processes; "
		stop_pids "${pids[@]}" || start_note+="(some needed KILL) "
	fi
	# wlan0 as at boot: down, no address.
	ip addr flush dev wlan0 2>/dev/null
	ip link set wlan0 down 2>/dev/null
	if [[ -n $sys_dhcpcd ]] && alive "$sys_dhcpcd"; then
		if has_lease; then
			start_note+="system dhcpcd reused"
			quiesce
			return 0
		fi
		stop_pids "$sys_dhcpcd"
		start_note+="system dhcpcd alive without its lease, restarted"
	elif [[ -n $sys_dhcpcd ]]; then
		start_note+="system dhcpcd had exited, restarted"
	else
		start_note+="system dhcpcd started"
	fi
	# The address seen next must be this dhcpcd's, not one left behind.
	ip addr flush dev eth0 2>/dev/null
	ip link set eth0 up
	sys_log=$LOG/sys-dhcpcd-$((++sys_starts)).log
	dhcpcd -B -4 eth0 >"$sys_log" 2>&1 &
	sys_dhcpcd=$!
	disown "$sys_dhcpcd" 2>/dev/null
	if ! poll_from "${EPOCHREALTIME/[.,]/}" 30 0.1 has_lease; then
		fail "the system's dhcpcd got no lease on eth0 within 30 s"
		show "$sys_log"
		return 1
	fi
	start_note+=" (lease in $(ms "$poll_us") ms)"
	quiesce
}

# dhcpcd runs its hooks (shell scripts) after the lease, and stopped
# daemons may still be exiting: let that finish before timing anything,
# then leave the machine a second to itself.
busy() {
	local p comm
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == dhcpcd-run-hook ]] && alive "${p#/proc/}" && return 0
	done
	return 1
}
quiesce() {
	poll_from "${EPOCHREALTIME/[.,]/}" 20 0.1 eval '! busy' ||
		say "note: dhcpcd's hooks were still running after 20 s"
	nap 1
}

declare -A res=()
# One up/down of IMPL (baseline | wgphys) in round R; fills res[IMPL,R,*]
# (microseconds). Returns 1 if something broke.
run_one() {
	local impl=$1 r=$2 t0 t1 rc why tc ta ans k restore_size=0
	local -a up down
	if [[ $impl == baseline ]]; then
		up=("$BASELINE" up) down=("$BASELINE" down)
	else
		up=("$WGPHYS" up) down=("$WGPHYS" down)
	fi
	run_note=
	ensure_online || { run_note=$start_note; return 1; }
	run_note=$start_note
	if ! why=$(unclean); then
		fail "round $r $impl: not a clean start: $why"
		return 1
	fi
	if ! probe_arm; then
		fail "cannot start the traffic probe"
		return 1
	fi

	t0=${EPOCHREALTIME/[.,]/}
	"${up[@]}" >"$LOG/$impl-$r-up.log" 2>&1
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	probe_go
	if ((rc != 0)); then
		probe_disarm
		fail "round $r: $impl up exited $rc after $(ms $((t1 - t0))) ms; its output:"
		show "$LOG/$impl-$r-up.log"
		recover || fail "and the state could not be cleaned up: $(unclean | paste -sd ';')"
		return 1
	fi
	res[$impl,$r,up]=$((t1 - t0))
	if poll_from "$t1" 60 0.05 test -s "$LOG/probe.out"; then
		read -r tc ta ans <"$LOG/probe.out"
		if [[ $ans == "$WORLD_TUNNEL_CLIENT" ]]; then
			res[$impl,$r,tunnel]=$((tc - t1))
			res[$impl,$r,traffic]=$((ta - t1))
		else
			fail "round $r: after $impl up, the service saw the main namespace as $ans, not $WORLD_TUNNEL_CLIENT (a leak)"
		fi
	else
		fail "round $r: after $impl up, the main namespace did not reach $WORLD_TUNNEL_SERVER:$WORLD_SERVICE_PORT within 60 s"
	fi
	probe_disarm
	sys_seen "up + probe"
	t0=${EPOCHREALTIME/[.,]/}
	if poll_from "$t0" 30 0.5 physical_settled; then
		res[$impl,$r,settled]=$((t0 + poll_us - t1))
	else
		say "note: round $r $impl: eth0 and wlan0 did not both get leases in physical within 30 s; going down anyway"
	fi
	# What one world_ask costs here, for comparison.
	t0=${EPOCHREALTIME/[.,]/}
	tunnel_passes && res[$impl,$r,ask]=$((${EPOCHREALTIME/[.,]/} - t0))
	restore_size=$(stat -c %s /run/wgphys/restore.log 2>/dev/null || echo 0)
	sys_seen "settled"

	t0=${EPOCHREALTIME/[.,]/}
	"${down[@]}" >"$LOG/$impl-$r-down.log" 2>&1
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	if ((rc != 0)); then
		fail "round $r: $impl down exited $rc after $(ms $((t1 - t0))) ms; its output:"
		show "$LOG/$impl-$r-down.log"
		if [[ $impl == wgphys && -s /run/wgphys/restore.log ]]; then
			say "    what RestoreOnDown's daemons said (/run/wgphys/restore.log):"
			tail -c +$((restore_size + 1)) /run/wgphys/restore.log | tail -n 20 | sed 's/^/    | /'
		fi
	else
		res[$impl,$r,down]=$((t1 - t0))
	fi
	sys_seen "down"
	if poll_from "$t1" 60 0.02 default_on_eth0; then
		((rc == 0)) && res[$impl,$r,online]=$poll_us
		has_lan_addr || fail "round $r: after $impl down, eth0 has a default route but no LAN address"
	else
		fail "round $r: after $impl down, eth0 had no default route in the main namespace within 60 s"
		ip -4 addr show dev eth0 2>&1 | sed 's/^/    | /'
	fi
	if ! poll_from "$t1" 10 0.1 is_clean; then
		fail "round $r: after $impl down: $(unclean | paste -sd ';')"
		recover || fail "and the state could not be cleaned up: $(unclean | paste -sd ';')"
		return 1
	fi
	if [[ $impl == wgphys ]]; then
		for k in up down; do
			[[ -s $LOG/$impl-$r-$k.log ]] || continue
			say "note: round $r: wgphys $k said:"
			show "$LOG/$impl-$r-$k.log"
		done
	fi
	sys_seen "online poll"
	[[ $run_note == *"system dhcpcd gone"* ]] || run_note+="; system dhcpcd still there"
	run_note+="; down left running: $(left_running)"
	((rc == 0))
}

# Notes when the system's dhcpcd is first seen gone (after STAGE); the
# first time it goes while wgphys is up, shows how it ended.
sys_seen() {
	[[ $run_note == *"system dhcpcd gone"* ]] && return 0
	alive "$sys_dhcpcd" && return 0
	run_note+="; system dhcpcd gone after $1"
	if [[ $impl == wgphys && -z $sys_told ]]; then
		sys_told=1
		say "note: round $r: the system's dhcpcd ended during the wgphys run (seen after $1); its last lines:"
		tail -n 4 "$sys_log" | sed 's/^/    | /'
	fi
}

# What runs in the main namespace besides the system's dhcpcd, e.g.
# "dhcpcd x4, wpa_supplicant x1" (dhcpcd forks privilege separation helpers).
left_running() {
	local p comm out
	out=$(daemons 1 | while read -r p comm; do
		[[ -n $sys_dhcpcd ]] && under "$p" "$sys_dhcpcd" && continue
		echo "$comm"
	done | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
	printf '%s' "${out:-nothing}"
}

fmt() { # microseconds or nothing
	if [[ -n ${1-} ]]; then ms "$1"; else printf '%s' -; fi
}

cols='%-5s %-8s %8s %8s %8s %8s %8s %8s %8s  %s\n'
print_run() {
	local impl=$1 r=$2 k v=()
	for k in up tunnel traffic settled ask down online; do
		v+=("$(fmt "${res[$impl,$r,$k]-}")")
	done
	# shellcheck disable=SC2059 # the format is ours
	printf "$cols" "$r" "$impl" "${v[@]}" "$run_note"
}

world_started=
teardown() {
	probe_disarm
	[[ -e /run/wgphys/state ]] && "$WGPHYS" down >>"$LOG/teardown.log" 2>&1
	[[ -e /run/netns/physical ]] && recover
	# shellcheck disable=SC2046 # one pid per word
	stop_pids $(daemons 1 | awk '{ print $1 }') $(daemons 0 | awk '{ print $1 }')
	if [[ -n $world_started ]]; then
		world_started=
		world_down >/dev/null || say "note: world_down reported a problem"
	fi
}
trap teardown EXIT

for f in "$WGPHYS" "$BASELINE"; do
	if [[ ! -x $f ]]; then
		say "BROKE: $f is missing or not executable (make wgphys build/test/wgphys)"
		exit 1
	fi
done
# Copies of what is timed, so that a build on the host meanwhile changes
# nothing here (and a binary half rewritten is never run).
WGPHYS_SRC=$WGPHYS BASELINE_SRC=$BASELINE
# The front runs the wgphys-core beside it: that one too.
if ! { cp "$WGPHYS" "$LOG/wgphys" && cp "$(dirname "$WGPHYS")/wgphys-core" "$LOG/wgphys-core" &&
	cp "$BASELINE" "$LOG/baseline.sh"; }; then
	say "BROKE: cannot copy $WGPHYS and $BASELINE into $LOG"
	exit 1
fi
WGPHYS=$LOG/wgphys BASELINE=$LOG/baseline.sh
if ! world_up; then
	say "BROKE: the test world did not come up"
	exit 1
fi
world_started=1

# The baseline's "wg setconf" wants a wg(8) file: the world's wg-quick file
# without Address, DNS and MTU, as the script's users make it.
mkdir -p /etc/wireguard
if ! (umask 077 && wg-quick strip "$WORLD_WG_CONF" >"$WG_SETCONF" 2>"$LOG/strip.log"); then
	say "BROKE: wg-quick strip $WORLD_WG_CONF failed:"
	show "$LOG/strip.log"
	exit 1
fi
# wgphys: defaults (Interfaces = auto, DHCP = dhcpcd, RestoreOnDown = yes)
# but for the world's wg-quick file.
printf '[Tunnel]\nConfig = %s\n' "$WORLD_WG_CONF" >/etc/wgphys.conf
chmod 644 /etc/wgphys.conf
if ! "$WGPHYS" check >"$LOG/check.log" 2>&1; then
	say "BROKE: wgphys check refuses the configuration:"
	show "$LOG/check.log"
	exit 1
fi

# The guest's root is 9p: read every program the rounds run once, so that
# the first round does not pay for it and the others not.
for c in "ip -V" "iw --version" "wg --version" "killall -V" "dhcpcd --version" \
	"wpa_supplicant -v" "socat -V" "$WGPHYS status" "$BASELINE"; do
	# shellcheck disable=SC2086 # one command per string
	$c >/dev/null 2>&1
done

build="release build"
ldd "$WGPHYS" 2>/dev/null | grep -q libasan && build="sanitizer build (ASan/UBSan): slower than the release one"
say "bench/updown.sh: $ROUNDS round(s), baseline then wgphys in each, one VM boot"
say "wgphys: ${WGPHYS_SRC#"$repo"/} ($build); baseline: ${BASELINE_SRC#"$repo"/}"
say "guest: $(uname -r), $(nproc) CPU(s) under TCG; dhcpcd $(dhcpcd --version | head -n 1 | awk '{ print $2 }')"
say ""
say "ms; tunnel, traffic, settled from up's return; online from down's; 1 ask: one world_ask once settled"
# shellcheck disable=SC2059 # the format is ours
printf "$cols" round impl up tunnel traffic settled "1 ask" down online "starting state; the system's dhcpcd; what down left"

for ((r = 1; r <= ROUNDS; r++)); do
	for impl in baseline wgphys; do
		run_one "$impl" "$r"
		print_run "$impl" "$r"
	done
done

# Per-round ratios wgphys/baseline of KEY, one per line, for the rounds
# where both completed.
ratios() { # KEY
	local r
	for ((r = 1; r <= ROUNDS; r++)); do
		[[ -n ${res[baseline,$r,$1]-} && -n ${res[wgphys,$r,$1]-} ]] || continue
		((res[baseline,$r,$1] > 0)) || continue
		awk -v w="${res[wgphys,$r,$1]}" -v b="${res[baseline,$r,$1]}" 'BEGIN { printf "%.4f\n", w / b }'
	done
}
# "MEDIAN WORST" of numbers on stdin (worst: the largest), or nothing.
med_worst() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (!NR) exit; m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "%s %s\n", m, a[NR] }'
}
values() { # IMPL KEY: microseconds, one per line
	local r
	for ((r = 1; r <= ROUNDS; r++)); do
		if [[ $2 == uptraffic ]]; then
			[[ -n ${res[$1,$r,up]-} && -n ${res[$1,$r,traffic]-} ]] &&
				echo $((res[$1,$r,up] + res[$1,$r,traffic]))
		elif [[ -n ${res[$1,$r,$2]-} ]]; then
			echo "${res[$1,$r,$2]}"
		fi
	done
	return 0
}
# (No process substitution: the guest has no /dev/fd.)
mw_ms() { # IMPL KEY: "median/worst" in ms
	local m w out
	out=$(values "$1" "$2" | med_worst)
	[[ -n $out ]] || { printf '%s' -; return; }
	read -r m w <<<"$out"
	printf '%s/%s' "$(ms "$m")" "$(ms "$w")"
}

say ""
say "over the completed rounds: median/worst in ms; ratio = wgphys/baseline of each round, median/worst"
printf '%-20s %18s %18s %14s   %s\n' "" baseline wgphys ratio goal
verdicts=()
row() { # label key goal-kind
	local rm='' rw ratio=- goal='' out m w
	out=
	[[ $3 == ratio10 ]] && out=$(ratios "$2" | med_worst)
	if [[ -n $out ]]; then
		read -r rm rw <<<"$out"
		ratio=$(printf '%.3f/%.3f' "$rm" "$rw")
	fi
	case $3 in
	ratio10)
		if [[ $ratio == - ]]; then
			goal="ratio median <= 0.10: no data"
		elif awk -v m="$rm" 'BEGIN { exit !(m <= 0.10) }'; then
			goal="ratio median <= 0.10: met"
		else
			goal="ratio median <= 0.10: NOT met"
		fi ;;
	tunnel)
		out=$(values wgphys "$2" | med_worst)
		read -r m w <<<"$out"
		if [[ -z $out ]]; then
			goal="<= 200 median, <= 500 worst: no data"
		elif awk -v m="$m" -v w="$w" 'BEGIN { exit !(m <= 200000 && w <= 500000) }'; then
			goal="<= 200 median, <= 500 worst: met"
		else
			goal="<= 200 median, <= 500 worst: NOT met"
		fi ;;
	esac
	[[ -n $goal ]] && verdicts+=("$1: $goal")
	printf '%-20s %18s %18s %14s   %s\n' "$1" "$(mw_ms baseline "$2")" "$(mw_ms wgphys "$2")" \
		"$ratio" "$goal"
}
row "tunnel after up" tunnel tunnel
row "up returns" up ratio10
row "down returns" down ratio10
row "traffic after up" traffic -
row "up + traffic" uptraffic -
row "online after down" online -
row "settled after up" settled -
row "1 world_ask" ask -
say ""
for v in "${verdicts[@]}"; do say "goal: $v"; done

if ((broke)); then
	say ""
	say "something broke (see the BROKE: lines above); logs were in $LOG in the guest"
	exit 1
fi
exit 0

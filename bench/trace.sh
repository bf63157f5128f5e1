#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/trace.sh: what happens, millisecond by millisecond, between the
# start of `wgphys up` and the first packet through the tunnel, and during
# `wgphys down`, on a real kernel in the test world of tests/vm/world.sh.
# Run it inside the VM:
#
#     tests/vm/run -t 900 bench/trace.sh [ROUNDS=N] [WGPHYS=PATH] [DEBUG=1]
#
# The laptop starts online as in bench/updown.sh (a system dhcpcd with a
# lease on eth0). For each round it prints one timeline, in ms from the
# start of `up`, merging:
#   wgphys   the test build's own marks (WGPHYS_TRACE, fault.h): each step
#            of up and down, the guard's start, when up and down return
#   wire     what the LAN's router sees on its eth1 (tcpdump in "lan"): ARP,
#            DHCP, WireGuard by message type (initiation 148 bytes,
#            response 92, keepalive 32, data longer)
#   phys     rtnetlink events in "physical" (links, addresses, routes,
#            neighbours: `ip monitor`, started the moment the namespace
#            appears, so its first few ms may be missed)
#   probe    a TCP connection from main to the tunnel's service, started
#            when up returns (connected, answered)
# then which processes used the CPU from up's start to its return and from
# then to the probe's answer (ticks of 10 ms, from /proc/PID/stat: a
# process's own and its reaped children's; the guest's 2 CPUs give 200
# ticks a second), and dhcpcd's log from physical (/run/wgphys/dhcpcd.log). DEBUG=1 adds
# "debug" to dhcpcd.conf for the run (dhcpcd -d). A trace, not a test:
# exit status 0 unless something broke.
#
# WGPHYS defaults to the test build (build/test/wgphys), which traces; so
# does a release build made with -DWGPHYS_TRACE (fault.h), which times
# closer to what users run.

# shellcheck disable=SC2317 # functions called through trap
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tests/vm/world.sh
. "$repo/tests/vm/world.sh"

ROUNDS=1 DEBUG=0 WGPHYS=
for arg in "$@"; do
	case $arg in
	ROUNDS=* | WGPHYS=* | DEBUG=*) declare "$arg" ;;
	*)
		echo "usage: bench/trace.sh [ROUNDS=N] [WGPHYS=PATH] [DEBUG=1]" >&2
		exit 2 ;;
	esac
done
if [[ ${WGPHYS_VM-} != 1 ]]; then
	echo "bench/trace.sh: runs only in the test VM: tests/vm/run -t 900 bench/trace.sh" >&2
	exit 2
fi
[[ -n $WGPHYS ]] || WGPHYS=$repo/build/test/wgphys	# and wgphys-core beside it
[[ $WGPHYS == /* ]] || WGPHYS=$repo/$WGPHYS
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
LOG=/tmp/trace
mkdir -p "$LOG" || exit 1
# Run from the guest's own tmpfs, as an installed binary would be: read
# from the repository's 9p mount, every start would pay for the transfer.
cp "$WGPHYS" "$LOG/wgphys" && cp "$(dirname "$WGPHYS")/wgphys-core" "$LOG/wgphys-core" ||
	exit 1
WGPHYS=$LOG/wgphys

now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
wait_for() { # SECS CMD...
	local deadline=$(($(now_us) + $1 * 1000000))
	shift
	until "$@" >/dev/null 2>&1; do
		(($(now_us) < deadline)) || return 1
		sleep 0.05
	done
}
has_lease() { ip -4 -o addr show dev eth0 | grep -q "inet ${WORLD_ROUTER%.*}\."; }
hooks_done() { ! pgrep -x dhcpcd-run-hook >/dev/null; }
phys_settled() {
	ip -n physical -4 -o addr show dev eth0 2>/dev/null | grep -q "inet ${WORLD_ROUTER%.*}\."
}

sys_dhcpcd='' mon_pid='' world_started=''
teardown() {
	[[ -n ${modprobe_was-} ]] && echo "$modprobe_was" >/proc/sys/kernel/modprobe
	[[ -n $mon_pid && -s $LOG/mon.pid ]] && kill "$(<"$LOG/mon.pid")" 2>/dev/null
	[[ -e /run/wgphys/state ]] && "$WGPHYS" down >/dev/null 2>&1
	[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null
	[[ -n $world_started ]] && world_down >/dev/null
}
trap teardown EXIT

world_up || { echo "BROKE: the world did not come up"; exit 1; }
world_started=1
# The guest's root is 9p: read the programs once, as bench/updown.sh does.
"$WGPHYS" status >/dev/null 2>&1
ip -V >/dev/null
# Every module the kernel asks for, stamped: a modprobe costs a second of
# CPU here.
# (Only if the wrapper can run there: a modprobe that fails breaks more.)
modprobe_was=$(</proc/sys/kernel/modprobe)
# shellcheck disable=SC2016 # expanded by the wrapper
printf '#!/bin/sh\necho "$(date +%%s.%%N) modprobe $*" >>%s/modprobe.events\nexec %s "$@"\n' \
	"$LOG" "$modprobe_was" >"$LOG/modprobe"
if chmod 755 "$LOG/modprobe" && "$LOG/modprobe" --version >/dev/null 2>&1; then
	echo "$LOG/modprobe" >/proc/sys/kernel/modprobe
else
	modprobe_was=
fi
printf '[Tunnel]\nConfig = %s\n' "$WORLD_WG_CONF" >/etc/wgphys.conf
((DEBUG)) && echo debug >>/etc/dhcpcd.conf

# Every line of ip monitor in physical, stamped as it arrives.
monitor() {
	until [[ -e /run/netns/physical ]]; do read -r -t 0.02 _ <>"$LOG/nap" || :; done
	ip -n physical monitor link address route neigh >"$LOG/mon" 2>&1 &
	echo "$!" >"$LOG/mon.pid"
	while IFS= read -r line; do
		echo "${EPOCHREALTIME} phys $line"
	done <"$LOG/mon"
}
rm -f "$LOG/nap" "$LOG/mon"
mkfifo "$LOG/nap" "$LOG/mon" || exit 1

# "pid comm ticks" of every process, and "0 ALL busy-ticks" of the whole
# guest; no fork, so that it costs little.
cpu_snap() {
	local p stat comm
	for p in /proc/[0-9]*; do
		read -r stat 2>/dev/null <"$p/stat" || continue
		comm=${stat#*(}
		comm=${comm%)*}
		# shellcheck disable=SC2086 # the fields after the command name
		set -- ${stat##*) }
		echo "${p#/proc/} ${comm// /_} $((${12} + ${13} + ${14} + ${15}))"
	done
	read -r _ u n sy id io irq sirq _ </proc/stat
	echo "0 ALL $((u + n + sy + irq + sirq)) idle $((id + io))"
}
# Who used the CPU between two snapshots, busiest first (by pid: a
# kworker's name changes with its work).
cpu_diff() { # BEFORE AFTER
	awk 'NR == FNR { t[$1] = $3; if ($2 == "ALL") idle = $5; next }
		$2 == "ALL" { printf "%6d ticks busy, %d idle (whole guest)\n", $3 - t[$1], $5 - idle; next }
		{ d = $3 - t[$1]; if (d > 0) print d, $1, $2 }' "$1" "$2" |
		sort -rn | head -n 15 | awk '{ if ($2 == "ticks") print; else printf "%6d %s (pid %s)\n", $1, $3, $2 }'
}

# The probe of bench/updown.sh, simpler: connect until it works (30 s).
probe() {
	local tc ta ans deadline=$(($(now_us) + 30000000))
	while (($(now_us) < deadline)); do
		if exec 3<>"/dev/tcp/$WORLD_TUNNEL_SERVER/$WORLD_SERVICE_PORT"; then
			tc=$EPOCHREALTIME
			read -r -t 10 ans <&3
			ta=$EPOCHREALTIME
			exec 3<&-
			echo "$tc probe connected"
			echo "$ta probe answered: $ans"
			return
		fi 2>/dev/null
		read -r -t 0.02 _ <>"$LOG/nap" || :
	done
}

# What RestoreOnDown started in main at the end of the last round: not part
# of the starting state (bench/updown.sh does the same), and a daemon whose
# interface left asks for it by name, which runs modprobe each time.
stop_restored() {
	local p comm pids=()
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == dhcpcd || $comm == wpa_supplicant ]] || continue
		[[ $(stat -L -c %i "$p/ns/net" 2>/dev/null) == "$(stat -L -c %i /proc/self/ns/net)" ]] ||
			continue
		p=${p#/proc/}
		[[ -n $sys_dhcpcd ]] && { [[ $p == "$sys_dhcpcd" ]] || under "$p" "$sys_dhcpcd"; } && continue
		pids+=("$p")
	done
	((${#pids[@]})) || return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	wait_for 10 bash -c "! kill -0 ${pids[*]} 2>/dev/null"
}
under() { # is pid $1 a descendant of $2
	local p=$1 stat
	while [[ -n $p ]] && ((p > 1)); do
		((p == $2)) && return 0
		read -r stat 2>/dev/null <"/proc/$p/stat" || return 1
		read -r _ p _ <<<"${stat##*) }"
	done
	return 1
}

for ((r = 1; r <= ROUNDS; r++)); do
	rm -f "$LOG"/*.trace "$LOG"/*.events "$LOG/mon.pid" "$LOG/dhcpcd.log" /run/wgphys/dhcpcd.log
	stop_restored
	ip addr flush dev wlan0 2>/dev/null
	ip link set wlan0 down 2>/dev/null
	# An online laptop.
	if [[ -z $sys_dhcpcd ]] || ! kill -0 "$sys_dhcpcd" 2>/dev/null || ! has_lease; then
		[[ -n $sys_dhcpcd ]] && kill "$sys_dhcpcd" 2>/dev/null && sleep 1
		ip addr flush dev eth0
		ip link set eth0 up
		dhcpcd -B -4 eth0 >"$LOG/sys-dhcpcd.log" 2>&1 &
		sys_dhcpcd=$!
		wait_for 30 has_lease || { echo "BROKE: no lease in main"; exit 1; }
	fi
	wait_for 20 hooks_done
	sleep 1
	world_sniff_start "wire$r" lan eth1 || exit 1
	monitor >"$LOG/phys.events" 2>&1 &
	mon_pid=$!

	cpu_snap >"$LOG/cpu0"
	t0=$EPOCHREALTIME
	WGPHYS_TRACE=$LOG/wgphys.trace "$WGPHYS" up >"$LOG/up.out" 2>&1
	rc=$?
	t1=$EPOCHREALTIME
	cpu_snap >"$LOG/cpu1"
	echo "$t0 bench: up starts" >"$LOG/bench.trace"
	echo "$t1 bench: up returned $rc" >>"$LOG/bench.trace"
	((rc == 0)) || { echo "BROKE: up exited $rc"; cat "$LOG/up.out"; exit 1; }
	probe >>"$LOG/bench.trace"
	cpu_snap >"$LOG/cpu2"
	wait_for 30 phys_settled
	sleep 2
	cp /run/wgphys/dhcpcd.log "$LOG/dhcpcd.log" 2>/dev/null
	echo "$EPOCHREALTIME bench: down starts" >>"$LOG/bench.trace"
	WGPHYS_TRACE=$LOG/wgphys.trace "$WGPHYS" down >"$LOG/down.out" 2>&1
	echo "$EPOCHREALTIME bench: down returned $?" >>"$LOG/bench.trace"
	sleep 0.5
	kill "$(<"$LOG/mon.pid")" 2>/dev/null
	wait "$mon_pid" 2>/dev/null
	mon_pid=
	world_sniff_stop "wire$r"
	tcpdump -tt -n -e -r "$WORLD_DIR/wire$r.pcap" 2>/dev/null |
		awk '{ t = $1; $1 = ""; print t, "wire" $0 }' >"$LOG/wire.events"

	echo "=== round $r: timeline (ms from up's start)"
	touch "$LOG/modprobe.events"
	sort -n -k1,1 "$LOG/bench.trace" "$LOG/wgphys.trace" "$LOG/phys.events" "$LOG/wire.events" \
		"$LOG/modprobe.events" |
		awk -v t0="$t0" '{ t = $1; $1 = ""; printf "%9.1f %s\n", (t - t0) * 1000, $0 }' |
		sed -E 's/ (ethertype IPv4 \(0x0800\), |ethertype ARP \(0x0806\), )/ /'
	echo "=== round $r: CPU during up (ticks of 10 ms)"
	cpu_diff "$LOG/cpu0" "$LOG/cpu1"
	echo "=== round $r: CPU from up's return to the probe's answer (includes the snapshot's own)"
	cpu_diff "$LOG/cpu1" "$LOG/cpu2"
	echo "=== round $r: dhcpcd in physical (/run/wgphys/dhcpcd.log)"
	cat "$LOG/dhcpcd.log" 2>/dev/null
	echo "=== round $r: up said"
	cat "$LOG/up.out"
	echo "=== round $r: down said"
	cat "$LOG/down.out"
	rm -f "$LOG/wgphys.trace"
done
exit 0

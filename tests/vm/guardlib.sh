# shellcheck shell=bash
# The steps the guard tests (tests/vm/t-guard*.sh) share: set the laptop up
# by hand, take the snapshot, bring wgphys up and wait for the leases,
# bring it down and compare with the snapshot (cleaning up by force when
# down fails, so that the next case still starts from a known machine),
# and check what the state says about the guard and the daemons.
# Source it with $here (tests/vm) and $repo set: it sources tests/lib.sh,
# tests/vm/world.sh and tests/vm/laptop.sh itself, and sets the
# sanitizers' options for the test build.
#
#   guard_setup                   world, IPv6, the laptop by hand, the
#                                 configuration, the snapshot before up
#                                 ($GUARD_SNAP); bails out if the world fails
#   guard_teardown                for the EXIT trap: stops what GUARD_BG
#                                 lists (process trees the test started),
#                                 the stand-in network manager, puts the
#                                 LAN's tunnel end back up, brings wgphys
#                                 down, the world too
#   guard_up CASE [BINARY]        up exits 0 (output shown if not), then both
#                                 NICs get their leases in physical
#   guard_down CASE [BINARY]      down exits 0, status exits 3, and main is
#                                 exactly as in the snapshot; if not, force
#                                 a clean-up
#   guard_recorded CASE           the state names a guard, alive, with its
#                                 start time; prints nothing, sets GUARD_PID
#   guard_daemon_own CASE NAME [IFNAME]
#                                 TAP: "daemon PID START NAME IFNAME" for
#                                 this link (wpa_supplicant, one per
#                                 wireless link), or without IFNAME
#                                 "daemon PID START NAME" with no interface
#                                 field (dhcpcd: one manager for every link
#                                 of the namespace); alive, in physical
#   guard_one_manager CASE        TAP: the state records exactly one dhcpcd,
#                                 with no interface field, and physical runs
#                                 exactly one dhcpcd manager (/proc: the
#                                 dhcpcd processes there whose parent is not
#                                 a dhcpcd), the recorded one
#   guard_hw_in_main              prints the hardware links in main (none
#                                 while up; hwsim0, the radiotap monitor,
#                                 counts: it is a driver's device)
#   leak_phase NAME DESC NETNS_PATH
#                                 the end of a leak phase whose capture
#                                 (leak_start NAME) runs: probes from main,
#                                 zero plaintext, and the positive control
#                                 sent from NETNS_PATH ("" if there is none:
#                                 a failure)
#   answer_is WANT ADDR           the LAN's service at ADDR sees WANT
#   fails CMD...                  CMD fails
# Variables: WGPHYS (the test build), WGPHYS_REL (the release build, if
# built), GUARD_SNAP, GUARD_PID, GUARD_BG.

# shellcheck disable=SC2154 # here and repo: set by the test that sources this
. "$here/../lib.sh"
. "$here/world.sh"
. "$here/laptop.sh"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
WGPHYS_REL=${WGPHYS_REL:-$repo/wgphys}
GUARD_SNAP=/tmp/snap.before
# shellcheck disable=SC2034 # read by the tests
GUARD_PID=
GUARD_BG=()
_guard_world=

fails() { ! "$@"; }

answer_is() { # WANT ADDR
	local got
	got=$(world_ask "$2") || { echo "no answer from $2"; return 1; }
	echo "got: $got"
	[[ $got == "$1" ]]
}

guard_setup() {
	_guard_world=1
	if ! check "the world comes up" world_up; then
		echo "Bail out! the world did not come up"
		exit 1
	fi
	check "IPv6 with router advertisements on the LAN and the café" laptop_v6_up
	# The guest's /etc is the host's, under an overlay: /etc/netns exists
	# only while something on the host made it. A Debian system has none
	# until someone makes it; wgphys up needs it (it makes only NAME in it).
	[[ -d /etc/netns ]] || { mkdir /etc/netns && diag "made /etc/netns in the guest"; }
	check "the laptop, configured by hand" laptop_by_hand
	world_wgphys_conf no
	laptop_snapshot >"$GUARD_SNAP" 2>&1
}

guard_teardown() {
	local p
	for p in "${GUARD_BG[@]}"; do laptop_stop_tree "$p"; done
	GUARD_BG=()
	laptop_nm_stop
	ip -n lan link set wg0 up 2>/dev/null
	"$WGPHYS" down >/dev/null 2>&1
	laptop_cleanup
	if [[ -n $_guard_world ]]; then
		_guard_world=
		world_down
	fi
}

guard_up() { # CASE [BINARY]
	local bin=${2:-$WGPHYS} rc start
	start=${EPOCHREALTIME/[.,]/}
	"$bin" up >/tmp/up.out 2>&1
	rc=$?
	check "$1: up exits 0" test $rc -eq 0 || diag "$(cat /tmp/up.out)"
	diag "$1: up took $(((${EPOCHREALTIME/[.,]/} - start) / 1000)) ms (${bin#"$repo"/})"
	poll 60 "$1: eth0 and wlan0 get their leases in physical" laptop_settled
}

guard_down() { # CASE [BINARY]
	local bin=${2:-$WGPHYS} rc
	"$bin" down >/tmp/down.out 2>&1
	rc=$?
	check "$1: down exits 0" test $rc -eq 0 || diag "$(cat /tmp/down.out)"
	"$bin" status >/dev/null 2>&1
	rc=$?
	check "$1: status says down (exit 3)" test $rc -eq 3
	if ! poll 10 "$1: after down, main is exactly as before up" laptop_same "$GUARD_SNAP"; then
		diag "forced clean-up, so that the next case starts clean:"
		diag "$(laptop_force_clean physical)"
		laptop_by_hand
		laptop_same "$GUARD_SNAP" >/tmp/forced.diff 2>&1 ||
			diag "and still not as before: $(cat /tmp/forced.diff)"
	fi
}

guard_recorded() { # CASE
	local rec pid start
	GUARD_PID=
	rec=$(laptop_guard)
	if [[ -z $rec ]]; then
		not_ok "$1: the state records the guard (guard PID START)" \
			"no \"guard\" line in /run/wgphys/state: $(grep -v '^saved ' /run/wgphys/state 2>&1)"
		return 1
	fi
	read -r pid start <<<"$rec"
	check "$1: the guard $pid is alive, with the start time recorded" laptop_alive "$pid" "$start" ||
		return 1
	# shellcheck disable=SC2034 # read by the tests
	GUARD_PID=$pid
}

guard_daemon_own() { # CASE NAME [IFNAME]
	local rec pid start what=$2
	[[ -n ${3-} ]] && what="$2 for $3"
	rec=$(awk -v n="$2" -v i="${3-}" '$1 == "daemon" && $4 == n && $5 == i { print $2, $3; exit }' \
		/run/wgphys/state 2>/dev/null)
	if [[ -z $rec ]]; then
		not_ok "$1: $what is recorded (daemon PID START $2${3+ $3})" \
			"$(grep '^daemon' /run/wgphys/state 2>&1)"
		return 1
	fi
	read -r pid start <<<"$rec"
	check "$1: $what ($pid) is alive, in physical" _guard_alive_in "$pid" "$start" physical
}

# The dhcpcd processes in physical whose parent is not a dhcpcd: the
# managers (their privilege-separation helpers are their children, or the
# guard's once orphaned: those are named by their title, not "dhcpcd").
guard_managers_in() { # NS
	local ino p comm ppid pcomm
	ino=$(laptop_netns_ino "$1") || return 1
	for p in $(laptop_pids_in_ino "$ino"); do
		read -r comm 2>/dev/null <"/proc/$p/comm" || continue
		[[ $comm == dhcpcd ]] || continue
		ppid=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$p/stat" 2>/dev/null)
		read -r pcomm 2>/dev/null <"/proc/$ppid/comm"
		[[ ${pcomm-} == dhcpcd ]] || echo "$p"
	done
}

_guard_one_manager() {
	local recs pid start running ifname=
	recs=$(awk '$1 == "daemon" && $4 == "dhcpcd"' /run/wgphys/state 2>/dev/null)
	echo "recorded: ${recs:-none}"
	[[ $(wc -l <<<"$recs") == 1 ]] || return 1
	read -r _ pid start _ ifname <<<"$recs"
	[[ -z ${ifname-} ]] || { echo "it names a link ($ifname): not a manager"; return 1; }
	running=$(guard_managers_in physical | tr '\n' ' ')
	echo "dhcpcd managers running in physical: ${running:-none}"
	[[ $running == "$pid " ]] && laptop_alive "$pid" "$start"
}

guard_one_manager() { # CASE
	poll 10 "$1: one dhcpcd manager for the namespace, recorded without a link, the only one running there" \
		_guard_one_manager
}

_guard_alive_in() { # PID START NS
	laptop_alive "$1" "$2" || { echo "pid $1 (start $2) is not alive"; return 1; }
	laptop_pid_in "$1" "$3" || { echo "pid $1 is not in $3"; return 1; }
}

leak_phase() { # NAME DESCRIPTION CONTROL_NETNS_PATH
	check "$1: main sends TCP/UDP/ICMP/DNS over IPv4 and IPv6" leak_probe
	leak_stop "$1"
	leak_none "$1: $2: zero plaintext from the laptop" "$1"
	if [[ -n $3 ]]; then
		leak_control "$1: positive control, plaintext sent from physical is counted" "$3" lan air
	else
		not_ok "$1: positive control" "no physical namespace left to send from"
	fi
}

guard_hw_in_main() {
	laptop_hw_links | tr '\n' ' '
}

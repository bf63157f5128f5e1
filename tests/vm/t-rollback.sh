#!/bin/bash
# A failure at each step of up leaves the main namespace exactly as it was;
# a crash at each step of up, and at each step of down, is cleaned up by
# one down. The test build of wgphys fails (WGPHYS_FAIL_AT=N) or dies
# (WGPHYS_CRASH_AT=N, as kill -9 would leave it) at its Nth step that
# changes something (a netlink request, a mount, a file written, a daemon
# started, a lookup: see fault.h); N runs until up (or down) gets through.
# The last line says how many points were exercised.
# Run inside the VM: tests/vm/run tests/vm/t-rollback.sh [WGPHYS=PATH]
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
for arg in "$@"; do
	case $arg in
	WGPHYS=*) declare "$arg" ;;
	*) echo "usage: $0 [WGPHYS=PATH]" >&2; exit 2 ;;
	esac
done
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

world_started=
teardown() {
	"$WGPHYS" down >/dev/null 2>&1
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT
check "the world comes up" world_up && world_started=1 || done_testing

# A laptop configured by hand: nothing in main changes on its own, so any
# difference is wgphys's.
ip link set eth0 up
ip addr add 192.168.1.50/24 dev eth0
ip addr add fd00:1::50/64 dev eth0 nodad
ip route add default via 192.168.1.1 dev eth0 metric 7
ip route add 10.200.0.0/16 via 192.168.1.1 dev eth0 proto static
ip link set wlan0 up
cp /etc/resolv.conf /tmp/resolv.orig 2>/dev/null
printf 'nameserver 192.168.1.1\n' >/etc/resolv.conf

world_wgphys_conf no  # nothing in main may change but what wgphys does and undoes

snapshot() {
	ip -j link show | jq -S 'map({ifname, ifindex, address, mtu,
		up: (.flags | index("UP") != null)})'
	ip -j addr show | jq -S 'map({ifname, addr_info: [.addr_info[] |
		select(.scope != "link") | {local, prefixlen}]})'
	ip -j -4 route show table main
	ip -j -6 route show table main | jq -S 'map(select(.dst | startswith("fe80") | not))'
	iw phy | grep '^Wiphy'
	ip netns list
	cat /etc/resolv.conf
	ls -A /etc/netns 2>/dev/null
	ls -A /run/netns 2>/dev/null
}
same() { snapshot >/tmp/after 2>&1; diff -u /tmp/before /tmp/after; }
snapshot >/tmp/before 2>&1
diag "$(cat /tmp/before)"

# How many steps can fail: a clean up, counted.
WGPHYS_FAULT_REPORT=1 "$WGPHYS" up >/tmp/out 2>&1
rc=$?
steps=$(awk '/^fault-points/ { print $2 }' /tmp/out)
check "a clean up succeeds ($steps steps that change something)" test $rc -eq 0 -a "${steps:-0}" -gt 5
check "down after it" "$WGPHYS" down
poll 5 "after up and down: main as before" same

up_fail=0 up_crash=0 down_crash=0

# Failures: each step in turn. A step that is best effort (carrying an
# address over) may let up succeed; then down must restore just the same.
for n in $(seq 1 "${steps:-0}"); do
	WGPHYS_FAIL_AT=$n "$WGPHYS" up >/tmp/out 2>&1
	rc=$?
	if ((rc == 0)); then
		diag "step $n is best effort: up succeeded"
		"$WGPHYS" down >/tmp/out 2>&1 || not_ok "failure at step $n: down after a good up" "$(cat /tmp/out)"
	elif ((rc != 1)); then
		not_ok "failure at step $n: exit 1" "exit $rc: $(cat /tmp/out)"
		continue
	fi
	poll 5 "failure at step $n ($(head -c 100 /tmp/out)): main as before" same &&
		check "failure at step $n: no state left" test ! -e /run/wgphys/state &&
		up_fail=$((up_fail + 1))
done

# Crashes: up dies midway; down must clean up from the state and the kernel.
for n in $(seq 1 "$steps"); do
	WGPHYS_CRASH_AT=$n "$WGPHYS" up >/tmp/out 2>&1
	rc=$?
	if ((rc != 99)); then
		not_ok "crash at step $n" "exit $rc: $(cat /tmp/out)"
		continue
	fi
	"$WGPHYS" down >/tmp/out 2>&1
	rc=$?
	if ((rc != 0)); then
		not_ok "crash at step $n: down exits 0" "exit $rc: $(cat /tmp/out)"
		continue
	fi
	poll 5 "crash at step $n, then down: main as before" same && up_crash=$((up_crash + 1))
done

# Crashes in down: a good up, then down dies at its Nth step; one more
# down must finish the work, and main be as before. N runs until a down
# gets through without reaching it.
down_steps=
for n in $(seq 1 100); do
	if ! "$WGPHYS" up >/tmp/out 2>&1; then
		not_ok "crash in down at step $n: the up before it" "$(cat /tmp/out)"
		"$WGPHYS" down >/dev/null 2>&1
		continue
	fi
	WGPHYS_CRASH_AT=$n "$WGPHYS" down >/tmp/out 2>&1
	rc=$?
	if ((rc == 0)); then
		down_steps=$((n - 1))
		poll 5 "down with no step $n to crash at: main as before" same
		break
	elif ((rc != 99)); then
		not_ok "crash in down at step $n" "exit $rc: $(cat /tmp/out)"
		"$WGPHYS" down >/dev/null 2>&1
		continue
	fi
	check "crash in down at step $n: the state is kept for the next down" test -e /run/wgphys/state
	"$WGPHYS" down >/tmp/out 2>&1
	rc=$?
	if ((rc != 0)); then
		not_ok "crash in down at step $n, then down: exits 0" "exit $rc: $(cat /tmp/out)"
		continue
	fi
	poll 5 "crash in down at step $n, then down: main as before" same &&
		check "crash in down at step $n, then down: no state left" test ! -e /run/wgphys/state &&
		down_crash=$((down_crash + 1))
done
check "down has steps to crash at (${down_steps:-none found})" test "${down_steps:-0}" -gt 3

# Exclusion: a second up while one holds the lock changes nothing.
exec 9>/run/wgphys/lock
flock 9
WGPHYS_FAIL_AT=0 "$WGPHYS" up >/tmp/out 2>&1
rc=$?
check "up while another up/down runs: exit 2" test $rc -eq 2
check "and says why" grep -q "Another wgphys" /tmp/out
check "and changed nothing" same
exec 9>&-

check "points exercised: up failure $up_fail of $steps, up crash $up_crash of $steps, down crash $down_crash of ${down_steps:-?}" \
	test "$up_fail" -eq "${steps:-0}" -a "$up_crash" -eq "${steps:-0}" -a "$down_crash" -eq "${down_steps:--1}"
done_testing

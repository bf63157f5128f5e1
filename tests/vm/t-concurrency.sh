#!/bin/bash
# Two wgphys at once (issue 9, "concurrency and staleness"): two ups
# started together, an up while a down runs, an exec while an up has not
# finished. One wins; the other exits 2, says why in one line, and changes
# nothing: after the winner's down, main is exactly as before. (A state
# from a previous boot, its namespace gone and its pids reused, is
# tests/host/t-stale.sh.)
#
#   tests/vm/run tests/vm/t-concurrency.sh [WGPHYS=PATH]
# shellcheck disable=SC2317
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
WGPHYS=$repo/build/test/wgphys
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

ip link set eth0 up
ip addr add 192.168.1.50/24 dev eth0
ip route add default via 192.168.1.1 dev eth0 metric 7
printf 'nameserver 192.168.1.1\n' >/etc/resolv.conf
world_wgphys_conf no

snapshot() {
	ip -j link show | jq -S 'map({ifname, ifindex, address, mtu,
		up: (.flags | index("UP") != null)})'
	ip -j addr show | jq -S 'map({ifname, addr_info: [.addr_info[] |
		select(.scope != "link") | {local, prefixlen}]})'
	ip -j -4 route show table main
	iw phy | grep '^Wiphy'
	ip netns list
	cat /etc/resolv.conf
	ls -A /etc/netns /run/netns 2>/dev/null
}
same() { snapshot >/tmp/after 2>&1; diff -u /tmp/before /tmp/after; }
snapshot >/tmp/before 2>&1

# The loser's one line, and its exit status 2.
lost() {	# rc err-file
	(($1 == 2)) && (($(wc -l <"$2") == 1)) &&
		grep -qE 'Another wgphys up or down is running|already up' "$2"
}

# ---- two ups at once ----
"$WGPHYS" up >/tmp/a.out 2>/tmp/a.err &
a=$!
"$WGPHYS" up >/tmp/b.out 2>/tmp/b.err &
b=$!
wait "$a"; ra=$?
wait "$b"; rb=$?
diag "up A: exit $ra $(cat /tmp/a.err); up B: exit $rb $(cat /tmp/b.err)"
if ((ra == 0)); then winner=a loser=b rl=$rb; else winner=b loser=a rl=$ra; fi
check "two ups at once: one wins (exits 0)" test $((ra == 0 ^ rb == 0)) -eq 1
check "the other exits 2 and says why, in one line" lost "$rl" "/tmp/$loser.err"
check "one namespace, one tunnel" test "$(ip netns list | grep -c '^physical')" == 1 -a \
	"$(ip -j link show type wireguard | jq length)" == 1
check "status says up" bash -c "'$WGPHYS' status | grep -qx up"
check "down after it" "$WGPHYS" down
poll 5 "then main is as before" same

# ---- up while down runs ----
check "up" "$WGPHYS" up
lock_ino=$(stat -c %i /run/wgphys/lock)
# Down is stopped at its first step (WGPHYS_PAUSE_AT, test builds), where
# it holds its lock: a down of a few hundred ms is otherwise over before a
# poll of /proc/locks sees it. An up started then waits for the lock (up
# to 2 s, then refuses): it either comes up after down has finished, or
# says why it did not; it never runs beside it.
WGPHYS_PAUSE_AT=1 "$WGPHYS" down >/tmp/down.out 2>&1 &
d=$!
stopped() { [[ $(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$d/stat" 2>/dev/null) == T ]]; }
locked() { grep -q ":$lock_ino " /proc/locks; }
rc=
if poll 10 "down stops at its first step" stopped &&
	check "down holds the lock" locked; then
	"$WGPHYS" up >/tmp/c.out 2>/tmp/c.err &
	u=$!
	kill -CONT "$d"
	wait "$u"
	rc=$?
	diag "up during down: exit $rc, $(cat /tmp/c.err)"
fi
kill -CONT "$d" 2>/dev/null
wait "$d"
check "down finishes (exit 0)" test $? -eq 0 || diag "$(cat /tmp/down.out)"
if [[ $rc == 0 ]]; then
	# It waited for the lock: then it is a whole up, after a whole down.
	check "up during down waited for down, then came up: one namespace, one tunnel" \
		test "$(ip netns list | grep -c '^physical')" == 1 -a \
		"$(ip -j link show type wireguard | jq length)" == 1
	check "and status says up" bash -c "'$WGPHYS' status | grep -qx up"
	check "down after it" "$WGPHYS" down
elif [[ -n $rc ]]; then
	check "up during down exits 2 and says why" lost "$rc" /tmp/c.err
fi
poll 5 "after down and up during it: main as before" same
check "no state left" test ! -e /run/wgphys/state

# ---- exec while up has not finished ----
# An up killed midway leaves a journal of a namespace with no kill switch
# around it: exec must not enter it.
WGPHYS_CRASH_AT=12 "$WGPHYS" up >/tmp/out 2>&1
check "an up killed at step 12 (exit 99)" test $? -eq 99
check "its namespace exists" test -e /run/netns/physical
useradd -M -s /bin/sh conc 2>/dev/null
SUDO_UID=$(id -u conc) SUDO_GID=$(id -g conc) "$WGPHYS" exec -- touch /tmp/conc-ran >/tmp/out 2>&1
rc=$?
check "exec then is refused (exit 1, 'coming up')" \
	bash -c "[[ $rc == 1 ]] && grep -q 'coming up' /tmp/out && [[ ! -e /tmp/conc-ran ]]"
userdel conc 2>/dev/null
check "down cleans up after it" "$WGPHYS" down
poll 5 "main as before" same

done_testing

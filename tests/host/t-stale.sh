#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# down and status against a journal they must not believe blindly (issue 9,
# findings 6, 8, 9 and 10), on the build machine: everything runs in a
# network and mount namespace this test makes (it re-executes itself under
# unshare), with veth devices standing in for NICs.
#
#  - a state from a previous boot: its namespace gone (another "physical"
#    stands there now, with a process in it), its daemon pids reused by
#    unrelated processes, one of them a member of a session whose leader
#    (the recorded pid) has exited: down kills none of them;
#  - the same boot, a crash midway: the recorded daemon and its helper are
#    stopped (the positive control), an unrelated process that reused a
#    recorded pid is not;
#  - a bridge in physical wearing the NIC's MAC, with a lower ifindex: down
#    brings the NIC back, not the bridge;
#  - a damaged journal (a "saved" entry of 16 bytes, one of 5 KiB): refused
#    as damaged, without a sanitizer report;
#  - a journal someone else could have written (mode, owner, directory):
#    refused by status.
# What is asserted is what the kernel reports (/proc, ip -j).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}

if [[ -z ${WGPHYS_TEST_INNER-} ]]; then
	[[ $(id -u) == 0 ]] || { echo "1..0 # SKIP needs root"; exit 0; }
	# Its own pid namespace too: whatever a case leaves running dies with it.
	WGPHYS_TEST_INNER=1 WGPHYS=$WGPHYS unshare --net --mount --pid --fork --mount-proc \
		--propagation private bash "$0" "$@"
	exit $?
fi

. "$repo/tests/lib.sh"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

tmp=$(mktemp -d)
cleanup() {
	umount /etc/resolv.conf 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Private /run and /etc/netns (an overlay on /etc, so no host file is
# touched); the binaries may live under /run or /etc: copied first (the
# front runs the wgphys-core beside it).
cp "$WGPHYS" "$tmp/wgphys" && cp "$(dirname "$WGPHYS")/wgphys-core" "$tmp/wgphys-core" &&
	WGPHYS=$tmp/wgphys
mkdir -p "$tmp/etc-up" "$tmp/etc-work"
mount -t overlay stale-etc -o "lowerdir=/etc,upperdir=$tmp/etc-up,workdir=$tmp/etc-work" /etc
mkdir -p /etc/netns
mount -t tmpfs -o mode=0755 stale-run /run
mkdir -p /run/netns
ip link set lo up

cat >"$tmp/wgphys.conf" <<EOF
[Physical]
Namespace = physical
Interfaces = nic0
DHCP = none
RestoreOnDown = no
[Tunnel]
Interface = wg0
Config = $tmp/wg0.conf
EOF
chmod 600 "$tmp/wgphys.conf"
down() { "$WGPHYS" -c "$tmp/wgphys.conf" down; }

starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat"; }
alive() {	# pid: alive and not a zombie
	local st
	st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z ]]
}
gone() { ! alive "$1"; }
nsid() { stat -L -c "$1" "$2"; }
main_id() { echo "$(nsid %d /proc/self/ns/net) $(nsid %i /proc/self/ns/net)"; }

write_state() {	# lines after the header: a root-owned 0600 journal
	mkdir -p -m 0700 /run/wgphys
	{ echo "wgphys-state 1"; cat; } >/run/wgphys/state
	chmod 600 /run/wgphys/state
}

# A session whose leader has exited, leaving a member: prints "LEADER MEMBER".
# Run as "orphan_session [ip netns exec NS]".
orphan_session() {
	"$@" setsid bash -c 'sleep 600 </dev/null >/dev/null 2>&1 & echo "$$ $!"' >"$tmp/sess"
	read -r leader member <"$tmp/sess"
	poll 5 "the session's leader $leader has exited" gone "$leader" >/dev/null
	echo "$leader $member"
}

ip link add nic0 index 50 type veth peer name lan0
ip link set nic0 up
nic0_mac=$(ip -j link show nic0 | jq -r '.[0].address')

# ---- a state from a previous boot ----

# Another tool's "physical" now, with a process of its own in it.
ip netns add physical
ip netns exec physical sleep 600 &
foreign_ns_proc=$!
read -r s1 m1 < <(orphan_session)
read -r s2 m2 < <(orphan_session ip netns exec physical)
sleep 600 &
unrelated=$!
write_state <<EOF
netns physical 4 4026530001
main $(main_id)
created-netns
etc 0
tunnel wg0
link 50 nic0 $nic0_mac -1 1 1 veth
saved-at 0
resolv kept
daemon $unrelated 1 dhcpcd
daemon $s1 1 dhcpcd
daemon $s2 1 wpa_supplicant nic0
stage 100
EOF
down >"$tmp/out" 2>&1
check "a previous boot's state: down exits 0" test $? -eq 0 || diag "$(cat "$tmp/out")"
check "an unrelated process on a recorded pid (another start time) lives" alive "$unrelated"
check "a session member whose leader's pid was recorded lives (main)" alive "$m1"
check "a session member whose leader's pid was recorded lives (in the new physical)" alive "$m2"
check "a process in the namespace now called physical lives" alive "$foreign_ns_proc"
check "that namespace, not the one recorded, is not deleted" test -e /run/netns/physical
check "nic0 is where it was" ip link show nic0
check "the state is gone" test ! -e /run/wgphys/state
kill "$unrelated" "$m1" "$m2" "$foreign_ns_proc" 2>/dev/null
ip netns del physical

# ---- the same boot, a crash midway: ours stopped, others not ----

ip netns add physical
ip -n physical link set lo up
ip link set nic0 netns physical
# Our "dhcpcd": a session leader in physical, with a helper in its session.
ip netns exec physical setsid bash -c 'sleep 601 </dev/null >/dev/null 2>&1 & exec sleep 600' &
ours=$!
helper_started() { helper=$(pgrep -s "$ours" -x sleep | grep -vx "$ours"); [[ -n $helper ]]; }
poll 5 "our daemon's helper started" helper_started
read -r s3 m3 < <(orphan_session)
sleep 600 &
unrelated=$!
write_state <<EOF
netns physical $(nsid %d /run/netns/physical) $(nsid %i /run/netns/physical)
main $(main_id)
created-netns
etc 0
tunnel wg0
link 50 nic0 $nic0_mac -1 1 1 veth
saved-at 0
resolv kept
daemon $ours $(starttime "$ours") dhcpcd
daemon $unrelated $(($(starttime "$unrelated") + 1)) dhcpcd
daemon $s3 1 wpa_supplicant nic0
stage 0
EOF
down >"$tmp/out" 2>&1
check "a crash midway: down exits 0" test $? -eq 0 || diag "$(cat "$tmp/out")"
check "our daemon was stopped (positive control)" gone "$ours"
check "its helper in physical, in its session, was stopped" gone "$helper"
check "an unrelated process on a recorded pid lives" alive "$unrelated"
check "a session member whose leader's pid was recorded lives" alive "$m3"
check "nic0 is back in main" ip link show nic0
kill "$unrelated" "$m3" 2>/dev/null

# ---- finding 8: a bridge wearing the NIC's MAC, with a lower ifindex ----

ip netns add physical
ip link set nic0 netns physical
ip -n physical link add br-imp index 3 address "$nic0_mac" type bridge
diag "in physical: $(ip -n physical -j link show | jq -c 'map({ifname, ifindex, address})')"
write_state <<EOF
netns physical $(nsid %d /run/netns/physical) $(nsid %i /run/netns/physical)
main $(main_id)
created-netns
etc 0
link 50 nic0 $nic0_mac -1 1 1 veth
saved-at 0
resolv kept
stage 0
EOF
timeout 60 "$WGPHYS" -c "$tmp/wgphys.conf" down >"$tmp/out" 2>&1
check "a bridge with nic0's MAC at a lower ifindex: down exits 0" test $? -eq 0 ||
	diag "$(cat "$tmp/out")"
check "nic0 (the veth) is back in main" \
	test "$(ip -d -j link show nic0 2>/dev/null | jq -r ".[0].linkinfo.info_kind")" == veth
check "with its MAC" test "$(ip -j link show nic0 2>/dev/null | jq -r '.[0].address')" == "$nic0_mac"
check "the bridge did not come to main" bash -c "! ip link show br-imp"
check "the namespace is gone" test ! -e /run/netns/physical

# ---- finding 9: damaged journals are refused, without a sanitizer report ----

# A saved address for nic0 of 5000 bytes: 620 IFA_LOCAL attributes, more
# than the 4 KiB the replay builds its request in.
ifindex=$(ip -j link show nic0 | jq '.[0].ifindex')
big=$(python3 - "$ifindex" <<'PY'
import struct, sys
attrs = b"".join(struct.pack("<HH4s", 8, 2, bytes([10, 9, 0, i % 250])) for i in range(620))
body = struct.pack("<BBBBI", 2, 24, 0, 0, int(sys.argv[1])) + attrs
print((struct.pack("<IHHII", 16 + len(body), 20, 0, 0, 0) + body).hex())
PY
)
damaged() {	# desc saved-hex
	write_state <<EOF
netns physical 4 4026530002
main $(main_id)
etc 0
link $ifindex nic0 $nic0_mac -1 1 1 veth
saved-at 0
saved $2
resolv kept
stage 100
EOF
	down >"$tmp/out" 2>&1
	rc=$?
	diag "$(head -c 300 "$tmp/out")"
	check "$1: no sanitizer report" bash -c "! grep -q Sanitizer '$tmp/out'"
	check "$1: down refuses it as damaged (exit 1, the line named)" \
		bash -c "[[ $rc == 1 ]] && grep -q 'state:7: damaged state' '$tmp/out'"
	check "$1: nic0 is untouched" \
		test "$(ip -j addr show nic0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" == 0
	rm -f /run/wgphys/state
}
damaged "a saved message of 16 bytes" 10000000140000000000000000000000
damaged "a saved message of 5000 bytes" "$big"

# ---- finding 10: a journal someone else could have written ----

write_state <<EOF
netns physical 4 4026530003
main $(main_id)
stage 100
EOF
status_refused() {	# want-word
	local rc=0
	"$WGPHYS" status >"$tmp/out" 2>&1 || rc=$?
	cat "$tmp/out"
	((rc == 1)) && grep -q -- "$1" "$tmp/out"
}
# status may call this state broken (no fence, no guard): what matters is
# that it read it.
status_read() {
	"$WGPHYS" status >"$tmp/out" 2>&1
	cat "$tmp/out"
	grep -q "^namespace: physical" "$tmp/out"
}
check "a sound journal: status reads it" status_read
chmod 0622 /run/wgphys/state
check "a journal others may write: status refuses it" status_refused "writable by group or others"
chmod 0600 /run/wgphys/state
chown 12345 /run/wgphys/state
check "a journal not owned by root: refused" status_refused "not owned by root"
chown 0 /run/wgphys/state
chmod 0733 /run/wgphys
check "a run directory others may write: refused" status_refused "writable by group or others"
chmod 0700 /run/wgphys
chmod 0777 /run
check "a /run others may write (not sticky): refused" status_refused "writable by others"
chmod 0755 /run
check "all put right: status reads it again" status_read
rm -f /run/wgphys/state

done_testing

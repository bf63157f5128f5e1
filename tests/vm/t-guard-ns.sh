#!/bin/bash
# The physical namespace lost (issue 8), on a real kernel:
#   netns   `ip netns del physical` while up: the guard holds the namespace,
#           so it survives; /run/netns/physical is put back (the same
#           namespace: the same inode); the NICs stay in it; main's traffic
#           still goes through the tunnel; status says healthy
#   lost    the guard killed with SIGKILL (status: broken, exit 1), the
#           namespace deleted and every process in it killed: the NICs come
#           back to main (the wired one as dev%d, as a user's own "eth0"
#           holds the name), status says broken; a network manager in main
#           configures them (DHCP, wpa_supplicant); main sends TCP, UDP,
#           ICMP and DNS over IPv4 and IPv6 to the LAN and the café: from
#           the moment the last process of physical is gone, zero plaintext
#           from the laptop on either side, because the fail-closed
#           nftables layer needs no process. Positive control: the
#           wgphys tables deleted, the same probes are counted, every kind
#           on both sides. Then down recovers everything
# After each case, down brings main back exactly as before up (snapshot).
# Run inside the VM: tests/vm/run tests/vm/t-guard-ns.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/guardlib.sh"

teardown() {
	[[ $(ip -d -j link show eth0 2>/dev/null | jq -r '.[0].linkinfo.info_kind') == veth ]] &&
		ip link del eth0
	guard_teardown
}
trap teardown EXIT
guard_setup

status_is() { # EXIT-STATUS
	local rc
	"$WGPHYS" status >/tmp/status.out 2>&1
	rc=$?
	cat /tmp/status.out
	echo "exit $rc"
	((rc == $1))
}
ns_holds() { # IFNAME...: the named namespace (whatever /run/netns says) holds them
	local n
	for n in "$@"; do
		nsenter --net=/run/netns/physical ip link show "$n" >/dev/null || return 1
	done
}

# --- ip netns del, with the guard alive -------------------------------------
guard_up netns
guard_recorded netns
ino=$(laptop_netns_ino physical)
check "netns: ip netns del physical" ip netns del physical
poll 5 "netns: /run/netns/physical is put back" test -e /run/netns/physical
if [[ -e /run/netns/physical ]]; then
	check "netns: the same namespace (inode $ino)" test "$(laptop_netns_ino physical)" == "$ino"
	check "netns: it still holds eth0 and wlan0" ns_holds eth0 wlan0
else
	not_ok "netns: the same namespace (inode $ino)" "/run/netns/physical is gone"
	alive=$(laptop_pids_in_ino "$ino" | tr '\n' ' ')
	diag "processes still in the namespace (which keep it alive): ${alive:-none}"
fi
check "netns: main holds no hardware link" test -z "$(guard_hw_in_main)"
poll 20 "netns: main reaches the LAN's service through the tunnel" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
check "netns: status says healthy (exit 0)" status_is 0
guard_down netns

# --- the guard killed, the namespace deleted, its processes killed -----------
guard_up lost
guard_recorded lost
ino=$(laptop_netns_ino physical)
check "lost: the LAN and café captures start" leak_start lost
# The user's own virtual "eth0": the NIC, when it comes back, needs a dev%d name.
check "lost: a veth called eth0 made in main" ip link add eth0 type veth peer name eth0-peer
if [[ -n $GUARD_PID ]]; then
	kill -KILL "$GUARD_PID"
	poll 5 "lost: the guard $GUARD_PID is dead" _world_gone "$GUARD_PID"
	check "lost: with the guard dead, status says broken (exit 1)" status_is 1
else
	not_ok "lost: the guard killed with SIGKILL" "no guard recorded"
fi
ip netns del physical
killed=0
for p in $(laptop_pids_in_ino "$ino"); do
	kill -KILL "$p" 2>/dev/null && killed=$((killed + 1))
done
diag "lost: killed $killed processes in the physical namespace"
# From here on nothing of physical is left to send (status's portal probe,
# run while it held the NICs, looks names up there: plaintext by design).
t_lost=${EPOCHREALTIME/[.,]/}
poll 20 "lost: the NICs come back to main (eth0's NIC and phy0)" _laptop_nics_home
nic=$(ip -j link show | jq -r '.[] | select(.address == "52:54:00:00:00:10") | .ifname')
dev_name() { [[ $1 =~ ^dev[0-9]+$ ]]; }
check "lost: the wired NIC came back under a dev%d name ($nic)" dev_name "$nic"
check "lost: status says broken (exit 1), a hardware NIC is in main" status_is 1
check "lost: a network manager in main configures the returned NICs" laptop_nm_start
routes_out() { # every target is routed through a hardware NIC of main
	local a dev hw
	hw=" $(guard_hw_in_main) "
	for a in "${LEAK_TARGETS[@]}"; do
		dev=$(ip -j route get "$a" 2>/dev/null | jq -r '.[0].dev')
		echo "$a via ${dev:-nothing}"
		[[ $hw == *" $dev "* ]] || return 1
	done
}
check "lost: main routes the LAN and the café through its NICs (what would leak)" routes_out
check "lost: main sends TCP/UDP/ICMP/DNS over IPv4 and IPv6 to them" leak_probe
check "lost: and once more" leak_probe
leak_stop lost
before=$(leak_count lost | awk -v t="$t_lost" '$2 == "leak" && $3 * 1000000 < t { print }')
if [[ -n $before ]]; then
	diag "lost: sent by physical before it was lost (not counted): $before"
	diag "lost: the names asked, as the LAN's DNS logged them: $(grep -o 'query\[[A-Z]*\] [^ ]* from 192\.168\.1\.1[0-9][0-9]' "$WORLD_DIR/lan-dnsmasq.log" | sort | uniq -c | tr '\n' ';')"
fi
leak_none "lost: once physical was lost, zero plaintext from the laptop on the LAN and the café" \
	lost "$t_lost"
# The positive control: the fail-closed layer removed, the same probes from
# the same main leak, and the same capture counts them.
for t in $(nft list tables 2>/dev/null | awk '$3 == "wgphys" { print $2 }'); do
	nft delete table "$t" wgphys
done
leak_control "lost: positive control, without the wgphys tables plaintext from main is counted" \
	- lan air
laptop_nm_stop
[[ $(ip -d -j link show eth0 | jq -r '.[0].linkinfo.info_kind') == veth ]] && ip link del eth0
guard_down lost

done_testing

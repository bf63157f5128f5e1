#!/bin/bash
# Leaks, phase by phase (issue 9, shared with issue 8), part 2; the method
# is part 1's (t-leak.sh): captures on the LAN and the café while main sends
# TCP, UDP, ICMP and DNS over IPv4 and IPv6, zero plaintext from the laptop,
# and a positive control in every phase.
#   netns         `ip netns del physical`, the guard alive (the control is
#                 sent from the namespace, wherever it is still held)
#   deleted       then the tunnel deleted (ip link del wg0 in main)
#   during-up     an online laptop (a network manager's DHCP and Wi-Fi in
#                 main) goes up while main keeps sending: from the moment
#                 the fail-closed table is in the kernel (nft monitor) no
#                 plaintext; the table comes before the first NIC leaves
#                 main (ip monitor); and none after up returns. What the
#                 laptop sent between the start of up and the table (it was
#                 online, by design) is printed, not counted against it
# Run inside the VM: tests/vm/run tests/vm/t-leak-up.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/guardlib.sh"

trap guard_teardown EXIT
guard_setup

PHYS=/run/netns/physical

# --- the namespace deleted, the guard alive ------------------------------------------
guard_up netns
ino=$(laptop_netns_ino physical)
check "netns: captures start" leak_start netns
ip netns del physical
_world_wait 5 "/run/netns/physical back" test -e /run/netns/physical
# The namespace lives on if anything holds it: send the control from there.
where=
if [[ -e $PHYS && $(laptop_netns_ino physical) == "$ino" ]]; then
	where=$PHYS
else
	p=$(laptop_pids_in_ino "$ino" | sort -n | head -n 1)
	[[ -n $p ]] && where=/proc/$p/ns/net
	diag "netns: /run/netns/physical was not put back; the control goes through ${where:-nothing}"
fi
leak_phase netns "ip netns del physical" "$where"

# --- the tunnel deleted -----------------------------------------------------------
check "deleted: captures start" leak_start deleted
check "deleted: ip link del wg0 in main" ip link del wg0
leak_phase deleted "the tunnel deleted" "$where"
guard_down "netns, deleted"

# --- during up, from an online laptop ----------------------------------------------
stamp() { # prefix each line with the time it was read, in microseconds
	local l
	while IFS= read -r l; do echo "${EPOCHREALTIME/[.,]/} $l"; done
}
check "during-up: a network manager puts the laptop online in main" laptop_nm_start
lan_addr() { local got; got=$(world_ask "$WORLD_ROUTER") || return 1; echo "got: $got"; [[ $got == 192.168.1.* ]]; }
poll 20 "during-up: before up, main reaches the LAN directly (a LAN address)" lan_addr
check "during-up: captures start" leak_start during
(stdbuf -oL nft monitor tables 2>&1 | stamp >/tmp/nft-monitor.log) &
GUARD_BG+=("$!")
(stdbuf -oL ip monitor link 2>&1 | stamp >/tmp/ip-monitor.log) &
GUARD_BG+=("$!")
# Both monitors listening before up starts: each must see a change of ours.
nft_listens() {
	nft add table inet monitor-test && nft delete table inet monitor-test
	grep -q 'monitor-test' /tmp/nft-monitor.log
}
ip_listens() {
	ip link add mon-probe type veth peer name mon-peer && ip link del mon-probe
	grep -q 'mon-probe' /tmp/ip-monitor.log
}
poll 10 "during-up: nft monitor is listening" nft_listens
poll 10 "during-up: ip monitor is listening" ip_listens
(while :; do "$LEAKCHECK" probe --linger 0.2 "${LEAK_TARGETS[@]}" >/dev/null 2>&1; done) &
prober=$!
GUARD_BG+=("$prober")
t_start=${EPOCHREALTIME/[.,]/}
"$WGPHYS" up >/tmp/up.out 2>&1
rc=$?
t_up=${EPOCHREALTIME/[.,]/}
check "during-up: up exits 0" test $rc -eq 0 || diag "$(cat /tmp/up.out)"
# Keep sending a little after up, then stop everything in order.
sleep 2
laptop_stop_tree "$prober"
leak_stop during
for p in "${GUARD_BG[@]}"; do laptop_stop_tree "$p"; done
GUARD_BG=()
t_nft=$(awk '$2 == "add" && $3 == "table" && $4 == "inet" && $5 == "wgphys" { print $1; exit }' /tmp/nft-monitor.log)
t_move=$(awk '/^[0-9]+ Deleted/ && /(eth0|wlan0|hwsim0)/ { print $1; exit }' /tmp/ip-monitor.log)
rel() { [[ -n $1 ]] && echo "+$((($1 - t_start) / 1000)) ms" || echo "never"; }
diag "during-up: up began at 0, table inet wgphys added $(rel "$t_nft"), first NIC left main $(rel "$t_move"), up returned $(rel "$t_up")"
count_after() { leak_count during --after "$1" | awk '$2 == "plaintext" { n += $3 } END { print n + 0 }'; }
diag "during-up: plaintext from the laptop after up began: $(count_after "$t_start") (the laptop was online by design until the table)"
if [[ -n $t_nft ]]; then
	check "during-up: the table is in place before the first NIC leaves main" \
		test -n "$t_move" -a "$t_nft" -lt "${t_move:-0}"
	leak_none "during-up: from the moment the fail-closed table is in place, zero plaintext" during "$t_nft"
else
	not_ok "during-up: the fail-closed table (inet wgphys) appears during up" \
		"nft monitor saw no table; first NIC left main $(rel "$t_move")"
	[[ -n $t_move ]] &&
		diag "during-up: plaintext after the first NIC left main: $(count_after "$t_move")"
fi
leak_none "during-up: after up returned, zero plaintext" during "$t_up"
laptop_nm_stop
check "during-up: down exits 0" "$WGPHYS" down

done_testing

#!/bin/bash
# Hardware that appears after `wgphys up` (issue 8), on a real kernel:
#   radio       a radio hot-added in main (mac80211_hwsim NEW_RADIO) leaves
#               main (how soon is printed, timed from the kernel's events by
#               tests/vm/hwsim-radio; the 100 ms goal is bench/hotplug.sh's,
#               not a test's), lands in physical, and with
#               a wpa_supplicant file for its interface associates with the
#               café (its wpa_supplicant recorded) and gets a lease there
#               from the namespace's one dhcpcd manager (the same process as
#               before: no dhcpcd per link)
#   replug      eth0's virtio driver unbound and bound (a replug, a dock, a
#               resume): the new eth0, made in the initial namespace, lands
#               in physical and gets a lease there from the same dhcpcd
#               manager; meanwhile the LAN saw
#               nothing from the laptop but WireGuard, DHCP, ARP and link-
#               local ND/MLD (positive control: probes from physical counted)
#   foreground  up --foreground: READY=1 on $NOTIFY_SOCKET once the kill
#               switch is in place, the guard is that process, one more line
#               on stderr for a hot-added radio, down ends it with exit 0
# After each case, down brings main back exactly as before up (snapshot);
# a radio added while up is back in main after down, and is removed.
# Run inside the VM: tests/vm/run tests/vm/t-guard-hotplug.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/guardlib.sh"

hot=()		# hot-added phys, removed wherever they are at the end
fg_pid=
notify_pid=
remove_hot() {
	local p ns
	for p in "${hot[@]}"; do
		for ns in - physical; do
			if [[ $ns == - ]]; then
				"$HWSIM_RADIO" del "$p" 2>/dev/null && break
			else
				ip netns exec "$ns" "$HWSIM_RADIO" del "$p" 2>/dev/null && break
			fi
		done
	done
	hot=()
}
teardown() {
	[[ -n $fg_pid ]] && kill "$fg_pid" 2>/dev/null
	[[ -n $notify_pid ]] && kill "$notify_pid" 2>/dev/null
	guard_teardown
	remove_hot
}
trap teardown EXIT
guard_setup
# The interface of a hot-added radio gets a wlan%d name, in main and again
# in physical on a clash: the café's file for every name it may get.
laptop_wpa_configs wlan1 wlan2 wlan3 wlan4

in_ns_phys() { laptop_phys "$2" | grep -qx "$1"; }
associated() { ip netns exec physical iw dev "$1" link | grep -q 'SSID: cafe'; }
has_lease() { # NS IFNAME PREFIX
	[[ $(ip -n "$1" -4 -o addr show dev "$2" 2>/dev/null) == *"inet $3"* ]]
}
# The namespace's dhcpcd manager: "PID START", recorded without a link.
manager() { awk '$1 == "daemon" && $4 == "dhcpcd" && $5 == "" { print $2, $3; exit }' /run/wgphys/state 2>/dev/null; }
same_manager() { # "PID START" before: still the one recorded, alive, in physical, and the only one
	local now pid start
	now=$(manager)
	echo "recorded: ${now:-none} (before: $1); running in physical: $(guard_managers_in physical | tr '\n' ' ')"
	[[ -n $now && $now == "$1" ]] || return 1
	read -r pid start <<<"$now"
	_guard_alive_in "$pid" "$start" physical && [[ $(guard_managers_in physical) == "$pid" ]]
}
daemon_for() { # NAME IFNAME: recorded for that interface, alive, in physical
	local rec pid start
	rec=$(awk -v n="$1" -v i="$2" '$1 == "daemon" && $4 == n && $5 == i { print $2, $3; exit }' \
		/run/wgphys/state 2>/dev/null)
	echo "recorded: ${rec:-nothing} ($(grep '^daemon' /run/wgphys/state 2>&1 | tr '\n' ';'))"
	read -r pid start <<<"$rec"
	[[ -n $pid ]] && _guard_alive_in "$pid" "$start" physical
}

# --- a radio hot-added while up ---------------------------------------------
guard_up radio
guard_recorded radio
mgr=$(manager)
out=$("$HWSIM_RADIO" add --wait-gone 5)
rc=$?
read -r phy up_us low_us <<<"$out"
[[ -n $phy ]] && hot+=("$phy")
diag "radio: $phy left main $up_us us after the request (upper bound), $low_us us after it returned (lower bound)"
check "radio: the hot-added $phy leaves main (within 5 s)" test $rc -eq 0
poll 5 "radio: $phy is in physical" in_ns_phys "$phy" physical
check "radio: main holds no phy" test -z "$(laptop_phys)"
check "radio: main holds no hardware link" test -z "$(guard_hw_in_main)"
wdev=$(laptop_wdev_of "$phy" physical)
if [[ -n $wdev ]]; then
	diag "radio: its interface in physical is $wdev"
	poll 10 "radio: wpa_supplicant is started for $wdev and recorded" daemon_for wpa_supplicant "$wdev"
	poll 30 "radio: $wdev associates with the café, in physical" associated "$wdev"
	poll 30 "radio: $wdev gets a lease from the café, in physical" has_lease physical "$wdev" 192.168.50.
	check "radio: from the same dhcpcd manager (${mgr:-none}), the only one there" same_manager "$mgr"
else
	not_ok "radio: $phy has an interface in physical" "$(ip netns exec physical iw dev 2>&1)"
fi
check "radio: main still reaches the LAN only through the tunnel" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
"$WGPHYS" down >/tmp/down.out 2>&1
check "radio: down exits 0" test $? -eq 0 || diag "$(cat /tmp/down.out)"
check "radio: after down, the hot-added $phy is in main" in_ns_phys "$phy" -
remove_hot
poll 10 "radio: with it removed, main is exactly as before up" laptop_same "$GUARD_SNAP" ||
	{ diag "$(laptop_force_clean physical)"; laptop_by_hand; }

# --- eth0 replugged while up -------------------------------------------------
guard_up replug
mgr=$(manager)
check "replug: the LAN and café captures start" leak_start replug
old=$(ip -n physical -j link show eth0 | jq -r '.[0].ifindex')
start=${EPOCHREALTIME/[.,]/}
check "replug: eth0's driver unbound and bound again" laptop_replug eth0 physical
new_eth0() { # in physical, not the one before
	local idx
	idx=$(ip -n physical -j link show eth0 2>/dev/null | jq -r '.[0].ifindex') || return 1
	[[ -n $idx && $idx != "$old" ]]
}
landed=
poll 5 "replug: the new eth0 lands in physical" new_eth0 && landed=1 &&
	diag "replug: seen in physical $(((${EPOCHREALTIME/[.,]/} - start) / 1000)) ms after the bind began (polled)"
check "replug: main holds no hardware link" test -z "$(guard_hw_in_main)"
poll 30 "replug: eth0 gets a lease in physical" has_lease physical eth0 192.168.1.
check "replug: served by the same dhcpcd manager (${mgr:-none}), the only one there" same_manager "$mgr"
poll 20 "replug: main reaches the LAN's service through the tunnel" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_ROUTER"
leak_stop replug
leak_none "replug: the LAN and café saw nothing from the laptop but WireGuard, DHCP, ARP, ND/MLD" replug
if [[ -n $landed ]]; then
	leak_control "replug: positive control, plaintext sent from physical is counted" \
		/run/netns/physical lan
else
	not_ok "replug: positive control, plaintext sent from physical is counted" \
		"eth0 is not in physical: no path to the LAN to prove the capture with"
fi
guard_down replug

# --- up --foreground ----------------------------------------------------------
sock=/run/wgphys-test-notify
rm -f "$sock" /tmp/notify.log
# One datagram is one notification: each is written out whole, on lines
# of its own (socat would glue one's last line to the next one's first).
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    sys.stdout.write(s.recv(65536).decode(errors="replace") + "\n")
    sys.stdout.flush()' "$sock" >/tmp/notify.log 2>&1 &
notify_pid=$!
# Python starts slowly under TCG.
_world_wait 30 "the notify socket" test -S "$sock"
NOTIFY_SOCKET=$sock "$WGPHYS" up --foreground >/tmp/fg.out 2>/tmp/fg.err &
fg_pid=$!
ready() { grep -qx 'READY=1' /tmp/notify.log; }
ready_or_gone() { ready || _world_gone "$fg_pid"; }
_world_wait 60 "READY=1 or an exit" ready_or_gone
if check "foreground: READY=1 comes on \$NOTIFY_SOCKET" ready; then
	check "foreground: it still runs" laptop_alive "$fg_pid"
	check "foreground: the kill switch was in place: no hardware link in main" \
		test -z "$(guard_hw_in_main)"
	rec=$(laptop_guard)
	gpid=${rec%% *}
	gparent=$(awk '{ print $4 }' "/proc/${gpid:-0}/stat" 2>/dev/null)
	check "foreground: the recorded guard ($gpid) is that process ($fg_pid) or its child" \
		test -n "$gpid" -a \( "$gpid" == "$fg_pid" -o "$gparent" == "$fg_pid" \)
	poll 60 "foreground: eth0 and wlan0 get their leases in physical" laptop_settled
	lines=$(wc -l </tmp/fg.err)
	out=$("$HWSIM_RADIO" add --wait-gone 5)
	phy=${out%% *}
	[[ -n $phy ]] && hot+=("$phy")
	more() { (($(wc -l </tmp/fg.err) > lines)); }
	poll 10 "foreground: a hot-added radio is logged on stderr" more
	diag "foreground stderr: $(tail -n 5 /tmp/fg.err)"
	diag "notifications: $(tr '\n' ' ' </tmp/notify.log)"
	"$WGPHYS" down >/tmp/down.out 2>&1
	check "foreground: down exits 0" test $? -eq 0 || diag "$(cat /tmp/down.out)"
	poll 20 "foreground: down ends the foreground guard" _world_gone "$fg_pid"
	wait "$fg_pid"
	rc=$?
	check "foreground: which exits 0" test $rc -eq 0 || diag "$(tail -n 20 /tmp/fg.err)"
	fg_pid=
	remove_hot
	poll 10 "foreground: main is exactly as before up" laptop_same "$GUARD_SNAP"
else
	laptop_stop_tree "$fg_pid"
	diag "up --foreground (stopped if it still ran): $(cat /tmp/fg.out /tmp/fg.err)"
	diag "notifications: $(cat /tmp/notify.log)"
	fg_pid=
	"$WGPHYS" down >/dev/null 2>&1
	remove_hot
fi
kill "$notify_pid" 2>/dev/null
notify_pid=

done_testing

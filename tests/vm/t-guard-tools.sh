#!/bin/bash
# Proves the tools the guard and leak tests stand on (tests/vm/laptop.sh,
# tests/vm/hwsim-radio, tests/vm/leakcheck), without wgphys: a hot-added
# radio appears in main, hears the café and can be removed; --wait-gone
# times a move and says when there was none; a replug brings eth0 back in
# the initial namespace; the snapshot diff sees a changed address; the leak
# counter counts deliberate plaintext of every kind on both sides, and
# counts nothing for WireGuard, DHCP, ARP, ND/MLD or traffic that an
# nftables table drops. Each tool has its negative control.
# Run inside the VM: tests/vm/run tests/vm/t-guard-tools.sh
# shellcheck disable=SC2317 # helpers are called through check and poll
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib.sh"
. "$here/world.sh"
. "$here/laptop.sh"

world_started=
pids=()
teardown() {
	local p
	for p in "${pids[@]}"; do stop_pid "$p"; done
	laptop_cleanup
	ip link del wgt 2>/dev/null
	nft delete table inet wgphys 2>/dev/null
	ip netns del tools 2>/dev/null
	if [[ -n $world_started ]]; then
		world_started=
		world_down
	fi
}
trap teardown EXIT

world_started=1
check "the world comes up" world_up || { echo "Bail out! no world"; exit 1; }
check "IPv6 and router advertisements on the LAN and the café" laptop_v6_up
ip netns add tools

fails() { ! "$@"; }
stop_pid() { # TERM, 10 s, then KILL
	kill -TERM "$1" 2>/dev/null
	_world_wait 10 "pid $1 to exit" _world_gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
is_hw() { laptop_hw_links | grep -qx "$1"; }
diff_mentions() { # FILE PATTERN: the snapshot differs, and the diff shows PATTERN
	laptop_same "$1" >/tmp/snap.diff && return 1
	cat /tmp/snap.diff
	grep -q -- "$2" /tmp/snap.diff
}
answer_is() { # WANT ADDR
	local got
	got=$(world_ask "$2") || return 1
	echo "got: $got"
	[[ $got == "$1" ]]
}
has() { # AWK-CLASS COUNTS: the class was counted at least once
	awk -v k="$1" '$2 == k && $3 > 0 { f = 1 } END { exit !f }' <<<"$2"
}
has_all() { # COUNTS CLASS...
	local c=$1 k
	shift
	for k in "$@"; do has "$k" "$c" || { echo "no $k"; return 1; }; done
}
in_main() { laptop_phys | grep -qx "$1"; }
in_tools() { laptop_phys tools | grep -qx "$1"; }

# --- hwsim-radio ------------------------------------------------------------
out=$("$HWSIM_RADIO" add)
rc=$?
phy=${out%% *}
check "hwsim-radio add exits 0 and names a phy ($out)" test $rc -eq 0 -a -n "$phy"
check "the new phy is in main (iw phy)" in_main "$phy"
wdev=$(laptop_wdev_of "$phy")
check "it has a station interface in main ($wdev)" test -n "$wdev" -a -e "/sys/class/net/$wdev/phy80211"
check "its interface counts as hardware" is_hw "$wdev"
wpa_supplicant -i "$wdev" -D nl80211 -c "$WORLD_WPA_CONF" >/tmp/tools-wpa.log 2>&1 &
pids+=("$!")
poll 30 "a hot-added radio hears the café: $wdev associates" \
	bash -c "iw dev '$wdev' link | grep -q 'SSID: cafe'"
stop_pid "${pids[-1]}"

out=$("$HWSIM_RADIO" add --wait-gone 1)
rc=$?
phy2=${out%% *}
check "negative: --wait-gone with nobody moving the phy exits 3 ($out)" test $rc -eq 3
check "and prints its name with no time" test "$out" == "$phy2 - -"

# --wait-gone measures a move: a watcher moves the first new phy it sees.
mover() {
	local p before=$1 deadline=$((${EPOCHREALTIME/[.,]/} + 10000000))
	while ((${EPOCHREALTIME/[.,]/} < deadline)); do
		for p in $(laptop_phys); do
			[[ " $before " == *" $p "* ]] && continue
			iw phy "$p" set netns name tools && return 0
		done
	done
	return 1
}
before=$(laptop_phys | tr '\n' ' ')
mover "$before" &
mover_pid=$!
out=$("$HWSIM_RADIO" add --wait-gone 10)
rc=$?
wait "$mover_pid"
read -r phy3 up_us low_us <<<"$out"
check "--wait-gone: a phy moved by hand is timed ($out)" \
	test $rc -eq 0 -a "${up_us:-x}" -ge "${low_us:-y}" -a "${low_us:-y}" -ge 0
diag "moving by polling iw phy from a shell: ${up_us:-?} us (upper bound), ${low_us:-?} us (lower)"
check "the timed phy is in the other namespace" in_tools "$phy3"
check "negative: del from a namespace that does not hold the phy fails" fails "$HWSIM_RADIO" del "$phy3"
check "hwsim-radio del, run where the phy is" ip netns exec tools "$HWSIM_RADIO" del "$phy3"
check "and it is gone" fails in_tools "$phy3"
check "del by phy name in main" "$HWSIM_RADIO" del "$phy"
check "del of the second" "$HWSIM_RADIO" del "$phy2"
check "no hot-added phy is left in main" test "$(laptop_phys | sort | tr '\n' ' ')" == "phy0 "

# --- replug -------------------------------------------------------------------
mac0=$(ip -j link show eth0 | jq -r '.[0].address')
ip link set eth0 netns tools
old=$(ip -n tools -j link show eth0 | jq -r '.[0].ifindex')
check "replug eth0 (held by another namespace)" laptop_replug eth0 tools
poll 5 "eth0 comes back in the initial namespace" test -e /sys/class/net/eth0
check "with the same MAC" test "$(ip -j link show eth0 | jq -r '.[0].address')" == "$mac0"
check "as a new netdev (ifindex $old before)" test "$(ip -j link show eth0 | jq -r '.[0].ifindex')" != "$old"
check "and nothing is left in the other namespace" fails ip -n tools link show eth0

# --- snapshot -----------------------------------------------------------------
laptop_snapshot >/tmp/snap.before 2>&1
check "snapshot: unchanged machine, empty diff" laptop_same /tmp/snap.before
ip addr add 192.168.1.51/24 dev eth0
check "negative: an added address shows in the diff" diff_mentions /tmp/snap.before 192.168.1.51
ip addr del 192.168.1.51/24 dev eth0
check "removed again: empty diff" laptop_same /tmp/snap.before
ip link set eth0 address 52:54:00:00:00:99
check "negative: a changed MAC shows in the diff" diff_mentions /tmp/snap.before 52:54:00:00:00:99
ip link set eth0 address "$mac0"
nft add table inet wgphys
check "negative: an nftables table shows in the diff" diff_mentions /tmp/snap.before wgphys
nft delete table inet wgphys
check "as before again" laptop_same /tmp/snap.before

# --- leak counting ------------------------------------------------------------
# The laptop, configured by hand in main on both sides.
sysctl -qw net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.wlan0.accept_ra=0
ip link set eth0 up
ip link set wlan0 up
wpa_supplicant -i wlan0 -D nl80211 -c "$WORLD_WPA_CONF" >/tmp/tools-wpa0.log 2>&1 &
pids+=("$!")
poll 30 "wlan0 associates with the café" bash -c "iw dev wlan0 link | grep -q 'SSID: cafe'"

# Idle, then DHCP (v4 and v6: RS, DAD, MLD): nothing of it is plaintext.
check "captures start" leak_start idle
dhcpcd --nobackground --noarp eth0 >/tmp/tools-dhcpcd.log 2>&1 &
pids+=("$!")
poll 30 "dhcpcd gets a lease on eth0" bash -c "ip -4 -o addr show dev eth0 | grep -q 'inet 192.168.1.1'"
poll 20 "and an address from the LAN's router advertisement" \
	bash -c "ip -6 -o addr show dev eth0 scope global | grep -q 'fd00:1::'"
stop_pid "${pids[-1]}"
leak_stop idle
counts=$(leak_count idle lan)
diag "$(tr '\n' ' ' <<<"$counts")"
check "the counter saw DHCP from the laptop" has dhcp4 "$counts"
check "and IPv6 ND and MLD" has_all "$counts" nd mld
leak_none "negative: DHCP, ARP and IPv6 ND/MLD alone count as no plaintext" idle

ip addr flush dev eth0 scope global
ip route flush dev eth0
ip addr add 192.168.1.50/24 dev eth0
ip -6 addr add fd00:1::50/64 dev eth0 nodad
ip addr add 192.168.50.50/24 dev wlan0
ip -6 addr add fd00:50::50/64 dev wlan0 nodad
leak_control "positive control: plaintext from main of each kind is counted on both sides" - lan air

# A WireGuard tunnel in main: what goes through it is not plaintext.
ip link add wgt type wireguard
wg set wgt private-key "$CLIENT_PRIV_FILE" peer "$SERVER_PUB" endpoint "$WORLD_ENDPOINT" \
	allowed-ips 10.100.0.0/24,fd00:100::/64
ip addr add "$WORLD_TUNNEL_CLIENT/32" dev wgt
ip -6 addr add "$WORLD_TUNNEL_CLIENT6/128" dev wgt
ip link set wgt up
ip route add 10.100.0.0/24 dev wgt
ip -6 route add fd00:100::/64 dev wgt
check "captures start" leak_start tunnel
poll 20 "through a hand-made tunnel, the service sees the tunnel address" \
	answer_is "$WORLD_TUNNEL_CLIENT" "$WORLD_TUNNEL_SERVER"
"$LEAKCHECK" probe --linger 1 "$WORLD_TUNNEL_SERVER" "$WORLD_TUNNEL_SERVER6" >/dev/null
leak_stop tunnel
counts=$(leak_count tunnel lan)
check "the counter saw WireGuard" has wg "$counts"
leak_none "negative: traffic inside the tunnel counts as no plaintext" tunnel
ip link del wgt

# An nftables table that drops everything leaving through the NICs: zero,
# and after deleting it, the same probes are counted (as the tests do with
# wgphys's table).
nft -f - <<-'EOF'
	table inet wgphys {
		chain out {
			type filter hook output priority 0; policy accept;
			oifname { "eth0", "wlan0" } drop
		}
	}
EOF
check "captures start" leak_start dropped
check "probes from main" leak_probe
leak_stop dropped
leak_none "negative: probes an nftables table drops are not counted" dropped
nft delete table inet wgphys
leak_control "positive control after deleting the table: counted again" - lan air

done_testing

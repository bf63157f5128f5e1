# shellcheck shell=bash
# The laptop's life after `wgphys up`, for the guard and leak tests: IPv6 in
# the test world, hardware that comes and goes, what wgphys recorded, a
# network manager that configures whatever NIC it finds in main, captures
# that count plaintext from the laptop (with a positive control), and a
# snapshot of the main namespace to compare before up and after down.
# Source it after tests/lib.sh and tests/vm/world.sh, inside the VM, and
# call laptop_v6_up after world_up.
#
#   IPv6 added to the world (laptop_v6_up):
#     lan  eth1  fd00:1::1/64    router advertisements every 4 s (dnsmasq,
#                                RA only: SLAAC, no DHCPv6)
#     air  wlan1 fd00:50::1/64   the same on the café's Wi-Fi
#     v-lan fd00:99::1/64 <-> v-air fd00:99::2/64, routed both ways
#   Leak targets (LEAK_TARGETS): 192.168.1.1 fd00:1::1 (the LAN, reached
#   through the wired NIC) and 192.168.50.1 fd00:50::1 (the café, through
#   the wireless one): on-link addresses, so any NIC configured by anyone
#   reaches them without a gateway.
#
# Defined here:
#   laptop_v6_up                  IPv6 and RAs on both sides (above)
#   laptop_by_hand                the laptop before up: eth0 192.168.1.50/24,
#                                 fd00:1::50/64, default via the LAN (metric
#                                 7), wlan0 up, RAs ignored in main,
#                                 resolv.conf naming the LAN's server
#   laptop_settled                eth0 and wlan0 have DHCP leases in physical
#   laptop_force_clean NS         after a failed down: kill, delete, unmount
#                                 and rename until main is as before up
#   laptop_wpa_configs NAME...    a wpa_supplicant file for the café for each
#                                 interface NAME (removed by laptop_cleanup)
#   laptop_cleanup                remove what this file made (files, the NM)
#
#   State of wgphys (/run/wgphys/state, read with awk by field; a line
#   "daemon PID START NAME [IFNAME]" has IFNAME for a daemon of one link
#   (wpa_supplicant) and none for one of the whole namespace (dhcpcd, a
#   manager that serves every link there, hot-plugged ones too)):
#   laptop_guard                  "PID START" of the line "guard PID START"
#   laptop_daemon NAME [IFNAME]   "PID START" of that daemon (first match;
#                                 a line without IFNAME matches any IFNAME)
#   laptop_alive PID [START]      alive (not a zombie), same start time
#   laptop_netns_ino NS           inode of /run/netns/NS
#   laptop_pid_in PID NS          PID's network namespace is NS's
#   laptop_pids_in_ino INO        pids whose network namespace has inode INO
#   laptop_tree PID               PID and its descendants
#   laptop_stop_tree PID          SIGTERM, 3 s, then SIGKILL to what is left
#   laptop_hw_links [NS]          hardware-backed links in NS (default main):
#                                 no rtnetlink kind, or a parent device, or
#                                 wireless; not lo
#   laptop_phys [NS]              phy names in NS
#   laptop_wdev_of PHY [NS]       the interface of PHY in NS
#   laptop_caps PID               CapPrm/CapEff/CapBnd, decoded
#   laptop_ctxsw PID              voluntary+nonvoluntary context switches,
#                                 summed over PID's threads
#   laptop_rss_kib PID            VmRSS in KiB
#
#   Hardware events:
#   laptop_replug IFNAME NS       unbind and bind IFNAME's virtio driver (IFNAME
#                                 lives in NS, "-" for main); the new netdev
#                                 appears in the initial namespace
#   HWSIM_RADIO                   path of tests/vm/hwsim-radio (add, del)
#
#   A network manager in main (what the issue's NetworkManager did):
#   laptop_nm_start               for each hardware link in main: up, then
#                                 wpa_supplicant (wireless) and dhcpcd; waits
#                                 (bounded) for an IPv4 lease, falls back to a
#                                 static address as a manual profile would,
#                                 and adds a static IPv6 address on each
#   laptop_nm_stop                stop it and remove what it configured
#
#   Leaks (captures in $WORLD_DIR, counted by tests/vm/leakcheck):
#   leak_start NAME               tcpdump on lan's eth1 and air's wlan1
#   leak_stop NAME
#   leak_count NAME [--after US] [SIDE...]
#                                 the classified counts, "SIDE CLASS N" lines
#                                 (sides lan and air by default)
#   leak_probe [NETNS_PATH]       send TCP/UDP/ICMP/DNS over IPv4 and IPv6 to
#                                 LEAK_TARGETS (and a lookup through
#                                 resolv.conf) from main or from NETNS_PATH
#   leak_none DESC NAME [US]      TAP: zero plaintext from the laptop on both
#                                 sides (after US, if given); prints the
#                                 counts and the frames that leaked
#   leak_control DESC NETNS_PATH SIDE...
#                                 TAP, the positive control: from
#                                 NETNS_PATH ("-": main), probes counted by
#                                 the same capture and counter, each of
#                                 tcp4 udp4 icmp4 dns4 tcp6 udp6 icmp6 dns6
#                                 at least once on each SIDE, within 30 s
#
#   Snapshot of the main namespace:
#   laptop_snapshot               print it (links with names, MACs, parent
#                                 devices, kinds, MTU, up; addresses; IPv4
#                                 and IPv6 routes; phys and their
#                                 interfaces; resolv.conf and the mounts on
#                                 it; /etc/netns, /run/netns; the nftables
#                                 rule set; forwarding sysctls; dhcpcd,
#                                 wpa_supplicant and wgphys processes in main)
#   laptop_same FILE              no TAP: snapshot now, diff against FILE
#                                 (poll it: "poll 10 'as before' laptop_same F")
#
# Variables: LEAK_TARGETS, LAPTOP_NM_PIDS, HWSIM_RADIO, LEAKCHECK.

_laptop_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # for the tests that source this
HWSIM_RADIO=$_laptop_here/hwsim-radio
LEAKCHECK=$_laptop_here/leakcheck
LEAK_TARGETS=(192.168.1.1 fd00:1::1 192.168.50.1 fd00:50::1)
LAPTOP_NM_PIDS=()
LAPTOP_NM_LINKS=()
_laptop_wpa_made=()

# --- the world's IPv6 -------------------------------------------------------

laptop_v6_up() {
	ip -n lan addr add fd00:1::1/64 dev eth1 nodad &&
		ip -n air addr add fd00:50::1/64 dev wlan1 nodad &&
		ip -n lan addr add fd00:99::1/64 dev v-lan nodad &&
		ip -n air addr add fd00:99::2/64 dev v-air nodad &&
		ip -n lan -6 route add fd00:50::/64 via fd00:99::2 &&
		ip -n air -6 route add default via fd00:99::1 || return 1
	# RA only (no DNS: port 0; no DHCPv6), every 4 s so that a host that
	# missed one (or was refused its solicitation) learns the prefix soon.
	local side ns dev
	for side in lan:eth1 air:wlan1; do
		ns=${side%%:*} dev=${side#*:}
		_world_bg "$ns-ra" "$ns" dnsmasq --conf-file=/dev/null --keep-in-foreground \
			--user=root --group=root --port=0 --bind-interfaces --interface="$dev" \
			--pid-file="$WORLD_DIR/$ns-ra.dnsmasq-pid" --log-facility=- \
			--enable-ra --ra-param="$dev,4,600" --dhcp-range="::,constructor:$dev,ra-only,64,10m"
	done
	_world_wait 10 "router advertisements on lan's eth1" \
		grep -q 'router advertisement on' "$WORLD_DIR/lan-ra.log" ||
		{ _world_log_tail lan-ra; return 1; }
	_world_wait 10 "router advertisements on air's wlan1" \
		grep -q 'router advertisement on' "$WORLD_DIR/air-ra.log" ||
		{ _world_log_tail air-ra; return 1; }
}

laptop_wpa_configs() {
	local n f
	for n in "$@"; do
		f=/etc/wpa_supplicant/wpa_supplicant-$n.conf
		[[ -e $f ]] && continue
		cp "$WORLD_WPA_CONF" "$f" || return 1
		_laptop_wpa_made+=("$f")
	done
}

laptop_cleanup() {
	laptop_nm_stop >/dev/null 2>&1
	((${#_laptop_wpa_made[@]})) && rm -f "${_laptop_wpa_made[@]}"
	_laptop_wpa_made=()
}

# --- the laptop before up, and after a down that failed ----------------------

# A laptop configured by hand: nothing in main changes on its own (no
# DHCP client, router advertisements ignored), so that any difference after
# down is wgphys's. Safe to repeat.
laptop_by_hand() {
	sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.eth0.accept_ra=0 \
		net.ipv6.conf.wlan0.accept_ra=0 || return 1
	ip addr flush dev eth0 scope global
	ip link set eth0 up &&
		ip addr add 192.168.1.50/24 dev eth0 &&
		ip -6 addr add fd00:1::50/64 dev eth0 nodad &&
		ip route replace default via 192.168.1.1 dev eth0 metric 7 &&
		ip link set wlan0 up || return 1
	printf 'nameserver 192.168.1.1\n' >/etc/resolv.conf
}

# Both NICs have a lease of their own in physical (not only the carried-over
# address).
laptop_settled() {
	[[ $(ip -n physical -4 -o addr show dev eth0 2>/dev/null) == *"inet 192.168.1.1"[0-9][0-9]/* ]] &&
		[[ $(ip -n physical -4 -o addr show dev wlan0 2>/dev/null) == *"inet 192.168.50.1"[0-9][0-9]/* ]]
}

# After a down that failed: undo by force, so that the next case starts
# from the machine as before up. Prints what it had to do. Not a test of
# anything; a test that needs it has failed already.
laptop_force_clean() { # NS
	local ns=$1 ino p t
	ino=$(awk '$1 == "netns" { print $4 }' /run/wgphys/state 2>/dev/null)
	[[ -z $ino && -e /run/netns/$ns ]] && ino=$(laptop_netns_ino "$ns")
	p=$(laptop_guard)
	[[ -n $p ]] && kill -KILL "${p%% *}" 2>/dev/null && echo "killed the guard ${p%% *}"
	if [[ -n $ino ]]; then
		for p in $(laptop_pids_in_ino "$ino"); do
			kill -KILL "$p" 2>/dev/null && echo "killed $p in $ns"
		done
	fi
	ip netns del "$ns" 2>/dev/null && echo "deleted netns $ns"
	ip link del wg0 2>/dev/null && echo "deleted wg0"
	for t in $(nft list tables 2>/dev/null | awk '$3 == "wgphys" { print $2 }'); do
		nft delete table "$t" wgphys && echo "deleted nft table $t wgphys"
	done
	while mountpoint -q /etc/resolv.conf; do umount /etc/resolv.conf || break; echo "unmounted /etc/resolv.conf"; done
	rm -rf "/etc/netns/$ns" /run/wgphys/state
	_world_wait 15 "eth0's NIC and phy0 back in main" _laptop_nics_home
	# A NIC may come back as dev%d: its own name again.
	for t in eth0:52:54:00:00:00:10 wlan0:02:00:00:00:00:00; do
		p=$(ip -j link show | jq -r --arg m "${t#*:}" '.[] | select(.address == $m) | .ifname' | head -1)
		if [[ -n $p && $p != "${t%%:*}" ]]; then
			ip link set "$p" down
			ip link set "$p" name "${t%%:*}" && echo "renamed $p to ${t%%:*}"
		fi
	done
	return 0
}

_laptop_nics_home() {
	[[ -e /sys/class/ieee80211/phy0 ]] &&
		ip -j link show | jq -e 'any(.[]; .address == "52:54:00:00:00:10")' >/dev/null
}

# --- what wgphys recorded, and what the kernel says about it ----------------

laptop_guard() {
	awk '$1 == "guard" { print $2, $3; exit }' /run/wgphys/state 2>/dev/null
}

laptop_daemon() { # NAME [IFNAME]
	awk -v n="$1" -v i="${2-}" '$1 == "daemon" && $4 == n &&
		(i == "" || $5 == "" || $5 == i) { print $2, $3; exit }' /run/wgphys/state 2>/dev/null
}

# Field 22 of /proc/PID/stat, counted after the last ")".
_laptop_start() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split on purpose
	set -- $stat
	printf '%s %s\n' "$1" "${20}"
}

laptop_alive() { # PID [START]
	local st
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	st=$(_laptop_start "$1") || return 1
	[[ ${st%% *} != Z ]] || return 1
	[[ -z ${2-} || ${st#* } == "$2" ]]
}

laptop_netns_ino() { stat -L -c %i "/run/netns/$1"; }

laptop_pid_in() { # PID NS
	local a b
	a=$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null) || return 1
	b=$(laptop_netns_ino "$2" 2>/dev/null) || return 1
	[[ $a == "$b" ]]
}

laptop_pids_in_ino() { # INO
	stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null |
		awk -v i="$1" '$1 == i { split($2, p, "/"); print p[3] }'
	return 0
}

# In another namespace /sys must be remounted to show its devices, which
# ip netns exec does.
_laptop_hw_links_here() {
	local d
	ip -d -j link show | jq -r '.[] | select(.ifname != "lo" and
		(.linkinfo.info_kind == null or .parentbus != null)) | .ifname'
	for d in /sys/class/net/*; do
		[[ -e $d/device || -e $d/phy80211 ]] && echo "${d##*/}"
	done
}

# shellcheck disable=SC2120 # NS is optional
laptop_hw_links() { # [NS]
	if [[ ${1:--} == - ]]; then
		_laptop_hw_links_here | sort -u
	else
		ip netns exec "$1" bash -c "$(declare -f _laptop_hw_links_here); _laptop_hw_links_here" |
			sort -u
	fi
}

laptop_phys() { # [NS]
	if [[ ${1:--} == - ]]; then
		iw phy 2>/dev/null | awk '/^Wiphy/ { print $2 }'
	else
		ip netns exec "$1" iw phy 2>/dev/null | awk '/^Wiphy/ { print $2 }'
	fi
}

laptop_wdev_of() { # PHY [NS]
	local idx out
	if [[ ${2:--} == - ]]; then
		out=$(iw phy "$1" info 2>/dev/null; echo ---; iw dev 2>/dev/null)
	else
		out=$(ip netns exec "$2" sh -c "iw phy '$1' info; echo ---; iw dev" 2>/dev/null)
	fi
	idx=$(awk '/wiphy index:/ { print $3; exit }' <<<"$out")
	[[ -n $idx ]] || return 1
	awk -v p="phy#$idx" 'f && /^phy#/ { exit } $1 == p { f = 1 }
		f && $1 == "Interface" { print $2; exit }' <<<"${out#*---}"
}

laptop_caps() { # PID
	local k v
	while read -r k v; do
		case $k in
		CapPrm: | CapEff: | CapBnd: | CapAmb:)
			printf '%s %s %s\n' "$k" "$v" "$(capsh --decode="$v" 2>/dev/null | sed 's/.*=//')" ;;
		esac
	done <"/proc/$1/status"
}

laptop_ctxsw() { # PID
	local t sum=0 k v
	for t in /proc/"$1"/task/*/status; do
		while read -r k v; do
			[[ $k == voluntary_ctxt_switches: || $k == nonvoluntary_ctxt_switches: ]] &&
				sum=$((sum + v))
		done <"$t"
	done
	echo "$sum"
}

laptop_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --- hardware events ------------------------------------------------------

laptop_replug() { # IFNAME NS
	local dev
	if [[ $2 == - ]]; then
		dev=$(readlink "/sys/class/net/$1/device")
	else
		dev=$(ip netns exec "$2" readlink "/sys/class/net/$1/device")
	fi
	dev=${dev##*/}
	[[ $dev == virtio* ]] || { echo "laptop_replug: $1 in $2 is not a virtio device ($dev)" >&2; return 1; }
	echo "$dev" >/sys/bus/virtio/drivers/virtio_net/unbind || return 1
	echo "$dev" >/sys/bus/virtio/drivers/virtio_net/bind
}

# --- a network manager in main ----------------------------------------------

_laptop_has_v4() { [[ -n $(ip -4 -o addr show dev "$1" scope global 2>/dev/null) ]]; }
_laptop_associated() { iw dev "$1" link 2>/dev/null | grep -q 'SSID: cafe'; }

laptop_nm_start() {
	local n wired=() wireless=() how=
	LAPTOP_NM_LINKS=()
	for n in $(laptop_hw_links); do
		[[ $n == hwsim* ]] && continue	# the radiotap monitor: no way out
		LAPTOP_NM_LINKS+=("$n")
		if [[ -e /sys/class/net/$n/phy80211 ]]; then wireless+=("$n"); else wired+=("$n"); fi
	done
	((${#LAPTOP_NM_LINKS[@]})) || { echo "network manager: no hardware link in main"; return 1; }
	for n in "${LAPTOP_NM_LINKS[@]}"; do
		ip link set "$n" up || return 1
	done
	for n in "${wireless[@]}"; do
		wpa_supplicant -i "$n" -D nl80211 -c "$WORLD_WPA_CONF" >"$WORLD_DIR/nm-wpa-$n.log" 2>&1 &
		LAPTOP_NM_PIDS+=("$!")
	done
	for n in "${LAPTOP_NM_LINKS[@]}"; do
		dhcpcd --nobackground "$n" >"$WORLD_DIR/nm-dhcpcd-$n.log" 2>&1 &
		LAPTOP_NM_PIDS+=("$!")
	done
	for n in "${wireless[@]}"; do
		_world_wait 30 "network manager: $n associated" _laptop_associated "$n" ||
			echo "network manager: $n did not associate"
	done
	for n in "${wired[@]}" "${wireless[@]}"; do
		if _world_wait 20 "network manager: a lease on $n" _laptop_has_v4 "$n"; then
			how+="$n: DHCP lease; "
			continue
		fi
		# A firewall may keep DHCP from working; a manual profile would
		# configure the link all the same.
		if [[ " ${wired[*]} " == *" $n "* ]]; then
			ip addr add 192.168.1.77/24 dev "$n"
		else
			ip addr add 192.168.50.77/24 dev "$n"
		fi
		how+="$n: static IPv4 (no lease in 20 s); "
	done
	# IPv6 as a manual profile would add it: on-link prefixes, so IPv6
	# does not depend on router advertisements reaching main.
	for n in "${wired[@]}"; do ip -6 addr add fd00:1::77/64 dev "$n" nodad; done
	for n in "${wireless[@]}"; do ip -6 addr add fd00:50::77/64 dev "$n" nodad; done
	echo "network manager: ${how% }"
}

# PID and its descendants (dhcpcd's privilege-separation helpers).
laptop_tree() { # PID
	ps -e -o pid=,ppid= | awk -v r="$1" '{ parent[$1] = $2 }
		END { for (p in parent) for (q = p; q != "" && q > 1; q = parent[q])
			if (q == r) { print p; break } }'
}

# SIGTERM, then (after 3 s) SIGKILL to whatever of its tree is left.
laptop_stop_tree() { # PID
	local tree p
	tree=$(laptop_tree "$1")
	kill -TERM "$1" 2>/dev/null
	_world_wait 3 "pid $1 to exit" _world_gone "$1" >/dev/null 2>&1
	for p in $tree; do
		laptop_alive "$p" && kill -KILL "$p" 2>/dev/null
	done
	wait "$1" 2>/dev/null
	return 0
}

laptop_nm_stop() {
	local p n
	for p in "${LAPTOP_NM_PIDS[@]}"; do laptop_stop_tree "$p"; done
	LAPTOP_NM_PIDS=()
	for n in "${LAPTOP_NM_LINKS[@]}"; do
		[[ -e /sys/class/net/$n ]] || continue
		ip addr flush dev "$n" scope global 2>/dev/null
		ip route flush dev "$n" 2>/dev/null
		ip -6 route flush dev "$n" 2>/dev/null
		ip link set "$n" down 2>/dev/null
	done
	LAPTOP_NM_LINKS=()
	return 0
}

# --- leak captures ----------------------------------------------------------

leak_start() { # NAME
	world_sniff_start "$1-lan" lan eth1 && world_sniff_start "$1-air" air wlan1
}

leak_stop() { # NAME
	local rc=0
	world_sniff_stop "$1-lan" || rc=1
	world_sniff_stop "$1-air" || rc=1
	return "$rc"
}

# The capturing side's own MACs: whatever else the capture holds, the
# laptop sent (the LAN's segment has only eth0 and eth1; the café's air has
# only the laptop's stations and the access point). Read once.
declare -A _leak_self=()
_leak_self_of() { # SIDE
	local ns=$1 dev
	[[ $ns == lan ]] && dev=eth1 || dev=wlan1
	[[ -n ${_leak_self[$ns]-} ]] ||
		_leak_self[$ns]=$(ip -n "$ns" -j link show dev "$dev" | jq -r '.[0].address')
	echo "${_leak_self[$ns]}"
}

leak_count() { # NAME [--after US] [SIDE...]: "SIDE CLASS N" lines
	local name=$1 side
	local -a opts=() args=()
	shift
	if [[ ${1-} == --after ]]; then opts=(--after "$2"); shift 2; fi
	(($#)) || set -- lan air
	for side in "$@"; do
		_leak_self_of "$side" >/dev/null
		args+=("$side=$WORLD_DIR/$name-$side.pcap,${_leak_self[$side]}")
	done
	"$LEAKCHECK" count --endpoint "$WORLD_ENDPOINT" "${opts[@]}" "${args[@]}"
}

leak_probe() { # [NETNS_PATH]
	local where=${1:--} out n
	if [[ $where == - ]]; then
		out=$("$LEAKCHECK" probe --linger 1 --resolver "${LEAK_TARGETS[@]}")
	else
		out=$(nsenter --net="$where" "$LEAKCHECK" probe --linger 1 "${LEAK_TARGETS[@]}")
	fi
	echo "$out"
	n=$(grep -c ' sent$\| E[A-Z]*$' <<<"$out")
	# Four kinds to each target: anything less means the probe broke.
	((n == 4 * ${#LEAK_TARGETS[@]}))
}

leak_none() { # DESC NAME [AFTER_US]
	local desc=$1 name=$2 out n
	local -a after=()
	[[ -n ${3-} ]] && after=(--after "$3")
	out=$(leak_count "$name" "${after[@]}") || { not_ok "$desc" "counting failed: $out"; return 1; }
	n=$(awk '$2 == "plaintext" { n += $3; f = 1 } END { print f ? n : "unknown" }' <<<"$out")
	diag "leaks ($name): $(awk '$2 == "plaintext" { printf "%s %s  ", $1, $3 }' <<<"$out")"
	if [[ $n == 0 ]]; then
		ok "$desc"
	else
		not_ok "$desc" "$(awk '$3 != "0"' <<<"$out")"
		return 1
	fi
}

_leak_seen_all() { # NAME SIDE...: every leak kind counted on every SIDE
	local name=$1 out missing
	shift
	out=$(leak_count "$name" "$@") || return 1
	missing=$(awk -v sides="$*" 'BEGIN { n = split(sides, s, " ")
			split("tcp4 udp4 icmp4 dns4 tcp6 udp6 icmp6 dns6", k, " ") }
		$3 > 0 { seen[$1 " " $2] = 1 }
		END { for (i = 1; i <= n; i++) for (j = 1; j <= 8; j++)
			if (!((s[i] " " k[j]) in seen)) printf " %s:%s", s[i], k[j] }' <<<"$out")
	[[ -z $missing ]] && return 0
	echo "not yet counted:$missing"
	return 1
}

_leak_control_try() { # NAME WHERE SIDE...
	local name=$1 where=$2
	shift 2
	leak_probe "$where" >"$WORLD_DIR/.probe" 2>&1
	_leak_seen_all "$name" "$@" || { sed 's/^/probe: /' "$WORLD_DIR/.probe"; return 1; }
}

leak_control() { # DESC NETNS_PATH SIDE...
	local desc=$1 where=$2 name=control$RANDOM rc
	shift 2
	leak_start "$name" || { not_ok "$desc" "the captures did not start"; return 1; }
	poll 30 "$desc" _leak_control_try "$name" "$where" "$@"
	rc=$?
	leak_stop "$name"
	return "$rc"
}

# --- the snapshot -----------------------------------------------------------

# Few processes (each costs a lot under TCG): four ip, one jq, one nft;
# the rest is read by bash itself.
laptop_snapshot() {
	local f l p comm
	{
		ip -d -j link show
		ip -j addr show
		ip -j -4 route show table main
		ip -j -6 route show table main
	} | jq -s -S '
		"== links", (.[0] | map({ifname, address, permaddr, mtu,
			kind: .linkinfo.info_kind, parent: .parentdev, master,
			up: (.flags | index("UP") != null)}) | sort_by(.ifname)),
		"== addresses", (.[1] | map({ifname, addr_info: [.addr_info[] |
			select(.scope != "link") | {family, local, prefixlen, scope}] | sort_by(.local)})
			| sort_by(.ifname)),
		"== IPv4 routes", (.[2] | map({dst, gateway, dev, protocol, scope, metric,
			prefsrc, type}) | sort_by(.dst, .dev)),
		"== IPv6 routes", (.[3] | map(select(.dst | startswith("fe80") | not) |
			{dst, gateway, dev, protocol, metric, type}) | sort_by(.dst, .dev))'
	echo "== phys and their interfaces"
	for f in /sys/class/ieee80211/*; do [[ -e $f ]] && echo "${f##*/}"; done
	for f in /sys/class/net/*/phy80211/name; do
		[[ -e $f ]] || continue
		read -r l <"$f"
		p=${f#/sys/class/net/}
		echo "${p%%/*} on $l"
	done
	echo "== resolv.conf"
	if [[ -e /etc/resolv.conf ]]; then
		while IFS= read -r l || [[ -n $l ]]; do echo "$l"; done </etc/resolv.conf
	else
		echo "(none)"
	fi
	while read -r _ _ _ _ p l _; do
		[[ $p == *resolv* || $p == *netns* ]] && echo "mount $p $l"
	done </proc/self/mountinfo
	echo "== /etc/netns /run/netns"
	for f in /etc/netns/* /run/netns/*; do [[ -e $f ]] && echo "$f"; done
	echo "== nftables"
	nft list ruleset 2>&1
	echo "== sysctl"
	for f in net/ipv4/ip_forward net/ipv6/conf/all/forwarding net/ipv6/conf/default/accept_ra; do
		read -r l <"/proc/sys/$f"
		echo "$f $l"
	done
	echo "== daemons in main"
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		case $comm in dhcpcd | wpa_supplicant | wgphys) ;; *) continue ;; esac
		[[ $p/ns/net -ef /proc/self/ns/net ]] && echo "$comm"
	done | sort | uniq -c
}

laptop_same() { # FILE
	laptop_snapshot >"$1.now" 2>&1
	diff -u "$1" "$1.now"
}

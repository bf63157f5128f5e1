# shellcheck shell=bash
# A small, realistic network for VM tests: a home LAN with a WireGuard
# server, a coffee-shop Wi-Fi routed to it, and the laptop (the guest's
# initial namespace) with one wired and one wireless NIC. Source this from a
# test running inside the VM (tests/vm/run), then call world_up/world_down.
#
#   netns "lan" (home router)                netns "air" (coffee shop)
#   +-----------------------------------+    +-------------------------------+
#   | eth1  192.168.1.1/24              |    | wlan1 (phy1 moved here)       |
#   |   dnsmasq: DHCP .100-.199, DNS    |    |   192.168.50.1/24             |
#   | wg0   10.100.0.1/24 fd00:100::1/64|    |   hostapd: open SSID "cafe",  |
#   |       10.100.0.53 (DNS, tunnel    |    |   channel 1                   |
#   |       only), listens UDP 51820    |    |   dnsmasq: DHCP .100-.199,DNS |
#   | TCP 7777: answers the peer addr   |    | world_cafe2_up adds:          |
#   |                                   |    | cafe2ap (radio phy-cafe2)     |
#   |                                   |    |   192.168.60.1/24, hostapd:   |
#   |                                   |    |   "cafe2" WPA2-PSK, channel 1 |
#   |                                   |    |   dnsmasq: DHCP, DNS: every   |
#   |                                   |    |   name is 192.168.60.1        |
#   |                                   |    |   portal.py on :80, nft       |
#   |                                   |    |   "inet portal" (see below)   |
#   | v-lan 10.99.0.1/30 <----- veth -------> v-air 10.99.0.2/30           |
#   |   route 192.168.50.0/24 via .2    |    |   default via 10.99.0.1       |
#   |   (and 192.168.60.0/24 via .2)    |    |                               |
#   +---|-------------------------------+    +------------------- ((radio)) -+
#       | QEMU hub: private, reaches nothing outside the VM          :
#   +---|--------------------------------------------------------((radio)) -+
#   | eth0 (virtio, wired)     laptop = initial netns      wlan0 (phy0)    |
#   |   left unconfigured: tests run dhcpcd, wpa_supplicant, wgphys there  |
#   +----------------------------------------------------------------------+
#
# Both dnsmasq instances answer vpn.lan with 192.168.1.1 (A only; they are
# authoritative for .lan and forward nothing), so an endpoint may be given by
# name. lan's dnsmasq logs each query with its source address, in
# $WORLD_DIR/lan-dnsmasq.log. The service on 7777 tells where a connection
# came from: 10.100.0.2 / fd00:100::2 through the tunnel, 192.168.1.x from
# the wired LAN, 192.168.50.x from the café; anything but the tunnel address
# is a leak.
#
# Defined here (nothing else is registered: no traps, no global options):
#   world_up            build it all; returns non-zero with a message if
#                       something did not come up
#   world_down          kill exactly the processes world_up started, delete
#                       the namespaces, wait for eth1 and the phy to return
#   world_ask ADDR [OPT...]
#                       connect to the service on ADDR:7777 (3 s bound) and
#                       print its answer (the peer address, IPv6 in the
#                       compact form "ip" prints); OPT are extra socat
#                       address options (e.g. so-bindtodevice=wlan0)
#   world_sniff_start NAME NS IFACE
#                       tcpdump IFACE in NS to $WORLD_DIR/NAME.pcap
#   world_sniff_stop NAME
#                       stop that tcpdump, so counts are final
#   world_sniff_count NAME [FILTER...]
#                       print how many captured packets match FILTER
#                       (e.g. "ip host 192.168.1.150 and not udp port 51820"
#                       counts what leaked past the tunnel)
#   world_cafe2_up      a second café next to the first: an access point
#                       "cafe2" (WPA2-PSK) on a radio of its own, its own
#                       subnet and DHCP, and a captive portal (below). Call
#                       it after world_up and before wgphys up: the radio is
#                       created in the initial namespace (radios hear only
#                       radios created in the same one) and moved to "air"
#                       at once. world_down removes it.
#   _world_*            internal helpers
#
# The captive portal of cafe2 (all in "air"): its DNS (dnsmasq) answers every
# name with 192.168.60.1, except vpn.lan; tests/vm/portal.py answers every
# HTTP request on 192.168.60.1:80 with a login page and logs each one to
# $WORLD_DIR/portal.log; nftables table "inet portal" redirects port 80 of a
# client that has not accepted to the portal and forwards nothing of it.
# Posting "accept" adds the client to the set "inet portal allowed", which
# then passes. cafe2's dnsmasq logs its queries in $WORLD_DIR/cafe2-dnsmasq.log.
# Variables set by world_up (exported):
#   WORLD_DIR           /tmp/world: keys, configs, logs, pcaps, pids
#   WORLD_NS_LAN WORLD_NS_AIR      "lan", "air"
#   SERVER_PUB SERVER_PRIV_FILE    WireGuard server keys (in lan's wg0)
#   CLIENT_PUB CLIENT_PRIV_FILE    WireGuard client keys (for the laptop)
#   WORLD_WG_CONF       /tmp/world/wg0.conf, a wg-quick file for the laptop
#   WORLD_WPA_CONF      /etc/wpa_supplicant/wpa_supplicant-wlan0.conf
#   WORLD_ROUTER=192.168.1.1  WORLD_CAFE_ROUTER=192.168.50.1
#   WORLD_ENDPOINT=192.168.1.1:51820  WORLD_ENDPOINT_NAME=vpn.lan
#   WORLD_TUNNEL_SERVER=10.100.0.1  WORLD_TUNNEL_SERVER6=fd00:100::1
#   WORLD_TUNNEL_CLIENT=10.100.0.2  WORLD_TUNNEL_CLIENT6=fd00:100::2
#   WORLD_TUNNEL_DNS=10.100.0.53    WORLD_SERVICE_PORT=7777
#   WORLD_PIDS          array of the pids world_up started (not exported)
# And by world_cafe2_up:
#   WORLD_CAFE2_SSID=cafe2  WORLD_CAFE2_PSK      its passphrase
#   WORLD_CAFE2_IF      its access point's interface in "air"
#   WORLD_CAFE2_PHY     its radio's phy
#   WORLD_PORTAL=192.168.60.1  (router, DHCP, DNS and portal of cafe2)

WORLD_PIDS=()
_world_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Silent bounded poll (tests/lib.sh's poll prints TAP, which world_up must
# not). Usage: _world_wait SECONDS WHAT CMD...
_world_wait() {
	local secs=$1 what=$2 deadline
	shift 2
	deadline=$((${EPOCHREALTIME/[.,]/} + secs * 1000000))
	until "$@" >/dev/null 2>&1; do
		if ((${EPOCHREALTIME/[.,]/} >= deadline)); then
			echo "world: $what: not within ${secs} s" >&2
			return 1
		fi
		sleep 0.1
	done
}

# Starts CMD in NS ("-" for the laptop) in the background, logging to
# $WORLD_DIR/NAME.log. ip netns exec execs in place, so $! is the daemon.
_world_bg() {
	local name=$1 ns=$2
	shift 2
	if [[ $ns == - ]]; then
		"$@" >"$WORLD_DIR/$name.log" 2>&1 &
	else
		ip netns exec "$ns" "$@" >"$WORLD_DIR/$name.log" 2>&1 &
	fi
	WORLD_PIDS+=("$!")
	echo "$!" >"$WORLD_DIR/$name.pid"
}

# A zombie still passes kill -0, so read the state instead.
_world_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

_world_gone() {
	! _world_alive "$1"
}

_world_listening() { # ns proto(t|u) port
	[[ -n $(ip netns exec "$1" ss -Hln"$2" "sport = :$3") ]]
}

_world_log_tail() {
	local f
	for f in "$@"; do
		[[ -f $WORLD_DIR/$f.log ]] || continue
		echo "--- $f.log (tail)" >&2
		tail -n 15 "$WORLD_DIR/$f.log" >&2
	done
}

_world_dnsmasq() { # name ns listen-address... -- extra options...
	local name=$1 ns=$2 a
	local -a opts=()
	shift 2
	while (($#)) && [[ $1 != -- ]]; do
		opts+=("--listen-address=$1")
		shift
	done
	shift
	# --no-ping and rapid commit keep a lease under a second even under TCG;
	# authoritative makes a client asking for a stale lease get a quick answer.
	_world_bg "$name" "$ns" dnsmasq --conf-file=/dev/null --keep-in-foreground \
		--user=root --group=root --bind-interfaces "${opts[@]}" \
		--no-resolv --no-hosts --no-ping --dhcp-rapid-commit --dhcp-authoritative \
		--pid-file="$WORLD_DIR/$name.dnsmasq-pid" \
		--dhcp-leasefile="$WORLD_DIR/$name.leases" \
		--log-facility=- --log-dhcp --log-queries=extra \
		--local=/lan/ --address=/vpn.lan/192.168.1.1 "$@"
	for a in 53 67; do
		_world_wait 10 "$name listening on UDP $a" _world_listening "$ns" u "$a" ||
			{ _world_log_tail "$name"; return 1; }
	done
}

# /etc/wgphys.conf for the test world, wgphys's defaults otherwise
# (namespace physical, tunnel wg0, every NIC, dhcpcd, a wpa_supplicant per
# wireless link whose wpa_supplicant-IFNAME.conf exists).
#   world_wgphys_conf [RESTORE [CONFIG]]   RestoreOnDown (default no: main
#                                          after down is main before up),
#                                          the wg-quick file (default
#                                          $WORLD_WG_CONF)
world_wgphys_conf() {
	printf '[Physical]\nInterfaces = auto\nDHCP = dhcpcd\nRestoreOnDown = %s\n[Tunnel]\nConfig = %s\n' \
		"${1:-no}" "${2:-$WORLD_WG_CONF}" >/etc/wgphys.conf &&
		chmod 644 /etc/wgphys.conf
}

world_up() {
	local phy i
	if [[ ${WGPHYS_VM-} != 1 ]]; then
		echo "world: refusing to run outside the test VM (tests/vm/run sets WGPHYS_VM=1):" \
			"it moves eth1 and a wireless phy away" >&2
		return 1
	fi
	if [[ -e /run/netns/lan || -e /run/netns/air ]]; then
		echo "world: already up (netns lan or air exists)" >&2
		return 1
	fi
	export WORLD_DIR=/tmp/world WORLD_NS_LAN=lan WORLD_NS_AIR=air
	export WORLD_ROUTER=192.168.1.1 WORLD_CAFE_ROUTER=192.168.50.1
	export WORLD_ENDPOINT=192.168.1.1:51820 WORLD_ENDPOINT_NAME=vpn.lan
	export WORLD_TUNNEL_SERVER=10.100.0.1 WORLD_TUNNEL_SERVER6=fd00:100::1
	export WORLD_TUNNEL_CLIENT=10.100.0.2 WORLD_TUNNEL_CLIENT6=fd00:100::2
	export WORLD_TUNNEL_DNS=10.100.0.53 WORLD_SERVICE_PORT=7777
	export WORLD_WG_CONF=$WORLD_DIR/wg0.conf
	export WORLD_WPA_CONF=/etc/wpa_supplicant/wpa_supplicant-wlan0.conf
	rm -rf "$WORLD_DIR"
	mkdir -m 0700 "$WORLD_DIR" || return 1
	WORLD_PIDS=()

	# After a world_down the NIC and the phy come back asynchronously.
	_world_wait 10 "eth1 and wlan1 in the initial namespace" \
		test -e /sys/class/net/eth1 -a -e /sys/class/net/wlan1/phy80211/name || return 1
	phy=$(</sys/class/net/wlan1/phy80211/name)

	(
		umask 077
		wg genkey >"$WORLD_DIR/server.key" && wg genkey >"$WORLD_DIR/client.key"
	) || return 1
	export SERVER_PRIV_FILE=$WORLD_DIR/server.key CLIENT_PRIV_FILE=$WORLD_DIR/client.key
	SERVER_PUB=$(wg pubkey <"$SERVER_PRIV_FILE") || return 1
	CLIENT_PUB=$(wg pubkey <"$CLIENT_PRIV_FILE") || return 1
	export SERVER_PUB CLIENT_PUB

	ip netns add lan && ip netns add air || return 1
	for i in lan air; do
		ip -n "$i" link set lo up || return 1
		ip netns exec "$i" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
			return 1
	done

	# --- lan: router, DHCP/DNS, WireGuard server, the service
	ip link set eth1 netns lan &&
		ip -n lan addr add 192.168.1.1/24 dev eth1 &&
		ip -n lan link set eth1 up || return 1
	ip -n lan link add wg0 type wireguard &&
		ip netns exec lan wg set wg0 private-key "$SERVER_PRIV_FILE" listen-port 51820 \
			peer "$CLIENT_PUB" allowed-ips 10.100.0.2/32,fd00:100::2/128 &&
		ip -n lan addr add 10.100.0.1/24 dev wg0 &&
		ip -n lan addr add 10.100.0.53/32 dev wg0 &&
		ip -n lan addr add fd00:100::1/64 dev wg0 &&
		ip -n lan link set wg0 up || return 1
	_world_dnsmasq lan-dnsmasq lan 192.168.1.1 10.100.0.53 -- \
		--dhcp-range=192.168.1.100,192.168.1.199,255.255.255.0,1h \
		--dhcp-option=option:router,192.168.1.1 \
		--dhcp-option=option:dns-server,192.168.1.1 || return 1
	# One listener per family so IPv4 peers are not shown as ::ffff:a.b.c.d.
	# socat gives IPv6 peers as [fd00:0100:0000:...]; the answer script
	# prints them as "ip" would, so tests compare plain addresses.
	{
		echo '#!/bin/bash'
		declare -f _world_ip6_compact
		# shellcheck disable=SC2016 # expanded by the answer script
		echo 'a=${SOCAT_PEERADDR#[}; a=${a%]}; [[ $a == *:* ]] && a=$(_world_ip6_compact "$a"); echo "$a"'
	} >"$WORLD_DIR/answer.sh"
	_world_bg service4 lan socat TCP4-LISTEN:7777,fork,reuseaddr \
		SYSTEM:"exec bash $WORLD_DIR/answer.sh"
	_world_bg service6 lan socat TCP6-LISTEN:7777,fork,reuseaddr,ipv6only=1 \
		SYSTEM:"exec bash $WORLD_DIR/answer.sh"

	# --- air: the café, its access point and DHCP, routed to lan
	ip link add v-lan netns lan type veth peer name v-air netns air &&
		ip -n lan addr add 10.99.0.1/30 dev v-lan &&
		ip -n air addr add 10.99.0.2/30 dev v-air &&
		ip -n lan link set v-lan up &&
		ip -n air link set v-air up &&
		ip -n lan route add 192.168.50.0/24 via 10.99.0.2 &&
		ip -n air route add default via 10.99.0.1 || return 1
	iw phy "$phy" set netns name air || return 1
	cat >"$WORLD_DIR/hostapd.conf" <<-EOF
		interface=wlan1
		driver=nl80211
		ssid=cafe
		hw_mode=g
		channel=1
		ctrl_interface=$WORLD_DIR/hostapd
	EOF
	ip -n air addr add 192.168.50.1/24 dev wlan1 || return 1
	_world_bg hostapd air hostapd "$WORLD_DIR/hostapd.conf"
	_world_wait 20 "hostapd serving cafe on wlan1" _world_ap_ready ||
		{ _world_log_tail hostapd; return 1; }
	# dnsmasq binds 192.168.50.1, which is usable only once wlan1 is up.
	_world_dnsmasq air-dnsmasq air 192.168.50.1 -- \
		--dhcp-range=192.168.50.100,192.168.50.199,255.255.255.0,1h \
		--dhcp-option=option:router,192.168.50.1 \
		--dhcp-option=option:dns-server,192.168.50.1 || return 1

	for i in 4 6; do
		_world_wait 10 "service listening (IPv$i)" _world_service_ready "$i" ||
			{ _world_log_tail "service$i"; return 1; }
	done

	# --- the laptop's configuration files, left for the tests to use
	(
		umask 077
		cat >"$WORLD_WG_CONF" <<-EOF
			[Interface]
			PrivateKey = $(<"$CLIENT_PRIV_FILE")
			Address = 10.100.0.2/32, fd00:100::2/128
			DNS = 10.100.0.53

			[Peer]
			PublicKey = $SERVER_PUB
			Endpoint = 192.168.1.1:51820
			AllowedIPs = 0.0.0.0/0, ::/0
			PersistentKeepalive = 25
		EOF
	) || return 1
	mkdir -p "${WORLD_WPA_CONF%/*}"
	# scan_freq: only channel 1 exists here, and a full scan costs seconds
	# under TCG.
	cat >"$WORLD_WPA_CONF" <<-EOF || return 1
		ctrl_interface=/run/wpa_supplicant
		network={
		    ssid="cafe"
		    key_mgmt=NONE
		    scan_freq=2412
		}
	EOF
}

# Full IPv6 address to RFC 5952 form: fd00:0100:0:0:0:0:0:0002 -> fd00:100::2
_world_ip6_compact() {
	local -a g
	local i run=0 best=0 at=-1 out=
	IFS=: read -ra g <<<"$1"
	for i in "${!g[@]}"; do
		printf -v 'g[i]' '%x' "$((16#${g[i]:-0}))"
	done
	# The longest run of two or more zero groups becomes "::".
	for i in "${!g[@]}"; do
		if [[ ${g[i]} == 0 ]]; then
			run=$((run + 1))
			((run > best)) && best=$run at=$((i - run + 1))
		else
			run=0
		fi
	done
	if ((best < 2)); then
		(IFS=:; echo "${g[*]}")
		return
	fi
	for ((i = 0; i < at; i++)); do out+=${out:+:}${g[i]}; done
	out+=::
	local tail=
	for ((i = at + best; i < ${#g[@]}; i++)); do tail+=${tail:+:}${g[i]}; done
	echo "$out$tail"
}

_world_ap_ready() {
	[[ -S $WORLD_DIR/hostapd/wlan1 ]] &&
		ip netns exec air iw dev wlan1 info | grep -q 'type AP'
}

_world_service_ready() { # 4|6
	[[ -n $(ip netns exec lan ss -Hltn"$1" 'sport = :7777') ]]
}

world_ask() { # ADDR [socat address options...]
	local addr=$1 opt=
	shift
	[[ $addr == *:* ]] && addr="[$addr]"
	(($#)) && opt=$(printf ',%s' "$@")
	# -u: read until the service closes; a bidirectional socat would give up
	# half a second after its own stdin hit EOF, before a slow answer came.
	timeout 5 socat -u -T 3 "TCP:$addr:7777,connect-timeout=3$opt" - </dev/null
}

# --immediate-mode and -U: packets reach the pcap as they arrive, not in
# libpcap's one-second blocks. -Z root: /tmp/world is root's alone.
world_sniff_start() { # NAME NS IFACE
	_world_bg "sniff-$1" "$2" tcpdump -n -U --immediate-mode -Z root -i "$3" \
		-w "$WORLD_DIR/$1.pcap"
	_world_wait 10 "tcpdump on $3 in $2" grep -q 'listening on' "$WORLD_DIR/sniff-$1.log" ||
		{ _world_log_tail "sniff-$1"; return 1; }
}

world_sniff_stop() { # NAME
	local pid
	pid=$(<"$WORLD_DIR/sniff-$1.pid") || return 1
	kill -TERM "$pid" 2>/dev/null
	_world_wait 5 "tcpdump $1 to exit" _world_gone "$pid" || { kill -KILL "$pid"; return 1; }
	wait "$pid" 2>/dev/null
	return 0
}

world_sniff_count() { # NAME [FILTER...]
	local name=$1
	shift
	tcpdump -n -r "$WORLD_DIR/$name.pcap" "$@" 2>/dev/null | wc -l
}

world_down() {
	local pid ns left rc=0
	for pid in "${WORLD_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${WORLD_PIDS[@]}"; do
		if ! _world_wait 5 "pid $pid to exit" _world_gone "$pid"; then
			kill -KILL "$pid" 2>/dev/null
			rc=1
		fi
		wait "$pid" 2>/dev/null
	done
	WORLD_PIDS=()
	# cafe2's radio would come back to the initial namespace, next to the
	# laptop's: it goes instead.
	if [[ -n ${WORLD_CAFE2_PHY-} ]]; then
		ip netns exec air "$_world_here/hwsim-radio" del "$WORLD_CAFE2_PHY" ||
			"$_world_here/hwsim-radio" del "$WORLD_CAFE2_PHY" || rc=1
		WORLD_CAFE2_PHY=
	fi
	for ns in lan air; do
		[[ -e /run/netns/$ns ]] || continue
		# A process left in a namespace keeps it, and so eth1 or the phy,
		# alive. It is not ours to kill: name it.
		left=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		if [[ -n $left ]]; then
			echo "world: processes still in netns $ns: $left" >&2
			rc=1
		fi
		ip netns del "$ns" || rc=1
	done
	_world_wait 10 "eth1 and wlan1 back in the initial namespace" \
		test -e /sys/class/net/eth1 -a -e /sys/class/net/wlan1 || rc=1
	return "$rc"
}

_world_cafe2_ready() {
	[[ -S $WORLD_DIR/hostapd-cafe2/$WORLD_CAFE2_IF ]] &&
		ip netns exec air iw dev "$WORLD_CAFE2_IF" info | grep -q 'type AP'
}

_world_portal_ready() {
	[[ -n $(ip netns exec air ss -Hltn 'sport = :80') ]]
}

_world_portal_dns_ready() {
	[[ -n $(ip netns exec air ss -Hlun 'src 192.168.60.1:53') ]]
}

# The café's firewall: a client that has not accepted reaches the portal's
# DNS, DHCP and HTTP, has any port 80 it asks for answered by the portal,
# and has nothing forwarded. Accepting adds it to @allowed.
_world_portal_rules() {
	local ifn=$WORLD_CAFE2_IF
	ip netns exec air nft -f - <<-EOF
		table inet portal {
			set allowed { type ipv4_addr; }
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				iifname "$ifn" ip saddr != @allowed ip daddr != $WORLD_PORTAL tcp dport 80 dnat ip to $WORLD_PORTAL:80
			}
			chain forward {
				type filter hook forward priority filter; policy accept;
				iifname "$ifn" ip saddr @allowed accept
				iifname "$ifn" counter drop comment "held"
			}
			chain input {
				type filter hook input priority filter; policy accept;
				iifname "$ifn" udp dport { 53, 67 } accept
				iifname "$ifn" tcp dport { 53, 80 } accept
				iifname "$ifn" meta l4proto { icmp, ipv6-icmp } accept
				iifname "$ifn" counter drop
			}
		}
	EOF
}

world_cafe2_up() {
	local phy ifn
	[[ -n ${WORLD_DIR-} && -e /run/netns/air ]] ||
		{ echo "world: world_cafe2_up needs world_up first" >&2; return 1; }
	export WORLD_CAFE2_SSID=cafe2 WORLD_CAFE2_PSK=espresso-with-a-view
	export WORLD_PORTAL=192.168.60.1 WORLD_CAFE2_IF=cafe2ap
	phy=$("$_world_here/hwsim-radio" add --name phy-cafe2) || return 1
	export WORLD_CAFE2_PHY=$phy
	_world_wait 10 "the netdev of $phy" bash -c "ls /sys/class/ieee80211/$phy/device/net/ | grep -q ." ||
		return 1
	# Its name is only known after the move: one that clashes there (the
	# café's wlan1) is changed by the kernel.
	iw phy "$phy" set netns name air || return 1
	ifn=$(ip netns exec air ls "/sys/class/ieee80211/$phy/device/net/") || return 1
	ip -n air link set "$ifn" down &&
		ip -n air link set "$ifn" name "$WORLD_CAFE2_IF" &&
		ip -n air addr add 192.168.60.1/24 dev "$WORLD_CAFE2_IF" &&
		ip -n lan route add 192.168.60.0/24 via 10.99.0.2 || return 1
	cat >"$WORLD_DIR/hostapd-cafe2.conf" <<-EOF
		interface=$WORLD_CAFE2_IF
		driver=nl80211
		ssid=$WORLD_CAFE2_SSID
		hw_mode=g
		channel=1
		wpa=2
		wpa_key_mgmt=WPA-PSK
		rsn_pairwise=CCMP
		wpa_passphrase=$WORLD_CAFE2_PSK
		ctrl_interface=$WORLD_DIR/hostapd-cafe2
	EOF
	_world_portal_rules || return 1
	_world_bg hostapd-cafe2 air hostapd "$WORLD_DIR/hostapd-cafe2.conf"
	_world_wait 20 "hostapd serving cafe2 on $WORLD_CAFE2_IF" _world_cafe2_ready ||
		{ _world_log_tail hostapd-cafe2; return 1; }
	# Every name is the portal's, but vpn.lan (given by _world_dnsmasq).
	_world_dnsmasq cafe2-dnsmasq air 192.168.60.1 -- \
		--dhcp-range=192.168.60.100,192.168.60.199,255.255.255.0,1h \
		--dhcp-option=option:router,192.168.60.1 \
		--dhcp-option=option:dns-server,192.168.60.1 \
		--address=/#/192.168.60.1 || return 1
	_world_wait 10 "cafe2's DNS on 192.168.60.1" _world_portal_dns_ready ||
		{ _world_log_tail cafe2-dnsmasq; return 1; }
	_world_bg portal-http air python3 "$_world_here/portal.py" --listen 192.168.60.1 \
		--log "$WORLD_DIR/portal.log" --nft-set "inet portal allowed"
	# Python starts slowly under TCG.
	_world_wait 60 "the portal listening on 192.168.60.1:80" _world_portal_ready ||
		{ _world_log_tail portal-http; return 1; }
}

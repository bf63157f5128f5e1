# shellcheck shell=bash
# How the café test and demo start Chromium (Debian's package) through
# `wgphys exec`: headless, and making no connection of its own. Source it;
# it defines only the array below.
#
# Each run also gets a fresh, empty --user-data-dir of its own. The first
# group is what Chromium offers as switches for its own traffic (background
# networking, component updates, sync, first run, extensions, default apps,
# crash reports, domain reliability, phishing checks, metrics, pings). Some
# of its services still ask for their host with those off (found with
# --log-net-log in Chromium 156): the network clock (clients2.google.com,
# a feature), HTTPS upgrades of a typed http:// URL (a feature), an
# on-demand component check (update.googleapis.com), the sign-in cookie
# check (accounts.google.com), the spelling dictionary (redirector.gvt1.com)
# and, a minute or so in, optimization hints
# (optimizationguide-pa.googleapis.com). The features are turned off; the
# domains of Google's services are made unknown to its resolver, so no
# query for them leaves the machine (a café's portal is not among them).
# shellcheck disable=SC2034 # used by whoever sources this
cafe_chromium_flags=(
	--headless
	--disable-gpu
	--no-first-run
	--no-default-browser-check
	--disable-background-networking
	--disable-component-update
	--disable-sync
	--disable-extensions
	--disable-default-apps
	--disable-breakpad
	--disable-domain-reliability
	--disable-client-side-phishing-detection
	--metrics-recording-only
	--no-pings
	--disable-features=NetworkTimeServiceQuerying,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,OptimizationGuideModelDownloading,OptimizationHintsFetching,MediaRouter,Translate,CertificateTransparencyComponentUpdater
	"--host-resolver-rules=MAP *.google.com ~NOTFOUND, MAP *.googleapis.com ~NOTFOUND, MAP *.gvt1.com ~NOTFOUND"
)

#!/usr/bin/env bash
# Installs the Debian packages the tests start as real peers, when the machine lacks them: run by
# `npm test` (its pretest step) and by .ci/run, so both pass on a fresh Debian machine.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)   # browser tests (playwright-core drives Debian's Chromium)
command -v tshark >/dev/null 2>&1 || need+=(tshark)  # pcapng exports are checked by tshark
# Real peers of the emulation lab and the campaign queue; each test starts its own on a free loopback port.
command -v kamailio >/dev/null 2>&1 || need+=(kamailio kamailio-websocket-modules kamailio-ims-modules kamailio-extra-modules)
# The IMS S-CSCF (ims_usrloc_scscf) needs presence's API: a machine that had kamailio before may lack it.
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so ] || need+=(kamailio-presence-modules)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "reglab tests need these Debian packages: ${need[*]}" >&2
    echo "install them as root (sudo bash scripts/install-peers.sh, or sudo apt-get install ${need[*]}), then run npm test again" >&2
    exit 1
  fi
  echo "installing the tests' real peers: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # tshark asks whether non-root users may capture; preseed "no" so the install never waits.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections || true
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# NetFlow: point a MikroTik hotspot at NetFlow for RADIUS authentication, accounting and
# CoA/Disconnect. Edit the four values below, then paste into the router's terminal or run
#   /import file-name=netflow-hotspot.rsc
# Register the router in NetFlow with the same IP and secret first:
#   netflow router add --name <name> --ip <router address as NetFlow sees it> --secret <secret>

:local netflowAddress "192.0.2.10"
:local radiusSecret "change-me-to-a-long-random-secret"
:local routerAddress "192.0.2.1"
:local hotspotProfile "hsprof1"

# RADIUS client. Leave require-message-auth at its RouterOS 7.15+ default (yes-for-request-resp):
# NetFlow signs every reply with Message-Authenticator (BlastRADIUS, CVE-2024-3596).
/radius add service=hotspot address=$netflowAddress secret=$radiusSecret src-address=$routerAddress \
    authentication-port=1812 accounting-port=1813 timeout=1100ms comment="NetFlow"

# Accept Disconnect/CoA from NetFlow, so expired or ended sessions are cut on time.
# RouterOS defaults to accept=no and port 1700; NetFlow sends to 3799 unless told otherwise.
/radius incoming set accept=yes port=3799

# Hotspot: ask RADIUS, send accounting, and take the interim interval NetFlow sends.
/ip hotspot profile set [find name=$hotspotProfile] use-radius=yes radius-accounting=yes \
    radius-interim-update=received login-by=http-chap,http-pap,mac-cookie nas-port-type=wireless-802.11

# Check: /radius monitor 0   (bad-replies rising means the secret differs from NetFlow's)

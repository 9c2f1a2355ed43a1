#!/usr/bin/python3
# A fake NAS built on pyrad (Debian python3-pyrad), an implementation independent of ours: it
# receives NetFlow's Disconnect-Request / CoA-Request, checks the Request Authenticator with
# pyrad's own VerifyCoARequest, prints what it decoded as one JSON line, and answers like
# RouterOS: ACK, or NAK with Error-Cause 503 when the session is unknown.
# usage: pyrad-nas.py SECRET COA_PORT SPARE_AUTH_PORT SPARE_ACCT_PORT KNOWN_SESSION_ID...
# (pyrad 2.1 cannot run with auth disabled, hence the spare ports; it has no Message-Authenticator
# support, so that attribute is decoded as plain octets and not checked here.)
import json, os, sys, tempfile
from pyrad import dictionary, packet, server

DICTIONARY = """
ATTRIBUTE User-Name 1 string
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE Framed-IP-Address 8 ipaddr
ATTRIBUTE Session-Timeout 27 integer
ATTRIBUTE Idle-Timeout 28 integer
ATTRIBUTE Calling-Station-Id 31 string
ATTRIBUTE Acct-Session-Id 44 string
ATTRIBUTE Event-Timestamp 55 integer
ATTRIBUTE Message-Authenticator 80 octets
ATTRIBUTE Error-Cause 101 integer
VENDOR Mikrotik 14988
BEGIN-VENDOR Mikrotik
ATTRIBUTE Mikrotik-Rate-Limit 8 string
END-VENDOR Mikrotik
"""

secret, coa_port, auth_port, acct_port = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
known = set(sys.argv[5:])

with tempfile.NamedTemporaryFile('w', suffix='.dict', delete=False) as f:
    f.write(DICTIONARY)
dictionary_file = f.name


class FakeNas(server.Server):
    def _answer(self, pkt, ack_code, nak_code):
        verified = pkt.VerifyCoARequest()
        attrs = {}
        for key in pkt.keys():
            name = key if isinstance(key, str) else str(key)
            values = pkt[key]
            attrs[name] = [v.hex() if isinstance(v, bytes) else v for v in values]
        session = pkt['Acct-Session-Id'][0] if 'Acct-Session-Id' in pkt else ''
        ok = verified and session in known
        print(json.dumps({'code': pkt.code, 'id': pkt.id, 'verified': verified, 'attributes': attrs}), flush=True)
        if not verified:
            return  # a NAS drops a request it cannot authenticate
        reply = self.CreateReplyPacket(pkt)
        reply.code = ack_code if ok else nak_code
        if not ok:
            reply['Error-Cause'] = 503
        self.SendReplyPacket(pkt.fd, reply)

    def HandleDisconnectPacket(self, pkt):
        self._answer(pkt, packet.DisconnectACK, packet.DisconnectNAK)

    def HandleCoaPacket(self, pkt):
        self._answer(pkt, packet.CoAACK, packet.CoANAK)


srv = FakeNas(addresses=['127.0.0.1'], authport=auth_port, acctport=acct_port, coaport=coa_port,
              hosts={'127.0.0.1': server.RemoteHost('127.0.0.1', secret, 'netflow')},
              dict=dictionary.Dictionary(dictionary_file), coa_enabled=True)
print(json.dumps({'ready': True}), flush=True)
srv.Run()

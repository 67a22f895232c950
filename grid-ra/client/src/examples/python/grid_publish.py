#!/usr/bin/env python3
"""A platform written in Python on the grid: slixmpp 1.8 (Debian's python3-slixmpp).

STARTTLS with the server checked against the grid CA, SASL EXTERNAL with a grid certificate (PEM: certificate and
key), then a XEP-0060 publish of an IODEF document to a Topic and a read-back of its newest item.

    openssl pkcs12 -in py1.p12 -nodes -out py1.pem
    python3 grid_publish.py py1@grid.local py1.pem config/target/node/data/grid/tls/ca.pem TOPIC incident.xml [-v]

SCRAM: slixmpp 1.8 knows only the tls-unique channel binding (absent from TLS 1.3; the grid offers
tls-server-end-point, XEP-0440), and then sends the GS2 flag "y", which a server that offers -PLUS must refuse
(RFC 5802 §6, a downgrade). Use EXTERNAL with it, or a library that does tls-server-end-point or sends "n".
"""
import logging
import sys
import xml.etree.ElementTree as ET

from slixmpp import ClientXMPP

BROKER = 'broker.grid.local'


class Platform(ClientXMPP):
    def __init__(self, jid, pem, ca, topic, document):
        super().__init__(jid, '', plugin_config={'feature_mechanisms': {'use_mech': 'EXTERNAL'}})
        self.ca_certs = ca
        self.certfile = self.keyfile = pem
        self.topic, self.document = topic, document
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0060')
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('failed_auth', lambda e: print('authentication refused'))

    async def start(self, event):
        print('authenticated as', self.boundjid)
        published = await self.plugin['xep_0060'].publish(BROKER, self.topic, payload=ET.fromstring(self.document))
        print('published item', published['pubsub']['publish']['item']['id'])
        items = await self.plugin['xep_0060'].get_items(BROKER, self.topic, max_items=1)
        print('the Topic answers with', len(items['pubsub']['items']), 'item')
        self.disconnect()


if __name__ == '__main__':
    logging.basicConfig(level=logging.DEBUG if '-v' in sys.argv else logging.WARNING)
    jid, pem, ca, topic, path = sys.argv[1:6]
    with open(path, encoding='utf-8') as f:
        platform = Platform(jid, pem, ca, topic, f.read())
    platform.connect(('127.0.0.1', 5222))
    platform.process(forever=False)

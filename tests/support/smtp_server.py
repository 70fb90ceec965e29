"""A real SMTP server (aiosmtpd) for tests/notify.rs.

Usage: smtp_server.py MODE PORT CERT KEY USER PASSWORD
MODE is "starttls" (STARTTLS required before anything else, AUTH required
and only over TLS) or "tls" (implicit TLS from the first byte, AUTH
required). Prints "ready" once listening, then one JSON line per message:
{"from", "to", "data", "tls", "user"}.
"""

import json
import ssl
import sys
import threading
import warnings

# aiosmtpd warns about AUTH over implicit TLS and a deprecated field it reads
# itself; neither is about what the tests check.
warnings.filterwarnings("ignore")

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

mode, port, cert, key, user, password = sys.argv[1:7]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)


def authenticate(server, session, envelope, mechanism, data):
    ok = (
        isinstance(data, LoginPassword)
        and data.login == user.encode()
        and data.password == password.encode()
    )
    return AuthResult(success=ok, auth_data=data if ok else None)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        data = session.auth_data
        login = data.login.decode() if isinstance(data, LoginPassword) else None
        line = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "tls": session.ssl is not None or mode == "tls",
            "user": login,
        }
        print(json.dumps(line), flush=True)
        return "250 OK"


common = dict(
    hostname="127.0.0.1",
    port=int(port),
    authenticator=authenticate,
    auth_required=True,
)
if mode == "starttls":
    controller = Controller(
        Handler(), tls_context=context, require_starttls=True, auth_require_tls=True, **common
    )
else:
    controller = Controller(Handler(), ssl_context=context, auth_require_tls=False, **common)
controller.start()
print("ready", flush=True)
threading.Event().wait()

"""An HTTPS webhook receiver for tests/notify.rs (Python's http.server over
ssl). Usage: https_receiver.py PORT CERT KEY FAILURES
Answers 500 to the first FAILURES POSTs and 204 to the rest. Prints
"ready", then one JSON line per POST: {"status", "headers", "body"}.
"""

import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, cert, key, failures = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = 0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        status = 500 if seen < failures else 204
        seen += 1
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        headers = {k.lower(): v for k, v in self.headers.items()}
        print(json.dumps({"status": status, "headers": headers, "body": body}), flush=True)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()

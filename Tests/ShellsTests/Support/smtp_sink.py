"""A real SMTP server on loopback for the mail tests (aiosmtpd): it accepts AUTH for one
user without TLS, and stores each message as NNNN.eml beside NNNN.json (envelope, login)."""
import argparse
import json
import os
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".json", "w") as handle:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "authenticated": bool(session.authenticated)}, handle)
        with open(base + ".tmp", "wb") as handle:
            handle.write(envelope.original_content or envelope.content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    args = parser.parse_args()

    def authenticate(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login.decode() == args.user \
            and data.password.decode() == args.password
        return AuthResult(success=ok, handled=False)

    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port,
                            authenticator=authenticate, auth_require_tls=False,
                            auth_required=bool(args.user))
    controller.start()
    print("READY", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()

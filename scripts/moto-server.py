"""moto in server mode, one request at a time.

moto's own `moto_server` serves requests on threads. Its DynamoDB transactions are not isolated
from other threads: a transaction backs up the whole table first and, when it fails, restores that
backup, erasing whatever other requests wrote meanwhile. DynamoDB serializes conflicting writes
and isolates transactions; serving one request at a time gives the emulator the same property,
so that race tests (test/integration/races.test.ts) test the control plane, not moto's threads.
The Python interpreter runs one thread at a time anyway, so little speed is lost.

IAM decides here as it does on AWS: trust policies on AssumeRole, explicit denies on role
sessions, 12-digit access keys as account roots (scripts/iam_enforcement.py says what and how).
CloudFormation custom resources backed by SNS run as on AWS (scripts/cfn_emulation.py).
CP_EMULATOR_IAM=off turns the policy evaluation off, for debugging only.

Usage: moto-server.py <host> <port>
"""

import os
import signal
import sys

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import iam_enforcement  # noqa: E402  (beside this file)
import cfn_emulation  # noqa: E402


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    iam_enforcement.install()
    # Custom resources whose ServiceToken is an SNS topic run as on AWS (the tenant template's
    # auto-registration); their ResponseURL points back at this server.
    cfn_emulation.install("127.0.0.1" if host in ("0.0.0.0", "localhost") else host, port)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()

"""Runs scim2-tester (PyPI) against a running dirgate and fails on any failed check.

Usage: run_tester.py BASE_URL TOKEN
BASE_URL is the SCIM root (http://host:port/scim/v2). Prints every check with its
status; exits 1 when a check ends in ERROR or CRITICAL (a violated MUST), 0 otherwise.
Driven by tests/scim2_tester.rs, which starts dirgate with bare login names allowed.
"""

import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILED = {Status.ERROR, Status.CRITICAL}


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    http = Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client, raise_exceptions=False)
    failed = 0
    for r in results:
        mark = "FAIL" if r.status in FAILED else "ok  "
        print(f"{mark} {r.status.name:<10} {r.title}: {r.reason or ''}")
        if r.status in FAILED:
            failed += 1
            if r.data is not None:
                print(f"      data: {str(r.data)[:600]}")
    print(f"{len(results)} checks, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

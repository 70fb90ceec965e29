#!/usr/bin/env python3
"""Test data for scripts/bench-ldap: the same entries for slapd and dirgate.

  gen_data.py data --users N --orgs M --out DIR
      DIR/data.ldif     base entry, M organizational units, N inetOrgPerson users
      DIR/binddns.txt   "DN<TAB>password" per user (ldclt randombinddnfromfile,
                        and the --creds file of examples/ldap_rebind.rs)
      DIR/logins.txt    "login<TAB>password" per user (plain list)
  gen_data.py new --users N --orgs M --out FILE [--prefix new]
      FILE              N new users uid={prefix}{i},ou=org{i%M},... for the ldapadd workload
  gen_data.py ssha PASSWORD
      prints {SSHA}base64(sha1(password + salt) + salt) with an 8-byte random salt

Users: uid=user{i},ou=org{i % M},dc=example,dc=com, cn "User {i}", sn "{i}",
mail user{i}@example.com, userPassword {SSHA} of "pass{i}".
"""
import argparse
import base64
import hashlib
import os
import sys

SUFFIX = "dc=example,dc=com"


def ssha(password: str) -> str:
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def user_entry(prefix: str, i: int, orgs: int) -> tuple[str, str, str]:
    uid = f"{prefix}{i}"
    pw = f"pass{i}"
    dn = f"uid={uid},ou=org{i % orgs},{SUFFIX}"
    text = (
        f"dn: {dn}\n"
        "objectClass: top\n"
        "objectClass: person\n"
        "objectClass: organizationalPerson\n"
        "objectClass: inetOrgPerson\n"
        f"uid: {uid}\n"
        f"cn: User {i}\n"
        f"sn: {i}\n"
        f"mail: {uid}@example.com\n"
        f"userPassword: {ssha(pw)}\n"
        "\n"
    )
    return dn, pw, text


def cmd_data(users: int, orgs: int, out: str) -> None:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "data.ldif"), "w", buffering=1 << 20) as ldif, \
         open(os.path.join(out, "binddns.txt"), "w", buffering=1 << 20) as binds, \
         open(os.path.join(out, "logins.txt"), "w", buffering=1 << 20) as logins:
        ldif.write(
            f"dn: {SUFFIX}\n"
            "objectClass: top\n"
            "objectClass: dcObject\n"
            "objectClass: organization\n"
            "dc: example\n"
            "o: Example\n"
            "\n"
        )
        for j in range(orgs):
            ldif.write(
                f"dn: ou=org{j},{SUFFIX}\n"
                "objectClass: top\n"
                "objectClass: organizationalUnit\n"
                f"ou: org{j}\n"
                "\n"
            )
        for i in range(users):
            dn, pw, text = user_entry("user", i, orgs)
            ldif.write(text)
            binds.write(f"{dn}\t{pw}\n")
            logins.write(f"user{i}\t{pw}\n")


def cmd_new(users: int, orgs: int, out: str, prefix: str) -> None:
    with open(out, "w", buffering=1 << 20) as ldif:
        for i in range(users):
            ldif.write(user_entry(prefix, i, orgs)[2])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("data", "new"):
        s = sub.add_parser(name)
        s.add_argument("--users", type=int, required=True)
        s.add_argument("--orgs", type=int, required=True)
        s.add_argument("--out", required=True)
        if name == "new":
            s.add_argument("--prefix", default="new", help="uid prefix (default new)")
    s = sub.add_parser("ssha")
    s.add_argument("password")
    a = p.parse_args()
    if a.cmd in ("data", "new") and (a.users < 1 or a.orgs < 1):
        p.error("--users and --orgs must be at least 1")
    if a.cmd == "data":
        cmd_data(a.users, a.orgs, a.out)
    elif a.cmd == "new":
        cmd_new(a.users, a.orgs, a.out, a.prefix)
    else:
        print(ssha(a.password))
    return 0


if __name__ == "__main__":
    sys.exit(main())

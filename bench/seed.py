"""Bulk bench users in one process: agents with an unusable password and a token, rooms, members.

Argon2 hashing thousands of passwords would take minutes, so users get an unusable password
and log in with a personal token (the socket's ``Authorization: Bearer``), created with the
same digest as ``token_create``. Reads a JSON spec on stdin, prints the JSON result last:

    {"groups": [{"name": "s1_1000", "rooms": 1, "members": 1000}, ...]}
    -> {"groups": {"s1_1000": [{"room": 7, "members": [[user_id, token], ...]}]}}
"""

from __future__ import annotations

import json
import secrets
import sys


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from backend.accounts.models import ApiToken, Organisation, User
    from backend.accounts.services import TOKEN_PREFIX, token_digest
    from backend.rooms.models import Membership, Room

    spec = json.load(sys.stdin)
    tag = secrets.token_hex(3)
    out: dict[str, list[dict]] = {}
    unusable = make_password(None)
    with transaction.atomic():
        org = Organisation.objects.create(name=f"Banc d'essai {tag}")
        for group in spec["groups"]:
            name, n_rooms, n_members = group["name"], group["rooms"], group["members"]
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"{name}-{i}-{tag}@bench.test",
                        name=f"Agent {name} {i}",
                        organisation=org,
                        is_verified=True,
                        password=unusable,
                    )
                    for i in range(n_rooms * n_members)
                ],
                batch_size=2000,
            )
            tokens = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in users]
            ApiToken.objects.bulk_create(
                [
                    ApiToken(user=u, digest=token_digest(t), prefix=t[:12], name="bench")
                    for u, t in zip(users, tokens, strict=True)
                ],
                batch_size=2000,
            )
            rooms = Room.objects.bulk_create(
                [
                    Room(name=f"{name} {r}", kind="private", access="invite", created_by=users[0])
                    for r in range(n_rooms)
                ]
            )
            memberships = []
            result = []
            for r, room in enumerate(rooms):
                members = list(range(r * n_members, (r + 1) * n_members))
                memberships += [
                    Membership(
                        room=room, user=users[i], role="owner" if i == members[0] else "member"
                    )
                    for i in members
                ]
                result.append(
                    {"room": room.pk, "members": [[users[i].pk, tokens[i]] for i in members]}
                )
            Membership.objects.bulk_create(memberships, batch_size=5000)
            out[name] = result
    print(json.dumps({"groups": out}))


if __name__ == "__main__":
    main()

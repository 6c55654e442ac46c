"""@Name and @salon mentions: who a message speaks to, for the inbox and unread counts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import Forbidden
from backend.rooms.access import is_moderator
from backend.rooms.models import Membership

from ..models import Mention, Message

EVERYONE = ("salon", "room", "tous")
# In rooms larger than this, only moderators may notify everyone with @salon.
EVERYONE_OPEN_UP_TO = 30


def _boundary(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] in "_-")


def mentioned_in(body: str, members: list[tuple[int, str]]) -> tuple[set[int], bool]:
    """Members named after an ``@`` (longest name first), and whether @salon was used."""
    names = sorted(
        ((name.casefold(), uid) for uid, name in members if name),
        reverse=True,
        key=lambda item: len(item[0]),
    )
    folded = body.casefold()
    found: set[int] = set()
    everyone = False
    start = folded.find("@")
    while start != -1:
        rest = folded[start + 1 :]
        for word in EVERYONE:
            if rest.startswith(word) and _boundary(rest, len(word)):
                everyone = True
        for name, uid in names:
            if rest.startswith(name) and _boundary(rest, len(name)):
                found.add(uid)
                break
        start = folded.find("@", start + 1)
    return found, everyone


def mentions_record(*, actor: User, message: Message, membership: Membership | None) -> list[int]:
    """Create the mention rows of a new or edited message; returns the mentioned user ids."""
    if "@" not in message.body:
        return []
    members = list(
        Membership.objects.filter(room_id=message.room_id).values_list("user_id", "user__name")
    )
    named, everyone = mentioned_in(message.body, members)
    if everyone:
        if len(members) > EVERYONE_OPEN_UP_TO and not is_moderator(
            user=actor, membership=membership
        ):
            raise Forbidden(
                _(
                    "Dans un salon de plus de %(n)d membres, seuls les modérateurs peuvent "
                    "mentionner @salon."
                )
                % {"n": EVERYONE_OPEN_UP_TO},
                reason="everyone_mention_forbidden",
            )
        targets = {uid for uid, _name in members}
    else:
        targets = named
    targets.discard(actor.pk)
    existing = set(Mention.objects.filter(message=message).values_list("user_id", flat=True))
    Mention.objects.bulk_create(
        [
            Mention(
                message=message,
                user_id=uid,
                room_id=message.room_id,
                seq=message.seq,
                everyone=everyone and uid not in named,
            )
            for uid in sorted(targets - existing)
        ]
    )
    return sorted(targets | existing)

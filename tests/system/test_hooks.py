"""Real webhook clients (slack_sdk, Apprise) posting to a real `preau serve`, seen live."""

from __future__ import annotations

import asyncio

import apprise
import pytest
from slack_sdk.webhook import WebhookClient

from tests.system.harness import Deployment, Socket

pytestmark = [pytest.mark.system, pytest.mark.xdist_group("system")]


def created(room: int):  # type: ignore[no-untyped-def]
    return lambda f: (
        f.get("type") == "event" and f["room"] == room and f["event"] == "message.created"
    )


def hooked_room(d: Deployment, owner) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A private room of ``owner`` with a bot granted in it, and the secret of its hook."""
    room = d.api(
        "POST",
        "/rooms",
        {"name": "Supervision", "kind": "private", "access": "invite"},
        token=owner.token,
    )["id"]
    bot = d.api("POST", "/bots", {"name": "Vigie"}, token=owner.token)
    d.api("POST", f"/bots/{bot['id']}/grants", {"room": room}, token=owner.token)
    hook = d.api("POST", f"/bots/{bot['id']}/hooks", {"room": room}, token=owner.token)
    return room, hook["url"].rsplit("/hooks/", 1)[1]


async def test_slack_sdk_webhook_client_posts_text_attachments_and_blocks(deployment: Deployment):
    server = deployment.start("a")
    alice, olga = deployment.agents(
        ("alice@villeurbanne.test", "Alice"), ("olga@aude.test", "Olga")
    )
    room, secret = hooked_room(deployment, alice)
    member = await Socket.open(server.ws_url(), alice.token)
    outsider = await Socket.open(server.ws_url(), olga.token)
    client = WebhookClient(f"http://127.0.0.1:{server.port}/hooks/{secret}")

    response = await asyncio.to_thread(
        client.send,
        text="Repli : sauvegarde terminée",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "Sauvegarde"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Terminée* sans erreur"}},
        ],
        attachments=[
            {
                "title": "Rapport",
                "title_link": "https://dsi.example.fr/rapport/42",
                "text": "_42 Go_ copiés",
                "fields": [{"title": "Durée", "value": "12 min"}],
                "color": "good",
            }
        ],
    )

    assert (response.status_code, response.body) == (200, "ok")
    frame = await member.until(created(room))
    assert frame["data"]["body"] == (
        "**Sauvegarde**\n\n**Terminée** sans erreur\n\n"
        "🟢 **[Rapport](https://dsi.example.fr/rapport/42)**\n*42 Go* copiés\n**Durée** : 12 min"
    )
    assert frame["data"]["author"]["name"] == "Vigie"
    assert not [f for f in await outsider.quiet(1.0) if f.get("room") == room]
    refused = await asyncio.to_thread(
        client.send_dict, {"text": "ailleurs", "channel": "#salon-inconnu"}
    )
    assert refused.status_code == 404
    assert not [f for f in await member.quiet(0.5) if f.get("type") == "event"]
    for sock in (member, outsider):
        await sock.close()


async def test_apprise_mattermost_notifier_posts_to_the_hook(deployment: Deployment):
    server = deployment.start("a")
    (alice,) = deployment.agents(("alice@villeurbanne.test", "Alice"))
    room, secret = hooked_room(deployment, alice)
    member = await Socket.open(server.ws_url(), alice.token)
    notifier = apprise.Apprise()
    assert notifier.add(f"mmost://127.0.0.1:{server.port}/{secret}")

    sent = await asyncio.to_thread(notifier.notify, body="Disque /var plein à 95 %", title="Alerte")

    assert sent  # an AppriseResult, true when every notification was accepted
    frame = await member.until(created(room))
    assert "Disque /var plein à 95 %" in frame["data"]["body"]
    message = deployment.api("GET", f"/messages/{frame['data']['id']}", token=alice.token)
    assert message["meta"]["username"] == "Apprise"
    await member.close()

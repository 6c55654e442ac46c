"""Fiches pratiques over REST: source link, history, search, visibility, export."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditEntry
from backend.fiches import services
from backend.fiches.models import Fiche
from backend.moderation import moves
from backend.rooms import services as rooms

from .conftest import LINK, make_fiche, make_thread

pytestmark = pytest.mark.django_db


def test_a_fiche_made_from_a_thread_keeps_its_source_link(api_for, bob, alice, thread, themes):
    root, reply = thread
    api = api_for(bob)

    response = api.post(
        "/fiches",
        {
            "thread": reply.pk,  # a reply names its thread too
            "title": "Délibération budgétaire",
            "summary": "**Étapes** : rédiger, voter, transmettre.",
            "theme": "finances",
        },
    )

    assert response.status_code == 201, response.json_body
    fiche = response.json_body
    assert fiche["source"]["thread"] == root.pk
    assert fiche["source"]["messages"] == [root.pk, reply.pk]
    assert fiche["source"]["url"] == f"/#/room/{root.room_id}/message/{root.pk}"
    assert fiche["source"]["room"]["name"] == "Cellule budget"
    assert fiche["theme"] == {"slug": "finances", "name": "Finances locales"}
    assert [d["url"] for d in fiche["documents"]] == [LINK["url"]]
    credited = {c["name"]: (c["source_author"], c["editor"]) for c in fiche["contributors"]}
    assert credited == {"Alice Martin": (True, False), "Bob Durand": (True, True)}
    assert api.get(f"/fiches/{fiche['id']}").json_body["source"] == fiche["source"]


def test_chosen_messages_and_documents_make_the_fiche(api_for, bob, thread):
    root, reply = thread

    response = api_for(bob).post(
        "/fiches",
        {"messages": [reply.pk], "title": "Modèle", "summary": "Le modèle.", "document_urls": []},
    )

    assert response.status_code == 201, response.json_body
    assert response.json_body["source"]["messages"] == [reply.pk]
    assert response.json_body["source"]["thread"] is None
    assert response.json_body["documents"] == []
    credited = [c["name"] for c in response.json_body["contributors"]]
    assert credited == ["Bob Durand"]


def test_the_history_shows_who_changed_what(api_for, alice, bob, fiche):
    api = api_for(alice)

    response = api.patch(
        f"/fiches/{fiche.pk}",
        {
            "summary": "Une délibération du conseil fixe le budget.\nVote avant le 15 avril.",
            "note": "Date limite",
        },
    )

    assert response.status_code == 200, response.json_body
    assert response.json_body["revision_count"] == 2
    history = api.get(f"/fiches/{fiche.pk}/history").json_body
    assert [(r["number"], r["author"]["name"], r["changes"]) for r in history] == [
        (1, "Bob Durand", ["created"]),
        (2, "Alice Martin", ["summary"]),
    ]
    assert history[1]["note"] == "Date limite"
    assert "-Modèle en pièce jointe." in history[1]["summary_diff"]
    assert "+Vote avant le 15 avril." in history[1]["summary_diff"]
    assert history[0]["summary"].endswith("Modèle en pièce jointe.")
    editors = {c["name"]: c["editor"] for c in response.json_body["contributors"]}
    assert editors == {"Alice Martin": True, "Bob Durand": True}


def test_an_edit_that_changes_nothing_adds_no_revision(api_for, bob, fiche):
    response = api_for(bob).patch(f"/fiches/{fiche.pk}", {"title": fiche.title})

    assert response.status_code == 200
    assert fiche.revisions.count() == 1


def test_search_finds_a_word_of_the_summary_with_french_stemming(api_for, bob, fiche):
    api = api_for(bob)

    found = api.get("/fiches?q=délibérations").json_body
    unaccented = api.get("/fiches?q=deliberation").json_body
    missing = api.get("/fiches?q=piscine").json_body

    assert [r["id"] for r in found["results"]] == [fiche.pk]
    assert found["results"][0]["highlights"]
    assert [r["id"] for r in unaccented["results"]] == [fiche.pk]
    assert missing["total"] == 0


def test_the_knowledge_base_filters_by_theme_and_territory(
    api_for, bob, thread, themes, territories
):
    root, _reply = thread
    rh = make_fiche(bob, root, title="Entretiens annuels", theme="rh", territory="69266")
    finances = make_fiche(
        bob, root, title="Budget", theme="finances", territory="11", territory_level="region"
    )
    api = api_for(bob)

    by_theme = api.get("/fiches?theme=rh").json_body["results"]
    by_departement = api.get("/fiches?territory=69").json_body["results"]
    by_region = api.get("/fiches?territory=11").json_body["results"]

    assert [r["id"] for r in by_theme] == [rh.pk]
    assert [r["id"] for r in by_departement] == [rh.pk]
    assert [r["id"] for r in by_region] == [finances.pk]
    assert by_departement[0]["territory"]["name"] == "Villeurbanne"


def test_a_private_rooms_fiche_is_hidden_from_outsiders_until_published(
    api_for, alice, outsider, fiche
):
    stranger = api_for(outsider)

    for path in (
        f"/fiches/{fiche.pk}",
        f"/fiches/{fiche.pk}/history",
        f"/fiches/{fiche.pk}/export.md",
    ):
        assert stranger.get(path).status_code == 404, path
    assert stranger.patch(f"/fiches/{fiche.pk}", {"title": "Piraté"}).status_code == 404
    assert stranger.call("PUT", f"/fiches/{fiche.pk}/validation").status_code == 404
    assert stranger.call("PUT", f"/fiches/{fiche.pk}/publication").status_code == 404
    assert stranger.get("/fiches").json_body == {"query": "", "total": 0, "results": []}
    assert stranger.get("/fiches?q=délibération").json_body["total"] == 0
    assert Fiche.objects.get(pk=fiche.pk).title == fiche.title

    published = api_for(alice).call("PUT", f"/fiches/{fiche.pk}/publication")

    assert published.status_code == 200, published.json_body
    assert published.json_body["visibility"] == "all"
    seen = stranger.get(f"/fiches/{fiche.pk}")
    assert seen.status_code == 200
    assert seen.json_body["source"] == {"room": None, "thread": None, "messages": [], "url": None}
    assert [r["id"] for r in stranger.get("/fiches?q=délibérations").json_body["results"]] == [
        fiche.pk
    ]
    entry = AuditEntry.objects.get(action="fiche.published")
    assert (entry.actor_id, entry.target) == (alice.pk, f"fiche:{fiche.pk}")

    assert api_for(alice).delete(f"/fiches/{fiche.pk}/publication").status_code == 200
    assert stranger.get(f"/fiches/{fiche.pk}").status_code == 404
    assert AuditEntry.objects.filter(action="fiche.unpublished").count() == 1


def test_a_member_may_not_publish(api_for, bob, fiche):
    response = api_for(bob).call("PUT", f"/fiches/{fiche.pk}/publication")

    assert response.status_code == 403
    assert response.json_body["reason"] == "not_animateur"
    assert Fiche.objects.get(pk=fiche.pk).published_at is None


def test_a_fiche_follows_its_thread_when_the_thread_is_reclassified(
    api_for, alice, bob, outsider, open_room, private_room
):
    root, _reply = make_thread(open_room, alice, bob)
    fiche = make_fiche(bob, root)
    stranger = api_for(outsider)
    assert stranger.get(f"/fiches/{fiche.pk}").status_code == 200

    moves.messages_move(
        actor=alice, message_id=root.pk, room_id=private_room.pk, scope="thread", reason="RH"
    )

    assert stranger.get(f"/fiches/{fiche.pk}").status_code == 404
    assert stranger.get("/fiches").json_body["total"] == 0
    source = api_for(bob).get(f"/fiches/{fiche.pk}").json_body["source"]
    assert source["url"] == f"/#/room/{private_room.pk}/message/{root.pk}"


def test_the_markdown_export(api_for, bob, fiche):
    response = api_for(bob).get(f"/fiches/{fiche.pk}/export.md")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response["Content-Disposition"] == f'attachment; filename="fiche-{fiche.pk}.md"'
    text = response.content.decode()
    assert text.startswith("# Rédiger une délibération budgétaire\n")
    assert "## Synthèse\n\nUne délibération du conseil fixe le budget." in text
    assert f"- [Portail DGCL]({LINK['url']})" in text
    assert f"(http://testserver/#/room/{fiche.source_room_id}/message/{fiche.anchor_id})" in text
    assert "- Alice Martin (auteur de la conversation)" in text
    assert "- Bob Durand (auteur de la conversation, rédacteur)" in text
    assert "**Statut** : non validée" in text


def test_a_published_fiches_file_downloads_through_the_fiche(
    api_for, alice, bob, outsider, private_room
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend.messaging import services as messaging

    upload = messaging.attachment_upload(
        actor=alice, room_id=private_room.pk, upload=SimpleUploadedFile("modele.pdf", b"%PDF-1.4")
    )
    root = messaging.message_send(
        actor=alice, room_id=private_room.pk, body="Modèle", files=[upload.pk]
    ).message
    fiche = make_fiche(bob, root)
    stranger = api_for(outsider)
    path = f"/fiches/{fiche.pk}/files/{upload.pk}"
    assert stranger.get(path).status_code == 404

    services.fiche_publish(actor=alice, fiche_id=fiche.pk, published=True)

    documents = stranger.get(f"/fiches/{fiche.pk}").json_body["documents"]
    assert [d["url"] for d in documents] == [f"/api/v1{path}"]
    assert stranger.get(f"/files/{upload.pk}").status_code == 404
    # Last: a file response closes the test's database connection once read.
    assert stranger.get(path).status_code == 200


def test_an_outsider_cannot_make_a_fiche_of_a_private_thread(api_for, outsider, thread):
    response = api_for(outsider).post(
        "/fiches", {"thread": thread[0].pk, "title": "Volée", "summary": "Non."}
    )

    assert response.status_code == 404
    assert Fiche.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"title": "   "}, 400, None),
        ({"summary": ""}, 400, None),
        ({"title": "x" * 201}, 413, None),
        ({"summary": "x" * 20_001}, 413, None),
        ({"theme": "astronomie"}, 400, "unknown_theme"),
        ({"territory": "99999"}, 400, "unknown_territory"),
        ({"territory": "11"}, 400, "ambiguous_territory"),
        ({"territory": "123456"}, 400, "unknown_territory"),
        ({"document_urls": ["https://ailleurs.example/"]}, 400, "unknown_document"),
        ({"thread": None, "messages": []}, 400, "no_messages"),
        ({"thread": None}, 400, "no_source"),
        ({"messages": [987654321]}, 400, "not_in_thread"),
    ],
)
def test_bad_fiche_input_is_refused_and_changes_nothing(
    api_for, bob, thread, themes, territories, change, status, reason
):
    body = {"thread": thread[0].pk, "title": "Titre", "summary": "Synthèse", **change}

    response = api_for(bob).post("/fiches", {k: v for k, v in body.items() if v is not None})

    assert response.status_code == status, response.json_body
    assert response.json_body["message"]
    assert response.json_body.get("reason") == reason
    assert Fiche.objects.count() == 0


def test_messages_of_two_rooms_make_no_fiche(api_for, alice, bob, thread, open_room):
    other, _reply = make_thread(open_room, alice, bob)

    response = api_for(bob).post(
        "/fiches", {"messages": [thread[0].pk, other.pk], "title": "T", "summary": "S"}
    )

    assert response.status_code == 400
    assert response.json_body["reason"] == "not_same_room"
    assert Fiche.objects.count() == 0


def test_a_room_archived_or_left_hides_its_fiches_from_who_left(api_for, bob, alice, fiche):
    rooms.room_leave(actor=bob, room_id=fiche.source_room_id)

    assert api_for(bob).get(f"/fiches/{fiche.pk}").status_code == 404


def test_chosen_messages_of_a_room_i_cannot_read_are_404_and_make_nothing(
    api_for, outsider, thread, open_room, alice
):
    readable, _reply = make_thread(open_room, alice, alice)
    api = api_for(outsider)
    body = {"title": "Volée", "summary": "Non."}

    alone = api.post("/fiches", {**body, "messages": [thread[1].pk]})
    mixed = api.post("/fiches", {**body, "messages": [readable.pk, thread[0].pk]})
    missing = api.post("/fiches", {**body, "messages": [readable.pk, 987654321]})

    # A private message and one that does not exist get the same answer.
    assert [r.status_code for r in (alone, mixed, missing)] == [404, 404, 404]
    assert mixed.json_body == missing.json_body
    assert Fiche.objects.count() == 0


def test_chosen_messages_of_a_readable_room_make_a_fiche_with_their_source(
    api_for, bob, thread, alice
):
    response = api_for(bob).post(
        "/fiches",
        {"messages": [thread[1].pk, thread[0].pk], "title": "Modèle", "summary": "Le modèle."},
    )

    assert response.status_code == 201, response.json_body
    assert response.json_body["source"]["messages"] == [thread[0].pk, thread[1].pk]
    assert response.json_body["source"]["thread"] is None
    assert response.json_body["source"]["url"].endswith(f"/message/{thread[0].pk}")

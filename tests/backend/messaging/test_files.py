"""Uploaded files: limits, types from content, attachment to messages, and who may download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backend.accounts import services as accounts
from backend.messaging import services as messaging
from backend.messaging.models import Attachment
from backend.rooms.models import RoomEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Uploader:
    def __init__(self, user) -> None:  # type: ignore[no-untyped-def]
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {accounts.token_create(user=user).token}"}

    def upload(self, room_id: int, name: str, data: bytes):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1/rooms/{room_id}/files",
            {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
            headers=self.headers,
        )

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self.headers)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_file_is_uploaded_attached_and_downloaded_by_members(room, alice, bob, api_for):
    up = Uploader(alice)
    response = up.upload(room.pk, "rbf-2026.pdf", PDF)
    assert response.status_code == 201, response.content
    file = response.json()
    assert (file["name"], file["size"], file["content_type"]) == (
        "rbf-2026.pdf",
        len(PDF),
        "application/pdf",
    )
    sent = api_for(alice).post(
        f"/rooms/{room.pk}/messages", {"body": "Le RBF", "files": [file["id"]]}
    )
    assert sent.status_code == 201 and sent.json_body["files"] == [file]
    event = RoomEvent.objects.get(room=room, seq=sent.json_body["seq"])
    assert event.data["files"] == [file]
    download = Uploader(bob).get(file["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    download.close()


def test_the_type_comes_from_the_content_not_the_name(room, alice):
    up = Uploader(alice)
    as_pdf = up.upload(room.pk, "photo.png", PDF).json()
    assert as_pdf["content_type"] == "application/pdf"
    refused = up.upload(room.pk, "notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00binary")
    assert refused.status_code == 400 and refused.json()["reason"] == "file_type_refused"


def test_an_html_file_is_served_as_an_attachment_never_inline(room, alice):
    up = Uploader(alice)
    file = up.upload(room.pk, "page.html", b"<html><script>alert(1)</script></html>").json()
    assert file["content_type"] == "text/plain"
    messaging.message_send(actor=alice, room_id=room.pk, body="", files=[file["id"]])
    download = up.get(file["url"])
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"].startswith("text/plain")
    assert "sandbox" in download["Content-Security-Policy"]
    download.close()


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(room, alice, settings):
    settings.PREAU = {**settings.PREAU, "UPLOAD_MAX_BYTES": 1024}
    before = stored_files()
    up = Uploader(alice)
    small_envelope = up.upload(room.pk, "big.pdf", PDF + b"x" * 2000)
    assert small_envelope.status_code == 413 and small_envelope.json()["code"] == "too_large"
    huge = up.upload(room.pk, "huge.pdf", PDF + b"x" * 200_000)
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
    assert stored_files() == before
    assert not Attachment.objects.exists()


def test_a_file_of_a_room_one_cannot_read_is_not_found_even_with_its_url(room, alice, outsider):
    file = Uploader(alice).upload(room.pk, "secret.pdf", PDF).json()
    messaging.message_send(actor=alice, room_id=room.pk, body="secret", files=[file["id"]])
    stranger = Uploader(outsider)
    assert stranger.get(file["url"]).status_code == 404
    assert stranger.upload(room.pk, "x.pdf", PDF).status_code == 404


def test_an_unposted_file_is_only_for_its_uploader_and_only_once(room, alice, bob):
    file = Uploader(alice).upload(room.pk, "brouillon.pdf", PDF).json()
    assert Uploader(bob).get(file["url"]).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - NotFound from the service
        messaging.message_send(actor=bob, room_id=room.pk, body="vol", files=[file["id"]])
    messaging.message_send(actor=alice, room_id=room.pk, body="à moi", files=[file["id"]])
    with pytest.raises(Exception):  # noqa: B017
        messaging.message_send(actor=alice, room_id=room.pk, body="encore", files=[file["id"]])


def test_a_deleted_messages_files_are_no_longer_served(room, alice, bob):
    file = Uploader(alice).upload(room.pk, "a.pdf", PDF).json()
    message = messaging.message_send(
        actor=alice, room_id=room.pk, body="x", files=[file["id"]]
    ).message
    messaging.message_delete(actor=alice, message_id=message.pk)
    assert Uploader(bob).get(file["url"]).status_code == 404


def test_office_documents_are_recognised(room, alice):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    file = Uploader(alice).upload(room.pk, "compte-rendu.odt", data.getvalue()).json()
    assert file["content_type"] == "application/vnd.oasis.opendocument.text"


def test_the_documents_view_lists_links_and_files_newest_first(room, alice, bob, api_for, outsider):
    link = messaging.message_send(
        actor=alice,
        room_id=room.pk,
        body="lien",
        documents=[{"url": "https://www.collectivites-locales.gouv.fr/", "title": "DGCL"}],
    ).message
    file = Uploader(bob).upload(room.pk, "budget.pdf", PDF).json()
    messaging.message_send(actor=bob, room_id=room.pk, body="fichier", files=[file["id"]])
    messaging.message_send(actor=alice, room_id=room.pk, body="rien")
    listing = api_for(alice).get(f"/rooms/{room.pk}/documents").json_body
    assert [(d["type"], d["title"]) for d in listing] == [("file", "budget.pdf"), ("link", "DGCL")]
    assert listing[1]["message"] == link.pk
    only_links = api_for(alice).get(f"/rooms/{room.pk}/documents?type=link").json_body
    assert [d["title"] for d in only_links] == ["DGCL"]
    searched = api_for(alice).get(f"/rooms/{room.pk}/documents?q=budg").json_body
    assert [d["title"] for d in searched] == ["budget.pdf"]
    assert api_for(outsider).get(f"/rooms/{room.pk}/documents").status_code == 404


def test_a_threads_documents_view_lists_only_the_root_and_its_replies(room, alice, bob, api_for):
    def shared(user, title: str, **kw):  # type: ignore[no-untyped-def]
        url = f"https://www.service-public.fr/{title}"
        documents = [{"url": url, "title": title}]
        return messaging.message_send(
            actor=user, room_id=room.pk, body=title, documents=documents, **kw
        ).message

    root = shared(alice, "racine")
    shared(bob, "reponse", thread=root.pk)
    other = shared(alice, "autre-fil")
    shared(bob, "ailleurs", thread=other.pk)
    shared(alice, "salon")
    listing = api_for(alice).get(f"/rooms/{room.pk}/documents?thread={root.pk}").json_body
    assert [d["title"] for d in listing] == ["reponse", "racine"]
    everything = api_for(alice).get(f"/rooms/{room.pk}/documents").json_body
    assert len(everything) == 5

"""Contact import: one outcome per address; nothing kept about addresses outside every
organisation; bad files refused with a clear 4xx and nothing changed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.accounts.models import User
from backend.audit.models import AuditEntry
from backend.contacts.models import Contact, ContactInvitation
from backend.contacts.parsing import ENTRIES_MAX, FILE_MAX_BYTES
from tests.backend.conftest import row_counts

from .conftest import tables_holding

pytestmark = pytest.mark.django_db

OUTSIDE = "jean.dehors@exterieur-prive.test"
INVITABLE = "nouvelle.collegue@villeurbanne.test"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def upload(api, name, data, add=False):  # type: ignore[no-untyped-def]
    response = api.client.post(
        "/api/v1/contact-import/file" + ("?add=true" if add else ""),
        {"file": SimpleUploadedFile(name, data)},
        headers=api.headers,
    )
    response.json_body = response.json()
    return response


def outcomes(body):  # type: ignore[no-untyped-def]
    return {r["email"]: r["outcome"] for r in body["results"]}


def state():  # type: ignore[no-untyped-def]
    return {
        **row_counts(),
        "contacts": list(Contact.objects.values_list("owner_id", "contact_id")),
        "invitations": ContactInvitation.objects.count(),
        "audit": AuditEntry.objects.count(),
        "mail": len(mail.outbox),
    }


def test_a_csv_mixing_an_agent_a_registered_domain_and_an_outside_address(
    alice, bob, api_for, every_log
):
    api = api_for(alice)
    before = state()
    csv = (
        "Nom;Prénom;Courriel;Téléphone\n"
        f"Durand;Bob;{bob.email.upper()};0102030405\n"
        f"Collègue;Nouvelle;{INVITABLE};\n"
        f"Dehors;Jean;{OUTSIDE};\n"
    ).encode()

    response = upload(api, "carnet.csv", csv)

    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["format"] == "csv"
    assert outcomes(body) == {bob.email: "matched", INVITABLE: "invitable", OUTSIDE: "outside"}
    by_email = {r["email"]: r for r in body["results"]}
    assert by_email[bob.email]["user"] == {
        "id": bob.pk,
        "name": "Bob Durand",
        "job_title": "",
        "organisation": "Ville de Villeurbanne",
        "contact": False,
    }
    assert by_email[INVITABLE]["organisation"] == "Ville de Villeurbanne"
    assert by_email[INVITABLE]["user"] is None
    assert by_email[OUTSIDE]["user"] is None and by_email[OUTSIDE]["organisation"] is None
    assert body["counts"] == {"matched": 1, "invitable": 1, "outside": 1, "invalid": 0, "self": 0}
    # The preview changed nothing, sent nothing, and kept nothing about the two others.
    assert state() == before
    assert mail.outbox == []
    for address in (OUTSIDE, INVITABLE):
        assert tables_holding(address) == []
        assert address not in every_log.text
    assert tables_holding("exterieur-prive") == []
    assert "exterieur-prive" not in every_log.text


def test_importing_with_add_adds_the_matched_agents_only(alice, bob, outsider, api_for):
    api = api_for(alice)
    csv = f"email\n{bob.email}\n{outsider.email}\n{INVITABLE}\n{OUTSIDE}\n".encode()

    response = upload(api, "carnet.csv", csv, add=True)

    assert response.status_code == 200, response.json_body
    matched = [r["user"] for r in response.json_body["results"] if r["outcome"] == "matched"]
    assert {(u["id"], u["contact"]) for u in matched} == {(bob.pk, True), (outsider.pk, True)}
    assert set(Contact.objects.values_list("owner_id", "contact_id")) == {
        (alice.pk, bob.pk),
        (alice.pk, outsider.pk),
    }
    assert ContactInvitation.objects.count() == 0
    assert tables_holding(OUTSIDE) == []
    assert tables_holding(INVITABLE) == []
    # Importing again: same outcomes, nothing added twice.
    again = upload(api, "carnet.csv", csv, add=True)
    assert again.json_body["counts"]["matched"] == 2
    assert Contact.objects.count() == 2


def test_a_pasted_list_with_any_separators(alice, bob, outsider, api_for, org):
    pending = User.objects.create_user(
        email="pending@villeurbanne.test", password="x", name="En attente"
    )
    text = (
        f'"Durand, Bob" <{bob.email}>; {outsider.email.upper()}\n'
        f"Olivia <{outsider.email}>,{OUTSIDE}\n\n"
        f"pas-une-adresse ; {pending.email}\tmailto:{alice.email}\n"
        "x@@y.test, Quelqu'un sans adresse"
    )

    response = api_for(alice).post("/contact-import", {"text": text})

    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["format"] == "list"
    assert [(r["email"], r["outcome"]) for r in body["results"]] == [
        (bob.email, "matched"),
        (outsider.email, "matched"),
        (OUTSIDE, "outside"),
        # An account whose address was never verified is not told apart from no account.
        (pending.email, "invitable"),
        (alice.email, "self"),
        ("x@@y.test", "invalid"),
        ("pas-une-adresse", "invalid"),
        ("Quelqu'un sans adresse", "invalid"),
    ]
    assert body["duplicates"] == 1
    assert Contact.objects.count() == 0


def test_a_vcard_file_with_several_cards_and_addresses(alice, bob, outsider, api_for):
    vcf = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Durand\r\nN:Durand;Bob;;;\r\n"
        f"EMAIL;TYPE=WORK:{bob.email}\r\nEMAIL;TYPE=HOME:{OUTSIDE}\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Olivia\r\n"
        f"EMAIL:{outsider.email}\r\nEMAIL:{INVITABLE}\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sans adresse\r\nTEL:0102030405\r\nEND:VCARD\r\n"
    ).encode()

    response = upload(api_for(alice), "carnet.vcf", vcf)

    assert response.status_code == 200, response.json_body
    assert response.json_body["format"] == "vcard"
    assert outcomes(response.json_body) == {
        bob.email: "matched",
        OUTSIDE: "outside",
        outsider.email: "matched",
        INVITABLE: "invitable",
    }
    assert tables_holding(OUTSIDE) == []


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (f"Nom,E-mail\nBob,{{bob}}\nX,{OUTSIDE}\n".encode(), "virgules.csv"),
        ("\ufeffnom;adresse électronique\nBob;{bob}\n".encode(), "bom.csv"),
        ("Nom;Adresse mail\nBéatrice Hôtel;{bob}\n".encode("latin-1"), "latin1.csv"),
        (f"Bob;{{bob}};Villeurbanne\nX;{OUTSIDE};Ailleurs\n".encode(), "sans-entete.csv"),
        (f"{{bob}}\n{OUTSIDE}\n".encode(), "une-colonne.txt"),
    ],
)
def test_csv_variants_find_the_email_column(alice, bob, api_for, data, name):
    data = data.replace(b"{bob}", bob.email.encode())

    response = upload(api_for(alice), name, data)

    assert response.status_code == 200, response.json_body
    assert outcomes(response.json_body)[bob.email] == "matched"
    assert "bob" not in str([r for r in response.json_body["results"] if r["outcome"] == "invalid"])


def test_an_address_column_is_preferred_to_a_postal_address(alice, bob, api_for):
    data = f"Adresse;Ville;Courriel\n1 rue Haute;Lyon;{bob.email}\n".encode()

    response = upload(api_for(alice), "mixte.csv", data)

    assert outcomes(response.json_body) == {bob.email: "matched"}


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        (PNG, 400, "not_text"),
        (b"PK\x03\x04" + b"\x00" * 100, 400, "not_text"),  # a spreadsheet (zip)
        (b"abc\x00\x01\x02\xff", 400, "not_text"),
        (b"", 400, None),
        (b"Bonjour,\nceci est une lettre.\n", 400, "no_email_column"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nEND:VCARD\r\n", 400, "no_addresses"),
        (b"x" * (FILE_MAX_BYTES + 1), 413, "file_too_large"),
    ],
    ids=["png", "xlsx", "binary", "empty", "not-csv", "vcard-without-email", "too-large"],
)
def test_bad_files_are_refused_and_change_nothing(alice, bob, api_for, data, status, reason):
    Contact.objects.create(owner=alice, contact=bob)
    api = api_for(alice)
    before = state()

    response = upload(api, "carnet.csv", data, add=True)

    assert response.status_code == status, response.json_body
    assert response.json_body["code"] in ("bad_request", "too_large")
    assert response.json_body["message"].strip()
    if reason:
        assert response.json_body["reason"] == reason
    assert state() == before


def test_too_many_addresses_are_refused_never_truncated(alice, bob, api_for):
    many = [f"agent{i}@ailleurs.test" for i in range(ENTRIES_MAX)] + [bob.email]
    api = api_for(alice)
    before = state()

    pasted = api.post("/contact-import?add=true", {"text": ", ".join(many)})
    uploaded = upload(api, "gros.csv", ("email\n" + "\n".join(many)).encode(), add=True)

    for response in (pasted, uploaded):
        assert response.status_code == 413, response.json_body
        assert response.json_body["reason"] == "too_many_addresses"
    assert state() == before
    # Exactly the limit is accepted.
    assert api.post("/contact-import", {"text": ", ".join(many[1:])}).status_code == 200


def test_a_pasted_list_over_the_character_limit_is_too_large(alice, api_for):
    response = api_for(alice).post("/contact-import", {"text": "a@b.test," * 12_000})

    assert (response.status_code, response.json_body["code"]) == (413, "too_large")


def test_without_credentials_nothing_is_matched(bob, api_for):
    anonymous = api_for(None)

    pasted = anonymous.post("/contact-import", {"text": bob.email})
    uploaded = upload(anonymous, "c.csv", f"email\n{bob.email}\n".encode())

    for response in (pasted, uploaded):
        assert response.status_code == 401
        assert "Bob" not in str(response.json_body)

"""Creating rooms, the directory's filters, invitations and leaving, through the UI."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ALICE, BOB, screenshot, unique
from .helpers import messages, send

# One xdist worker runs every browser test (--dist loadgroup): one server, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")


def test_create_a_thematic_room_and_find_it_in_the_directory_by_filters(login):
    alice = login(ALICE[0])
    name = unique("Marchés publics")
    alice.get_by_role("button", name="Créer un salon").click()
    dialog = alice.get_by_role("dialog", name="Créer un salon")
    dialog.get_by_label("Nom du salon").fill(name)
    dialog.get_by_label("Thématique").check()
    dialog.get_by_label("Thème").select_option(label="Commande publique")
    dialog.get_by_label("Accès").select_option("open")
    dialog.get_by_role("button", name="Créer").click()
    expect(dialog).to_be_hidden()
    expect(alice.get_by_role("heading", level=1)).to_have_text(name)
    expect(alice.locator("#rooms-thematic")).to_contain_text(name)
    expect(alice.locator("#room-meta")).to_contain_text("Commande publique")

    bob = login(BOB[0])
    bob.get_by_role("button", name="Parcourir les salons").click()
    directory = bob.get_by_role("region", name="Annuaire des salons")
    directory.get_by_label("Type").select_option("thematic")
    directory.get_by_label("Thème").select_option(label="Commande publique")
    result = directory.locator("#directory-results li", has_text=name)
    expect(result).to_have_count(1)
    directory.get_by_label("Type").select_option("geographic")
    expect(result).to_have_count(0)
    directory.get_by_label("Type").select_option("")
    directory.get_by_label("Thème").select_option("")
    directory.get_by_label("Rechercher un salon").fill(name)
    expect(result).to_have_count(1)
    result.get_by_role("button", name=f"Rejoindre : {name}").click()
    expect(bob.get_by_role("heading", level=1)).to_have_text(name)
    expect(alice.locator("#people-list")).to_contain_text(BOB[1])


def test_invite_to_a_private_room_accept_and_leave(login):
    alice = login(ALICE[0])
    bob = login(BOB[0])
    name = unique("Groupe de travail RH")
    alice.get_by_role("button", name="Créer un salon").click()
    dialog = alice.get_by_role("dialog", name="Créer un salon")
    dialog.get_by_label("Nom du salon").fill(name)
    dialog.get_by_label("Privé (sur invitation)").check()
    expect(dialog.get_by_label("Accès")).to_be_hidden()
    dialog.get_by_role("button", name="Créer").click()
    expect(alice.locator("#rooms-private")).to_contain_text(name)

    alice.get_by_role("button", name="Inviter").click()
    invite = alice.get_by_role("dialog", name="Inviter dans ce salon")
    invite.get_by_label("Adresse électronique de l'agent").fill(BOB[0])
    invite.get_by_role("button", name="Inviter").click()
    expect(invite.get_by_role("status")).to_have_text(f"Invitation envoyée à {BOB[0]}.")
    invite.get_by_role("button", name="Fermer").click()

    # Bob is told at once and accepts from the sidebar.
    invitation = bob.locator("#invitation-list li", has_text=name)
    expect(invitation).to_contain_text(f"{ALICE[1]} vous invite")
    screenshot(bob, "invitation")
    invitation.get_by_role("button", name="Accepter").click()
    expect(bob.get_by_role("heading", level=1)).to_have_text(name)
    expect(bob.locator("#rooms-private")).to_contain_text(name)
    send(bob, "Merci pour l'invitation")
    expect(messages(alice, "Merci pour l'invitation")).to_have_count(1)

    bob.get_by_role("button", name="Quitter le salon").click()
    leave = bob.get_by_role("dialog", name="Quitter ce salon ?")
    leave.get_by_role("button", name="Quitter").click()
    expect(bob.locator("#rooms-private")).not_to_contain_text(name)
    expect(bob.get_by_role("heading", name="Annuaire des salons")).to_be_visible()
    expect(alice.locator("#people-list")).not_to_contain_text(BOB[1])

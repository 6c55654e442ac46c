"""Load believable demonstration content (idempotent: running it twice changes nothing)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from backend.accounts import services as accounts
from backend.accounts.models import Organisation, OrganisationDomain, User
from backend.community import levels
from backend.fiches import services as fiches
from backend.fiches.models import Fiche
from backend.jobs import services as jobs
from backend.jobs.models import JobOffer
from backend.messaging import services as messaging
from backend.messaging.models import Message
from backend.moderation import services as moderation
from backend.rooms import services as rooms
from backend.rooms.models import Membership, Room, Territory, Theme

DEMO_PASSWORD = "preau-demo-2026"

THEMES = [
    ("accueil", "Accueil et orientation"),
    ("finances", "Finances locales"),
    ("rh", "Ressources humaines"),
    ("si", "Systèmes d'information"),
    ("urbanisme", "Urbanisme"),
    ("commande-publique", "Commande publique"),
    ("action-sociale", "Action sociale"),
    ("environnement", "Environnement et transition"),
]

# (level, INSEE code, name, parent code)
TERRITORIES = [
    ("region", "84", "Auvergne-Rhône-Alpes", None),
    ("region", "76", "Occitanie", None),
    ("region", "11", "Île-de-France", None),
    ("departement", "69", "Rhône", "84"),
    ("departement", "11", "Aude", "76"),
    ("departement", "38", "Isère", "84"),
    ("commune", "69266", "Villeurbanne", "69"),
    ("commune", "69123", "Lyon", "69"),
    ("commune", "69010", "L'Arbresle", "69"),
    ("commune", "11069", "Carcassonne", "11"),
    ("commune", "38185", "Grenoble", "38"),
]

ORGANISATIONS = [
    ("Ville de Villeurbanne", "commune", "69266", "villeurbanne.test", False),
    ("Département du Rhône", "departement", "69", "rhone.test", True),
    ("Communauté de communes du Pays de L'Arbresle", "epci", "", "paysdelarbresle.test", False),
    ("CNFPT", "cnfpt", "", "cnfpt.test", True),
]

AGENTS = [
    ("claire.martin@villeurbanne.test", "Claire Martin", "Responsable des finances", True),
    ("karim.benali@villeurbanne.test", "Karim Benali", "Chef de projet SI", False),
    ("sophie.durand@rhone.test", "Sophie Durand", "Gestionnaire RH", False),
    ("julien.roux@paysdelarbresle.test", "Julien Roux", "Directeur général des services", False),
    ("nadia.lefevre@cnfpt.test", "Nadia Lefèvre", "Conseillère formation", False),
]

CONVERSATIONS: dict[str, list[tuple[str, str]]] = {
    # Everyone may post in Accueil; its animateurs reclassify posts into the right room.
    "Accueil": [
        (
            "nadia.lefevre@cnfpt.test",
            "Bienvenue sur Préau ! Posez ici vos questions : nous les rangerons dans le bon "
            "salon thématique.",
        ),
        (
            "julien.roux@paysdelarbresle.test",
            "Bonjour, quelqu'un a-t-il un modèle de délibération pour le RIFSEEP des agents "
            "de catégorie C ?",
        ),
        (
            "karim.benali@villeurbanne.test",
            "Qui utilise un logiciel libre pour la gestion des courriers ? Nous changeons "
            "d'outil en 2027.",
        ),
    ],
    "Finances locales": [
        (
            "claire.martin@villeurbanne.test",
            "Bonjour à tous ! Nous passons à la **M57** au 1er janvier. "
            "Quelqu'un a déjà fait le basculement du règlement budgétaire et financier ?",
        ),
        (
            "julien.roux@paysdelarbresle.test",
            "Oui, l'an dernier. Le plus long a été l'inventaire et l'amortissement au prorata "
            "temporis. Je peux partager notre RBF adopté en conseil.",
        ),
        (
            "claire.martin@villeurbanne.test",
            "Avec plaisir, merci Julien ! Vous avez gardé la fongibilité des crédits à 7,5 % ?",
        ),
        (
            "julien.roux@paysdelarbresle.test",
            "Oui, 7,5 % hors dépenses de personnel. Le conseil a bien accueilli la souplesse.",
        ),
    ],
    "Systèmes d'information": [
        (
            "karim.benali@villeurbanne.test",
            "Retour d'expérience : nous avons migré la messagerie vers une solution hébergée "
            "en France. Questions bienvenues sur le marché et la conduite du changement.",
        ),
        (
            "nadia.lefevre@cnfpt.test",
            "Le CNFPT prépare un webinaire sur la cybersécurité des petites communes, "
            "votre témoignage serait précieux.",
        ),
    ],
    "Rhône — agents territoriaux": [
        (
            "sophie.durand@rhone.test",
            "Bienvenue dans le salon des agents du Rhône ! Présentez-vous en quelques mots.",
        ),
        (
            "julien.roux@paysdelarbresle.test",
            "Bonjour, Julien, DGS au Pays de L'Arbresle. Ravi de vous retrouver ici.",
        ),
    ],
}

ROOMS = [
    # name, kind, access, theme, territory (level, code), organisation domain, owner, members
    (
        "Accueil",
        "thematic",
        "open",
        "accueil",
        None,
        None,
        "claire.martin@villeurbanne.test",
        [
            "karim.benali@villeurbanne.test",
            "sophie.durand@rhone.test",
            "julien.roux@paysdelarbresle.test",
            "nadia.lefevre@cnfpt.test",
        ],
    ),
    (
        "Finances locales",
        "thematic",
        "open",
        "finances",
        None,
        None,
        "claire.martin@villeurbanne.test",
        ["julien.roux@paysdelarbresle.test"],
    ),
    (
        "Ressources humaines",
        "thematic",
        "open",
        "rh",
        None,
        None,
        "sophie.durand@rhone.test",
        ["nadia.lefevre@cnfpt.test"],
    ),
    (
        "Systèmes d'information",
        "thematic",
        "open",
        "si",
        None,
        None,
        "karim.benali@villeurbanne.test",
        ["nadia.lefevre@cnfpt.test", "claire.martin@villeurbanne.test"],
    ),
    (
        "Rhône — agents territoriaux",
        "geographic",
        "open",
        None,
        ("departement", "69"),
        None,
        "sophie.durand@rhone.test",
        ["julien.roux@paysdelarbresle.test", "claire.martin@villeurbanne.test"],
    ),
    (
        "Villeurbanne — services municipaux",
        "geographic",
        "organisation",
        None,
        ("commune", "69266"),
        "villeurbanne.test",
        "claire.martin@villeurbanne.test",
        ["karim.benali@villeurbanne.test"],
    ),
    (
        "Comité de pilotage fibre",
        "private",
        "invite",
        None,
        None,
        None,
        "karim.benali@villeurbanne.test",
        ["claire.martin@villeurbanne.test"],
    ),
]


# Room animateurs (moderators), besides the owner.
ANIMATEURS = {"Accueil": ["nadia.lefevre@cnfpt.test"]}

# Fiches pratiques drawn from the conversations above: (room, indexes of the chosen messages in
# CONVERSATIONS[room], author, title, summary in Markdown, theme, territory, validated by the
# room's owner).
FICHES = [
    (
        "Finances locales",
        [0, 1, 2, 3],
        "claire.martin@villeurbanne.test",
        "Passer à la nomenclature M57",
        "## Les étapes\n\n"
        "1. Adopter le **règlement budgétaire et financier** (RBF) en conseil avant le "
        "1er janvier.\n"
        "2. Mettre à jour l'inventaire : c'est le chantier le plus long.\n"
        "3. Amortir au *prorata temporis* les biens acquis à partir du basculement.\n\n"
        "## Fongibilité des crédits\n\n"
        "Le RBF peut autoriser des virements entre chapitres dans la limite de **7,5 %** des "
        "dépenses réelles de chaque section, hors dépenses de personnel.",
        "finances",
        None,
        True,
    ),
    (
        "Systèmes d'information",
        [0],
        "karim.benali@villeurbanne.test",
        "Migrer la messagerie vers un hébergement en France",
        "## Retour d'expérience de Villeurbanne\n\n"
        "- Un marché passé via une centrale d'achat public, avec hébergement en France "
        "exigé au cahier des charges.\n"
        "- Une migration par vagues de services, en commençant par la DSI.\n"
        "- Des ambassadeurs dans chaque direction pour la conduite du changement.",
        "si",
        ("commune", "69266"),
        False,
    ),
]

# Job offers: (poster, title, commune, category, filière, closes in N days, link, description,
# announced in the rooms it concerns).
JOBS = [
    (
        "claire.martin@villeurbanne.test",
        "Gestionnaire paie et carrières (H/F)",
        "69266",
        "B",
        "administrative",
        45,
        "https://villeurbanne.test/recrutement/gestionnaire-paie-carrieres",
        "## Missions\n\n- Préparer et contrôler la paie de 300 agents.\n"
        "- Suivre les carrières : avancements, promotions, positions statutaires.\n\n"
        "## Profil\n\nConnaissance du statut de la fonction publique territoriale.",
        False,
    ),
    (
        "claire.martin@villeurbanne.test",
        "Agent d'accueil et d'état civil (H/F)",
        "69266",
        "C",
        "administrative",
        30,
        "https://villeurbanne.test/recrutement/agent-accueil-etat-civil",
        "Accueillir le public en mairie, instruire les dossiers d'état civil "
        "(naissances, mariages, décès) et délivrer les titres d'identité.",
        False,
    ),
    (
        "sophie.durand@rhone.test",
        "Technicien réseaux et télécommunications (H/F)",
        "69123",
        "B",
        "technique",
        60,
        "https://rhone.test/offres-emploi/technicien-reseaux",
        "Au sein de la direction des systèmes d'information, administrer les réseaux des "
        "collèges et des sites départementaux, et suivre les marchés de télécommunications.",
        False,
    ),
    (
        "julien.roux@paysdelarbresle.test",
        "Chargé de mission transition écologique (H/F)",
        "69010",
        "A",
        "technique",
        40,
        "https://paysdelarbresle.test/emploi/charge-mission-transition-ecologique",
        "Piloter le plan climat-air-énergie territorial (PCAET), animer le réseau des "
        "communes membres et monter les dossiers de subventions.",
        True,
    ),
]


class Command(BaseCommand):
    help = "Charger le contenu de démonstration (idempotent) et afficher comment se connecter."

    def handle(self, *args: Any, **options: Any) -> None:
        # A fresh clone has no tables yet: `preau demo` must work as the very first command.
        call_command("migrate", interactive=False, verbosity=0)
        self.load()

    @transaction.atomic
    def load(self) -> None:
        for slug, name in THEMES:
            Theme.objects.get_or_create(slug=slug, defaults={"name": name})
        codes: dict[tuple[str, str], Territory] = {}
        parents = {"commune": "departement", "departement": "region"}
        for level, code, name, parent in TERRITORIES:
            parent_obj = codes.get((parents.get(level, ""), parent or ""))
            codes[(level, code)], _ = Territory.objects.get_or_create(
                level=level, insee_code=code, defaults={"name": name, "parent": parent_obj}
            )
        for name, kind, insee, domain, subdomains in ORGANISATIONS:
            if not OrganisationDomain.objects.filter(domain=domain).exists():
                accounts.organisation_add(
                    name=name,
                    domains=[domain],
                    covers_subdomains=subdomains,
                    kind=kind,
                    insee_code=insee,
                )
        users: dict[str, User] = {}
        for email, name, job, staff in AGENTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = accounts.user_add(
                    email=email, password=DEMO_PASSWORD, name=name, job_title=job, staff=staff
                )
            users[email] = user
            # Demo agents are established members: they may create rooms and share links.
            levels.points_grant(
                user_id=user.pk, amount=settings.PREAU["LEVEL_THRESHOLDS"][1], source="demo"
            )
        for name, kind, access, theme, territory, org_domain, owner, members in ROOMS:
            room = Room.objects.filter(name=name).first()
            if room is None:
                organisation = (
                    Organisation.objects.get(domains__domain=org_domain).pk if org_domain else None
                )
                room = rooms.room_create(
                    actor=users[owner],
                    name=name,
                    kind=kind,
                    access=access,
                    theme=theme,
                    territory=territory[1] if territory else None,
                    territory_level=territory[0] if territory else None,
                    organisation=organisation,
                ).room
            for email in members:
                if Membership.objects.filter(room=room, user=users[email]).exists():
                    continue
                if access == "invite":
                    rooms.room_invite(actor=users[owner], room_id=room.pk, user_id=users[email].pk)
                rooms.room_join(actor=users[email], room_id=room.pk)
            for email in ANIMATEURS.get(name, []):
                moderation.member_role_set(
                    actor=users[owner], room_id=room.pk, user_id=users[email].pk, role="moderator"
                )
            for i, (email, body) in enumerate(CONVERSATIONS.get(name, [])):
                messaging.message_send(
                    actor=users[email], room_id=room.pk, body=body, client_id=f"demo-{room.pk}-{i}"
                )
        self._fiches(users)
        self._jobs(users)
        self.stdout.write(
            "Contenu de démonstration prêt. Connectez-vous avec l'un de ces comptes :"
        )
        for email, name, job, staff in AGENTS:
            self.stdout.write(f"  {email}  ({name}, {job}{', équipe Préau' if staff else ''})")
        self.stdout.write(f"Mot de passe commun : {DEMO_PASSWORD}")

    def _fiches(self, users: dict[str, User]) -> None:
        for room_name, picks, author, title, summary, theme, territory, validated in FICHES:
            if Fiche.objects.filter(title=title).exists():
                continue
            room = Room.objects.get(name=room_name)
            ids = [
                Message.objects.get(room=room, client_id=f"demo-{room.pk}-{i}").pk for i in picks
            ]
            fiche = fiches.fiche_create(
                actor=users[author],
                messages=ids,
                title=title,
                summary=summary,
                theme=theme,
                territory=territory[1] if territory else "",
                territory_level=territory[0] if territory else None,
            ).fiche
            if validated:
                owner = Membership.objects.get(room=room, role="owner").user
                fiches.fiche_validate(actor=owner, fiche_id=fiche.pk, validated=True)

    def _jobs(self, users: dict[str, User]) -> None:
        today = timezone.localdate()
        for poster, title, commune, category, field, days, link, description, announce in JOBS:
            if JobOffer.objects.filter(title=title, author=users[poster]).exists():
                continue
            jobs.job_create(
                actor=users[poster],
                title=title,
                commune=commune,
                category=category,
                field=field,
                closes_on=(today + timedelta(days=days)).isoformat(),
                link=link,
                description=description,
                announce=announce,
            )

"""Fill web/locale/en/*.po with the English translations below, then compile every catalogue.

Run after `django-admin makemessages` (see web/locale/README.md).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent

EN = {
    "%(a)s et %(b)s écrivent…": "%(a)s and %(b)s are typing…",
    "%(name)s écrit…": "%(name)s is typing…",
    "(modifié)": "(edited)",
    "Accepter l'invitation": "Accept the invitation",
    "Accès": "Access",
    "Accepter": "Accept",
    "Accepter l'invitation dans « %(room)s »": "Accept the invitation to “%(room)s”",
    "%(by)s vous invite dans « %(room)s ».": "%(by)s invites you to “%(room)s”.",
    "Invitations": "Invitations",
    "Adresse confirmée": "Address confirmed",
    "Adresse électronique de l'agent": "The agent's email address",
    "Adresse électronique professionnelle": "Work email address",
    "Afficher les messages précédents": "Show earlier messages",
    "Aller au contenu": "Skip to content",
    "Aller à la ligne": "New line",
    "Aller à la liste des salons": "Skip to the room list",
    "Aller à la saisie du message": "Skip to the message box",
    "Annuaire des salons": "Room directory",
    "Annuler la modification en cours": "Cancel the current edit",
    "Annuler": "Cancel",
    "Association": "Association",
    "Aucun salon": "No rooms",
    "Aujourd’hui": "Today",
    "Autre": "Other",
    "Bienvenue sur Préau": "Welcome to Préau",
    "CNFPT": "CNFPT",
    "Ce message a été supprimé.": "This message was deleted.",
    "Centre de gestion": "Centre de gestion",
    "Changer": "Change",
    "Choisissez un salon dans la liste, ou parcourez l'annuaire des salons pour en rejoindre un.": "Pick a room from the list, or browse the room directory to join one.",
    "Commune": "Municipality",
    "Confirmer la suppression": "Confirm deletion",
    "Connexion": "Log in",
    "Créer mon compte": "Create my account",
    "Créer un compte Préau": "Create a Préau account",
    "Créer un compte": "Create an account",
    "Créer un salon": "Create a room",
    "Créer": "Create",
    "Demande enregistrée pour le domaine %(domain)s. Vous recevrez un message quand elle aura été examinée.": "Request recorded for the domain %(domain)s. You will receive a message once it has been reviewed.",
    "Demander l'ajout de mon domaine": "Ask for my domain to be added",
    "Description (facultatif)": "Description (optional)",
    "Déjà un compte ?": "Already have an account?",
    "Département": "Département",
    "EPCI (intercommunalité)": "EPCI (intermunicipal body)",
    "En attente de connexion…": "Waiting for the connection…",
    "Enregistrer": "Save",
    "Entrée pour envoyer, Maj+Entrée pour aller à la ligne. **gras**, *italique*, `code` et liens acceptés.": "Enter sends, Shift+Enter adds a line. **bold**, *italic*, `code` and links accepted.",
    "Envoi…": "Sending…",
    "Envoyer la demande": "Send the request",
    "Envoyer le message": "Send the message",
    "Envoyer": "Send",
    "Erreur inattendue ; réessayez.": "Unexpected error; please try again.",
    "Fermer": "Close",
    "Fonction (facultatif)": "Job title (optional)",
    "Hier": "Yesterday",
    "Indiquez votre adresse et votre mot de passe.": "Enter your address and your password.",
    "Inscription": "Sign up",
    "Invitation envoyée à %(email)s.": "Invitation sent to %(email)s.",
    "Inviter dans ce salon": "Invite to this room",
    "Inviter": "Invite",
    "L'équipe Préau vérifiera que ce domaine appartient bien à une organisation publique, puis vous écrira.": "The Préau team will check that this domain belongs to a public organisation, then write to you.",
    "La messagerie des agents du service public local.": "The messaging service of local public-sector agents.",
    "Langue": "Language",
    "Le nom du salon est obligatoire.": "The room name is required.",
    "Le serveur est injoignable.": "The server cannot be reached.",
    "Lien invalide": "Invalid link",
    "Merci %(name)s : votre adresse est confirmée et votre compte est rattaché à %(org)s.": "Thank you %(name)s: your address is confirmed and your account belongs to %(org)s.",
    "Mes salons": "My rooms",
    "Message dans %(room)s": "Message in %(room)s",
    "Message pour l'équipe (facultatif)": "Message for the team (optional)",
    "Message trop long (10 000 caractères au plus).": "Message too long (10,000 characters at most).",
    "Messages": "Messages",
    "Modifier le message de": "Edit the message of",
    "Modifier le message": "Edit the message",
    "Modifier": "Edit",
    "Mot de passe (12 caractères au moins)": "Password (at least 12 characters)",
    "Mot de passe": "Password",
    "Nom affiché": "Display name",
    "Nom de votre organisation": "Name of your organisation",
    "Nom du salon": "Room name",
    "Nouveaux messages": "New messages",
    "Ouvert à tous les agents": "Open to every agent",
    "Ouvrez le lien reçu pour activer votre compte.": "Open the link you received to activate your account.",
    "Ouvrir l'annuaire des salons": "Open the room directory",
    "Ouvrir": "Open",
    "Parcourir les salons": "Browse rooms",
    "Pas encore de compte ?": "No account yet?",
    "Plusieurs personnes écrivent…": "Several people are typing…",
    "Privé (sur invitation)": "Private (invitation only)",
    "Privé": "Private",
    "Privés": "Private",
    "Quelqu’un": "Someone",
    "Qui est là (%(online)s / %(total)s)": "Who is here (%(online)s / %(total)s)",
    "Qui est là": "Who is here",
    "Quitter ce salon ?": "Leave this room?",
    "Quitter le salon": "Leave the room",
    "Quitter": "Leave",
    "Raccourcis clavier": "Keyboard shortcuts",
    "Rechercher un salon": "Search for a room",
    "Rechercher": "Search",
    "Recommencer l'inscription": "Sign up again",
    "Reconnexion…": "Reconnecting…",
    "Rejoindre": "Join",
    "Réessayer": "Retry",
    "Région": "Région",
    "Réservé à %(org)s": "Reserved for %(org)s",
    "Réservé à mon organisation": "Reserved for my organisation",
    "SDIS": "SDIS (fire and rescue)",
    "Salon précédent / suivant": "Previous / next room",
    "Se connecter à Préau": "Log in to Préau",
    "Se connecter": "Log in",
    "Se déconnecter": "Log out",
    "Service de l'État": "State service",
    "Supprimer le message de": "Delete the message of",
    "Supprimer": "Delete",
    "Territoire": "Territory",
    "Territoires": "Territories",
    "Thème": "Theme",
    "Thématique": "Thematic",
    "Thématiques": "Themes",
    "Tous": "All",
    "Trop de requêtes, patientez un instant.": "Too many requests; wait a moment.",
    "Type d'organisation": "Kind of organisation",
    "Type de salon": "Kind of room",
    "Type": "Kind",
    "Utilisez l'adresse électronique fournie par votre collectivité ou votre administration.": "Use the email address given by your local authority or administration.",
    "Votre adresse électronique": "Your email address",
    "Votre message": "Your message",
    "Vous ne recevrez plus les messages de « %(room)s ».": "You will no longer receive the messages of “%(room)s”.",
    "absent": "away",
    "commune": "municipality",
    "département": "département",
    "en ligne": "online",
    "hors ligne": "offline",
    "ne pas déranger": "do not disturb",
    "ouvert à tous les agents": "open to every agent",
    "pas de réponse du serveur": "no answer from the server",
    "région": "région",
    "réservé à une organisation": "reserved for one organisation",
    "sur invitation": "invitation only",
    "Échec de l'envoi": "Sending failed",
    # Conversations (threads, files, reactions, mentions, search).
    "Mentions": "Mentions",
    "Rechercher dans les messages": "Search messages",
    "Mots recherchés": "Search for",
    "Salon": "Room",
    "Après le": "After",
    "Avant le": "Before",
    "Avec un document": "With a document",
    "Mes mentions": "My mentions",
    "Documents": "Documents",
    "Retour aux messages": "Back to the messages",
    "Filtrer les documents": "Filter the documents",
    "Fichiers": "Files",
    "Liens": "Links",
    "Fil de discussion": "Thread",
    "Suivre le fil": "Follow the thread",
    "Réponse utile": "Useful answer",
    "Marquer comme réponse utile": "Mark as a useful answer",
    "Retirer la mention utile": "Remove the useful mark",
    "Marquer comme réponse utile la réponse de": "Mark as a useful answer the reply by",
    "Retirer la mention utile de la réponse de": "Remove the useful mark from the reply by",
    "La réponse de %(name)s est marquée comme utile.": "%(name)s's reply is marked as useful.",
    "La réponse de %(name)s n'est plus marquée comme utile.": (
        "%(name)s's reply is no longer marked as useful."
    ),
    "Documents du fil": "Thread documents",
    "Fermer le fil": "Close the thread",
    "Répondre dans le fil": "Reply in the thread",
    "Répondre": "Reply",
    "Versions du message": "Message versions",
    "Fichier trop volumineux.": "File too large.",
    "%(name)s a répondu dans un fil : %(body)s": "%(name)s replied in a thread: %(body)s",
    "Réaction %(emoji)s retirée.": "Reaction %(emoji)s removed.",
    "Réaction %(emoji)s ajoutée.": "Reaction %(emoji)s added.",
    "Joindre un fichier": "Attach a file",
    "Ajouter un lien": "Add a link",
    "Pièces jointes du message": "Attachments of the message",
    "Lien vers un document": "Link to a document",
    "Adresse (https://…)": "Address (https://…)",
    "Titre": "Title",
    "Ajouter le lien": "Add the link",
    "Personnes à mentionner": "People to mention",
    "Patientez : un fichier est en cours d'envoi.": "Please wait: a file is being uploaded.",
    "tout le salon": "the whole room",
    "« %(name)s » n'a pas été joint : %(reason)s": "“%(name)s” was not attached: %(reason)s",
    "Pouce levé": "Thumbs up",
    "Cœur": "Heart",
    "Sourire": "Smile",
    "Bravo": "Well done",
    "Je regarde": "Looking",
    "Fait": "Done",
    "Robot (compte automatisé)": "Bot (automated account)",
    "Modifié : voir les versions précédentes": "Edited: see the earlier versions",
    "%(n)s octets": "%(n)s bytes",
    "%(n)s Ko": "%(n)s KB",
    "%(n)s Mo": "%(n)s MB",
    "Fichiers joints": "Attached files",
    "Réactions": "Reactions",
    "Choisir une réaction": "Choose a reaction",
    "dernière à %(time)s": "last at %(time)s",
    "Ouvrir le fil": "Open the thread",
    "Réagir au message de": "React to the message of",
    "Réagir": "React",
    "Répondre dans un fil au message de": "Reply in a thread to the message of",
    "Répondre dans un fil": "Reply in a thread",
    "%(name)s a répondu dans le fil : %(body)s": "%(name)s replied in the thread: %(body)s",
    "Ne plus suivre le fil": "Unfollow the thread",
    "Vous suivez ce fil.": "You follow this thread.",
    "Vous ne suivez plus ce fil.": "You no longer follow this thread.",
    "Saisissez les mots à rechercher.": "Type the words to search for.",
    "Recherche…": "Searching…",
    "%(author)s dans « %(room)s »": "%(author)s in “%(room)s”",
    "Chargement…": "Loading…",
    "non lu": "unread",
    "Documents du fil — %(room)s": "Thread documents — %(room)s",
    "Documents — %(room)s": "Documents — %(room)s",
    "Fichier": "File",
    "Lien": "Link",
    "partagé par %(name)s": "shared by %(name)s",
    "Voir le message": "See the message",
    "Version actuelle": "Current version",
    "Auteur": "Author",
    "Rejoignez « %(room)s » pour lire ce message dans son salon.": "Join “%(room)s” to read this message in its room.",
    "Fermer le fil, la liste des mentions ou le choix de réaction": "Close the thread, the mention list or the reaction choice",
    "Choisir une personne à mentionner après « @ »": "Pick a person to mention after “@”",
    "Version %(n)s": "Version %(n)s",
    # The account pages (password reset, profile, account security).
    "Mon compte": "My account",
    "Retour aux salons": "Back to the rooms",
    "Mon profil": "My profile",
    "Sécurité du compte": "Account security",
    "Règles du mot de passe :": "Password rules:",
    "Code de double authentification (6 chiffres)": "Two-factor code (6 digits)",
    "Le code affiché par votre application d'authentification.": "The code shown by your authenticator app.",
    "Mot de passe oublié ?": "Forgot your password?",
    "Mot de passe oublié": "Forgotten password",
    "Indiquez l'adresse de votre compte : nous y enverrons un lien pour choisir un nouveau mot de passe.": "Enter your account's address: we will send it a link to choose a new password.",
    "Recevoir un lien": "Send me a link",
    "Retour à la connexion": "Back to log in",
    "Nouveau mot de passe": "New password",
    "Choisir un nouveau mot de passe": "Choose a new password",
    "Confirmer le nouveau mot de passe": "Confirm the new password",
    "Enregistrer le mot de passe": "Save the password",
    "Demander un nouveau lien": "Ask for a new link",
    "Adresse électronique": "Email address",
    "Organisation": "Organisation",
    "Aucune": "None",
    "Votre organisation découle du domaine de votre adresse ; l'équipe Préau peut la corriger.": "Your organisation follows from your address's domain; the Préau team can correct it.",
    "L'équipe de la plateforme doit utiliser la double authentification : activez-la ci-dessous pour accéder à Préau.": "The platform team must use two-factor authentication: turn it on below to use Préau.",
    "Sessions ouvertes": "Open sessions",
    "Chaque navigateur où vous êtes connecté. Fermer une session ferme aussi ses connexions en temps réel.": "Each browser where you are logged in. Ending a session also closes its real-time connections.",
    "Me déconnecter partout": "Log me out everywhere",
    "Jetons d'accès": "Access tokens",
    "Les jetons personnels et ceux de vos robots ; « se déconnecter partout » ne les révoque pas.": "Your personal tokens and your bots'; “log out everywhere” does not revoke them.",
    "Aucun jeton.": "No tokens.",
    "Changer mon mot de passe": "Change my password",
    "Vos autres sessions seront fermées ; celle-ci reste ouverte.": "Your other sessions will end; this one stays open.",
    "Mot de passe actuel": "Current password",
    "Changer le mot de passe": "Change the password",
    "Double authentification": "Two-factor authentication",
    "Un code à 6 chiffres donné par une application d'authentification (FreeOTP, Aegis, Google Authenticator…) vous sera demandé à chaque connexion.": "A 6-digit code from an authenticator app (FreeOTP, Aegis, Google Authenticator…) will be asked at each login.",
    "Activer la double authentification": "Turn on two-factor authentication",
    "1. Scannez ce QR code avec votre application, ou saisissez-y la clé ci-dessous.": "1. Scan this QR code with your app, or type the key below into it.",
    "QR code de configuration de la double authentification": "QR code to set up two-factor authentication",
    "Clé secrète :": "Secret key:",
    "2. Code affiché par l'application": "2. Code shown by the app",
    "Confirmer l'activation": "Confirm",
    "Mot de passe (pour désactiver)": "Password (to turn it off)",
    "Désactiver la double authentification": "Turn off two-factor authentication",
    "Mes données": "My data",
    "Une archive zip (fichiers JSON) avec votre profil, vos messages, vos fichiers, réactions et votes, vos questions et inscriptions aux webinaires, vos contributions aux fiches pratiques, vos offres d'emploi et vos contacts.": "A zip archive (JSON files) with your profile, messages, files, reactions and votes, your webinar questions and registrations, your contributions to fiches pratiques, your job offers and your contacts.",
    "Télécharger mes données": "Download my data",
    "Supprimer mon compte": "Delete my account",
    "Sur cette plateforme, l'exploitant a choisi d'effacer aussi vos messages : ils disparaîtront des salons, comme vos questions aux webinaires ; vos offres d'emploi seront retirées et votre nom ôté des fiches pratiques.": "On this platform, the operator chose to erase your messages too: they will disappear from the rooms, as will your webinar questions; your job offers will be withdrawn and your name removed from the fiches pratiques.",
    "Sur cette plateforme, l'exploitant a choisi de conserver vos messages pour la cohérence des conversations : ils resteront dans les salons, signés « Ancien membre ».": "On this platform, the operator chose to keep your messages so that conversations still make sense: they stay in the rooms, signed “Former member”.",
    "Votre nom, votre adresse, vos jetons et vos sessions sont effacés ; vous ne pourrez plus vous connecter. C'est irréversible : téléchargez d'abord vos données si vous voulez les garder.": "Your name, address, tokens and sessions are erased; you will no longer be able to log in. This cannot be undone: download your data first if you want to keep it.",
    "Mot de passe (pour confirmer)": "Password (to confirm)",
    "Je comprends que la suppression est définitive.": "I understand that deletion is final.",
    "Supprimer définitivement mon compte": "Delete my account for good",
    "Le nom affiché est obligatoire.": "The display name is required.",
    "Profil enregistré.": "Profile saved.",
    "Navigateur inconnu": "Unknown browser",
    "Ouverte le %(created)s, active le %(seen)s": "Opened on %(created)s, active on %(seen)s",
    "Adresse IP : %(ip)s": "IP address: %(ip)s",
    "Cette session": "This session",
    "Fermer cette session": "End this session",
    "Session fermée.": "Session ended.",
    "Fermer la session %(agent)s": "End the session %(agent)s",
    "%(kind)s, commence par %(prefix)s, créé le %(created)s": "%(kind)s, starts with %(prefix)s, created on %(created)s",
    "jeton de robot": "bot token",
    "jeton personnel": "personal token",
    "Dernière utilisation : %(when)s": "Last used: %(when)s",
    "Révoqué le %(when)s": "Revoked on %(when)s",
    "Révoquer": "Revoke",
    "Jeton révoqué.": "Token revoked.",
    "Révoquer le jeton %(name)s": "Revoke the token %(name)s",
    "Les deux mots de passe saisis sont différents.": "The two passwords differ.",
    "La double authentification est activée.": "Two-factor authentication is on.",
    "La double authentification n'est pas encore activée ; elle est obligatoire pour votre compte.": "Two-factor authentication is not on yet; it is mandatory for your account.",
    "La double authentification n'est pas activée.": "Two-factor authentication is off.",
    "Double authentification activée : votre code vous sera demandé à chaque connexion.": "Two-factor authentication is on: your code will be asked at each login.",
    "Double authentification désactivée.": "Two-factor authentication turned off.",
    "Cochez la case pour confirmer la suppression.": "Tick the box to confirm the deletion.",
    "Indiquez votre adresse.": "Enter your address.",
    "Créer un salon pour ce webinaire": "Create a room for this webinar",
    "Nouveau salon (nommé comme le webinaire, vous en êtes propriétaire)": "New room (named after the webinar, you own it)",
    "Sur invitation (salon privé)": "By invitation (private room)",
    "Abonnement depuis votre logiciel d'agenda": "Subscribe from your calendar application",
    "Un lien secret permet à votre agenda (Thunderbird, Outlook, téléphone) d'afficher vos webinaires sans vous connecter. Gardez-le pour vous ; il n'est affiché qu'une fois. Le renouveler désactive aussitôt l'ancien.": "A secret link lets your calendar (Thunderbird, Outlook, your phone) show your webinars without logging in. Keep it to yourself; it is shown only once. Renewing it disables the old one at once.",
    "Votre lien secret": "Your secret link",
    "Copier le lien": "Copy the link",
    "Créer mon lien secret": "Create my secret link",
    "Révoquer le lien": "Revoke the link",
    "Renouveler mon lien secret": "Renew my secret link",
    "Un lien secret est actif (créé le %(date)s, commence par %(prefix)s…).": "A secret link is active (created on %(date)s, starts with %(prefix)s…).",
    "Aucun lien secret actif.": "No active secret link.",
    "Lien copié.": "Link copied.",
    "Copiez le lien sélectionné (Ctrl+C).": "Copy the selected link (Ctrl+C).",
}
EN_PLURAL = {
    "%(count)s mention": ("%(count)s mention", "%(count)s mentions"),
    "%(count)s membre": ("%(count)s member", "%(count)s members"),
    "%(count)s message non lu": ("%(count)s unread message", "%(count)s unread messages"),
    "%(count)s salon trouvé": ("%(count)s room found", "%(count)s rooms found"),
    "%(count)s mention non lue": ("%(count)s unread mention", "%(count)s unread mentions"),
    "%(count)s réponse": ("%(count)s reply", "%(count)s replies"),
    "%(count)s nouvelle": ("%(count)s new", "%(count)s new"),
    "%(count)s résultat": ("%(count)s result", "%(count)s results"),
    "%(count)s document": ("%(count)s document", "%(count)s documents"),
}

FR_PLURAL = [
    ("%(count)s mention", "%(count)s mentions"),
    ("%(count)s membre", "%(count)s membres"),
    ("%(count)s message non lu", "%(count)s messages non lus"),
    ("%(count)s salon trouvé", "%(count)s salons trouvés"),
    ("%(count)s mention non lue", "%(count)s mentions non lues"),
    ("%(count)s réponse", "%(count)s réponses"),
    ("%(count)s nouvelle", "%(count)s nouvelles"),
    ("%(count)s résultat", "%(count)s résultats"),
    ("%(count)s document", "%(count)s documents"),
]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fill(path: Path, singular: dict[str, str], plural: dict[str, tuple[str, str]]) -> list[str]:
    missing = []
    text = re.sub(
        r'(\n"[^\n]*"\n)(msgid )', r"\1\n\2", path.read_text()
    )  # header glued to an entry
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        match = re.search(r'^msgid "(.*)"$', block, re.M)
        msgid = (
            match.group(1).encode().decode("unicode_escape").encode("latin-1").decode()
            if match
            else ""
        )
        if not msgid:
            out.append(block.replace("charset=CHARSET", "charset=UTF-8"))
            continue
        if msgid in plural:
            one, many = plural[msgid]
            block = re.sub(r'^msgstr\[0\] ".*"$', "msgstr[0] " + _quote(one), block, flags=re.M)
            block = re.sub(r'^msgstr\[1\] ".*"$', "msgstr[1] " + _quote(many), block, flags=re.M)
        elif msgid in singular:
            block = re.sub(
                r'^msgstr ".*"$',
                "msgstr " + _quote(singular[msgid]).replace("\\", "\\\\"),
                block,
                flags=re.M,
            )
        else:
            missing.append(msgid)
            if "#, fuzzy" in block:  # msgmerge's guess from a similar string: never ship it
                block = re.sub(r'^msgstr ".*"$', 'msgstr ""', block, flags=re.M)
        block = block.replace("#, fuzzy\n", "")
        out.append(block)
    path.write_text("\n\n".join(out))
    return missing


def main() -> None:
    missing = []
    for po in sorted((HERE / "en" / "LC_MESSAGES").glob("*.po")):
        missing += fill(po, EN, EN_PLURAL)
    # French is the source language; only its plural forms need spelling out for ngettext().
    french_plurals = {one: (one, many) for one, many in FR_PLURAL}
    for po in sorted((HERE / "fr" / "LC_MESSAGES").glob("*.po")):
        fill(po, {}, french_plurals)
    for po in sorted(HERE.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        text = po.read_text().replace("charset=CHARSET", "charset=UTF-8")
        text = text.replace('"Language: \\n"', f'"Language: {lang}\\n"')
        text = text.replace("PACKAGE VERSION", "Préau").replace("LANGUAGE <LL@li.org>", "Préau")
        po.write_text(text.replace('#, fuzzy\nmsgid ""', 'msgid ""'))
        # A developer tool run by hand: msgfmt from the PATH on our own files.
        command = ["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)]
        subprocess.run(command, check=True)  # noqa: S603, S607
    if missing:
        raise SystemExit("untranslated: " + "; ".join(missing))


if __name__ == "__main__":
    main()

"""Configuration checks in plain language, printed by ``preau check``.

They are Django system checks (``django.core.checks``) that only ``preau check`` switches on
(``ACTIVE``): other commands stay quiet, and a ``preau migrate`` never refuses to run because
Redis is restarting. ``preau check --deploy`` adds Django's security checks; the checks that
reach PostgreSQL, Redis and the SMTP server are left out with ``--no-connect``.
"""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Warning, register

ACTIVE = False  # set by `preau check`
CONNECT = False  # set by `preau check` unless --no-connect
TIMEOUT = 3.0


@register("preau")
def check_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if not ACTIVE:
        return problems
    if bool(settings.DATABASE_URL) != bool(settings.REDIS_URL):
        problems.append(
            Warning(
                "DATABASE_URL et REDIS_URL vont ensemble : avec un seul des deux, les "
                "événements ne passent pas d'un processus à l'autre.",
                hint="Définissez les deux (mode réparti) ou aucun (mode embarqué).",
                id="preau.W001",
            )
        )
    if settings.SECRET_KEY.startswith("insecure-dev-secret"):  # settings._DEV_SECRET
        problems.append(
            Info(
                "SECRET_KEY est la clé de développement : à remplacer avant toute mise en "
                "service (PREAU_ENV=production la refuse).",
                id="preau.I001",
            )
        )
    if settings.PRODUCTION:
        base = urlsplit(settings.PREAU_BASE_URL)
        if base.scheme != "https":
            problems.append(
                Warning(
                    f"PREAU_BASE_URL vaut {settings.PREAU_BASE_URL} : les liens des courriels "
                    "(vérification d'adresse) ne mèneront pas au service.",
                    hint="Indiquez l'adresse publique, par exemple https://preau.example.org.",
                    id="preau.W002",
                )
            )
    if not settings.EMAIL_HOST:
        problems.append(
            Info(
                "Aucun serveur SMTP (EMAIL_HOST) : les courriels sont écrits dans les journaux "
                "au lieu d'être envoyés.",
                hint="Définissez EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD.",
                id="preau.I002",
            )
        )
    if settings.PREAU_METRICS_TOKEN and len(settings.PREAU_METRICS_TOKEN) < 24:
        problems.append(
            Warning(
                "PREAU_METRICS_TOKEN est trop court (24 caractères au moins).",
                hint="python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
                id="preau.W003",
            )
        )
    if CONNECT:
        problems += _check_database() + _check_redis() + _check_email()
    return problems


def _check_database() -> list[CheckMessage]:
    from django.db import connection

    db = settings.DATABASES["default"]
    if "sqlite3" in db["ENGINE"]:
        if not os.access(settings.DATA_DIR, os.W_OK):
            return [
                Error(
                    f"Le dossier de données {settings.DATA_DIR} n'est pas accessible en écriture.",
                    hint="Donnez-le à l'utilisateur qui lance Préau, ou changez PREAU_DATA_DIR.",
                    id="preau.E001",
                )
            ]
        if not os.path.exists(db["NAME"]):  # opening it would create it: leave that to serve
            return [
                Info(
                    f"La base {db['NAME']} n'existe pas encore.",
                    hint="« preau serve » (ou « preau migrate ») la crée ; « preau restore » "
                    "y remet une sauvegarde.",
                    id="preau.I004",
                )
            ]
        where = str(db["NAME"])
    else:
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return [
            Error(
                f"Base de données injoignable ({where}) : {_reason(exc)}",
                hint="Vérifiez DATABASE_URL, que PostgreSQL tourne et accepte cet utilisateur.",
                id="preau.E002",
            )
        ]
    from django.db.migrations.executor import MigrationExecutor

    plan = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if plan:
        return [
            Info(
                f"{len(plan)} migration(s) en attente.",
                hint="Lancez « preau migrate » (ou « preau serve », qui les applique).",
                id="preau.I003",
            )
        ]
    return []


def _check_redis() -> list[CheckMessage]:
    if not settings.REDIS_URL:
        return []
    import redis

    parts = urlsplit(settings.REDIS_URL)
    try:
        redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        ).ping()
    except Exception as exc:
        return [
            Error(
                f"Redis injoignable ({parts.hostname}:{parts.port or 6379}) : {_reason(exc)}",
                hint="Vérifiez REDIS_URL et que Redis tourne : sans lui, aucun message en direct.",
                id="preau.E003",
            )
        ]
    return []


def _check_email() -> list[CheckMessage]:
    if not settings.EMAIL_HOST:
        return []
    try:
        socket.create_connection((settings.EMAIL_HOST, settings.EMAIL_PORT), TIMEOUT).close()
    except OSError as exc:
        return [
            Warning(
                f"Serveur SMTP injoignable ({settings.EMAIL_HOST}:{settings.EMAIL_PORT}) : "
                f"{_reason(exc)}",
                hint="Vérifiez EMAIL_HOST et EMAIL_PORT, et que le pare-feu laisse passer.",
                id="preau.W005",
            )
        ]
    return []


def _reason(exc: Exception) -> str:
    """The first line of an error, without the URL (which may hold a password)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for secret in (
        settings.DATABASES["default"].get("PASSWORD"),
        urlsplit(settings.REDIS_URL).password,
    ):
        if secret:
            text = text.replace(secret, "***")
    return text

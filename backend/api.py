"""The REST API v1, assembled from each app's router."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from backend.accounts.api import router as accounts_router
from backend.accounts.security_api import router as account_security_router
from backend.common.api import install_error_handlers
from backend.community.api import router as community_router
from backend.contacts.api import router as contacts_router
from backend.direct.api import router as direct_router
from backend.fiches.api import router as fiches_router
from backend.home.api import router as home_router
from backend.integrations.api import router as integrations_router
from backend.integrations.openapi import HOOK_PATHS
from backend.jobs.api import router as jobs_router
from backend.messaging.api import router as messaging_router
from backend.moderation.api import router as moderation_router
from backend.privacy.api import router as privacy_router
from backend.rooms.api import router as rooms_router
from backend.search.api import router as search_router
from backend.webinars.api import router as webinars_router


class PreauAPI(NinjaAPI):
    """The REST API, whose document also describes the incoming webhooks (a plain view)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["paths"].update(HOOK_PATHS)
        return schema


api = PreauAPI(
    title="Préau API",
    version="1",
    description=(
        "API REST de Préau. Authentification par la session du navigateur (avec le jeton CSRF "
        "pour les appels qui modifient) ou par `Authorization: Bearer <jeton>`. Erreurs : statut "
        'HTTP et `{"code", "message"}`.'
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", account_security_router)
api.add_router("", rooms_router)
api.add_router("", messaging_router)
api.add_router("", privacy_router)
api.add_router("", search_router)
api.add_router("", integrations_router)
api.add_router("", moderation_router)
api.add_router("", webinars_router)
api.add_router("", community_router)
api.add_router("", jobs_router)
api.add_router("", contacts_router)
api.add_router("", fiches_router)
api.add_router("", home_router)
api.add_router("", direct_router)

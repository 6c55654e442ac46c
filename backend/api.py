"""The REST API v1, assembled from each app's router."""

from __future__ import annotations

from ninja import NinjaAPI

from backend.accounts.api import router as accounts_router
from backend.common.api import install_error_handlers
from backend.messaging.api import router as messaging_router
from backend.rooms.api import router as rooms_router
from backend.search.api import router as search_router

api = NinjaAPI(
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
api.add_router("", rooms_router)
api.add_router("", messaging_router)
api.add_router("", search_router)

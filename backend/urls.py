from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _

from backend.api import api
from backend.integrations.views import incoming_hook
from backend.webinars import views as webinar_views


def robots_txt(request: HttpRequest) -> HttpResponse:
    # Published CVs (/cv/<id>/) are the only pages search engines may crawl and index.
    return HttpResponse("User-agent: *\nAllow: /cv/\nDisallow: /\n", content_type="text/plain")


urlpatterns = [
    path("api/v1/", api.urls),
    # Any path under /hooks/ (even empty or with a slash) gets the hook's JSON refusal.
    re_path(r"^hooks/(?P<secret>.*)\Z", incoming_hook, name="incoming-hook"),
    path("webinars/feed/<str:secret>.ics", webinar_views.user_feed, name="webinar-feed"),
    path(
        "webinars/feed/<str:secret>/rooms/<int:room_id>.ics",
        webinar_views.room_feed,
        name="webinar-room-feed",
    ),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt),
    path("", include("web.urls")),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("Introuvable.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "internal_error", "message": _("Erreur interne ; réessayez plus tard.")},
            status=500,
        )
    from django.views.defaults import server_error

    return server_error(request)

"""Pages of the webinar Q&A: agenda, attendee view, host console, presenter screen.

Each page is a skeleton (the webinar's id and the caller's role); ES modules fill it from
/api/v1/ and keep it live over the socket.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.common.errors import PreauError
from backend.webinars.access import access_webinar

from .csp import csp


def _page(template: str, *, hosts_only: bool = False):  # type: ignore[no-untyped-def]
    @csp
    @never_cache
    @ensure_csrf_cookie
    def view(request: HttpRequest, webinar_id: int) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and getattr(user, "is_agent", False)):
            return redirect("/login/")
        try:
            webinar, host = access_webinar(actor=user, webinar_id=webinar_id)
        except PreauError:
            raise Http404 from None
        if hosts_only and host is None:
            raise Http404
        return render(
            request,
            template,
            {"webinar": webinar, "role": host.role if host else ""},
        )

    return view


webinar_page = _page("web/webinars/webinar.html")
console_page = _page("web/webinars/console.html", hosts_only=True)
presenter_page = _page("web/webinars/presenter.html", hosts_only=True)


@csp
@never_cache
@ensure_csrf_cookie
def agenda_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_agent", False)):
        return redirect("/login/")
    return render(request, "web/webinars/agenda.html")

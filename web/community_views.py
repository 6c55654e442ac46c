"""Pages of the member directory, member profiles and the public CV."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.common.errors import NotFound
from backend.community.directory import public_cv

from .account_views import enrolment_redirect
from .csp import csp


def _gate(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not (user.is_authenticated and getattr(user, "is_agent", False)):
        return redirect("/login/?" + urlencode({"next": request.get_full_path()}))
    return enrolment_redirect(request)


@csp
@never_cache
@ensure_csrf_cookie
def directory_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/members.html")


@csp
@never_cache
@ensure_csrf_cookie
def member_page(request: HttpRequest, user_id: int) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/member.html", {"member_id": user_id})


@csp
def public_cv_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """The only page search engines may index: a CV its author chose to publish."""
    try:
        cv = public_cv(user_id=user_id)
    except NotFound:
        raise Http404() from None
    response = render(request, "web/public_cv.html", {"cv": cv})
    response.preau_indexable = True  # type: ignore[attr-defined]
    return response

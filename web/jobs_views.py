"""Pages of the jobs board: the board with its filters, one offer, the posting form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.jobs.models import JobOffer

from .community_views import _gate
from .csp import csp


def _choices() -> dict:
    return {
        "categories": JobOffer.Category.choices,
        "fields": JobOffer.Filiere.choices,
    }


@csp
@never_cache
@ensure_csrf_cookie
def board_page(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/jobs/board.html", _choices())


@csp
@never_cache
@ensure_csrf_cookie
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/jobs/job.html", {"job_id": job_id})


@csp
@never_cache
@ensure_csrf_cookie
def form_page(request: HttpRequest, job_id: int | None = None) -> HttpResponse:
    """Posting a new offer, or (with ``job_id``) editing one."""
    if (elsewhere := _gate(request)) is not None:
        return elsewhere
    return render(request, "web/jobs/form.html", {**_choices(), "job_id": job_id})

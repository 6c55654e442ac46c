"""The member directory: search, profiles, the members-by-territory view, the public CV."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, NotFound, TooLarge
from backend.rooms.models import Territory

from .levels import level_ref
from .models import MemberProfile, Standing

SKILLS_MAX = 30
SKILL_MAX = 60
CV_MAX = 20_000
QUERY_MAX = 200
PAGE_MAX = 100


def _listed() -> QuerySet[User]:
    """Only verified, active human agents appear in the directory."""
    return User.objects.filter(is_active=True, is_verified=True, is_bot=False)


def _territory_of(user: User, territories: dict[str, Territory]) -> Territory | None:
    profile = getattr(user, "profile", None)
    if profile is not None and profile.territory_id is not None:
        return profile.territory
    org = user.organisation
    if org is not None and org.insee_code:
        return territories.get(org.insee_code)
    return None


def _territory_chain(territory: Territory | None) -> dict[str, Any] | None:
    if territory is None:
        return None
    chain: dict[str, Any] = {}
    node: Territory | None = territory
    while node is not None:
        chain[node.level] = {"code": node.insee_code, "name": node.name}
        node = node.parent
    return chain


def member_card(
    user: User, *, viewer: User, territories: dict[str, Territory], full: bool = False
) -> dict[str, Any]:
    profile: MemberProfile | None = getattr(user, "profile", None)
    try:
        standing: Standing | None = user.standing
    except Standing.DoesNotExist:
        standing = None
    own = viewer.pk == user.pk
    level = level_ref(standing)
    if not own:
        level["points"] = None
    card: dict[str, Any] = {
        "id": user.pk,
        "name": user.name,
        "job_title": user.job_title,
        "organisation": user.organisation.name if user.organisation else None,
        "territory": _territory_chain(_territory_of(user, territories)),
        "skills": list(profile.skills) if profile else [],
        "level": level,
        "email": user.email if own or (profile is not None and profile.show_email) else None,
    }
    if full:
        cv_public = bool(profile and profile.cv_public)
        card["cv_public"] = cv_public
        card["cv"] = profile.cv if profile and (own or cv_public) else None
        card["show_email"] = bool(profile and profile.show_email)
    return card


def _territories_for(users: list[User]) -> dict[str, Territory]:
    codes = {
        u.organisation.insee_code for u in users if u.organisation and u.organisation.insee_code
    }
    found = Territory.objects.filter(
        insee_code__in=codes, level=Territory.Level.COMMUNE
    ).select_related("parent__parent")
    return {t.insee_code: t for t in found}


def _clean_text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(_("« %(f)s » doit être une chaîne de caractères.") % {"f": name})
    if len(value) > QUERY_MAX:
        raise TooLarge(_("« %(f)s » est trop long.") % {"f": name})
    return value.strip()


def _territory_filter(code: str) -> Q:
    """Members whose commune is ``code``, or lies in the département or région ``code``."""
    communes = Territory.objects.filter(level=Territory.Level.COMMUNE).filter(
        Q(insee_code=code)
        | Q(parent__insee_code=code, parent__level="departement")
        | Q(parent__parent__insee_code=code, parent__parent__level="region")
    )
    commune_ids = list(communes.values_list("pk", flat=True))
    commune_codes = list(communes.values_list("insee_code", flat=True))
    return Q(profile__territory_id__in=commune_ids) | Q(
        profile__territory__isnull=True, organisation__insee_code__in=commune_codes
    )


def member_search(
    *,
    viewer: User,
    q: Any = None,
    organisation: Any = None,
    territory: Any = None,
    job: Any = None,
    skill: Any = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    q, organisation = _clean_text(q, "q"), _clean_text(organisation, "organisation")
    territory, job = _clean_text(territory, "territory").upper(), _clean_text(job, "job")
    skill = _clean_text(skill, "skill")
    users = _listed().select_related(
        "organisation", "profile__territory__parent__parent", "standing"
    )
    if q:
        users = users.filter(
            Q(name__icontains=q)
            | Q(job_title__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(profile__skills__icontains=q)
        )
    if organisation:
        users = users.filter(organisation__name__icontains=organisation)
    if job:
        users = users.filter(job_title__icontains=job)
    if skill:
        users = users.filter(profile__skills__icontains=skill)
    if territory:
        users = users.filter(_territory_filter(territory))
    found = list(users.order_by("name", "pk")[: max(1, min(limit, PAGE_MAX))])
    territories = _territories_for(found)
    return [member_card(u, viewer=viewer, territories=territories) for u in found]


def member_profile(*, viewer: User, user_id: int) -> dict[str, Any]:
    user = (
        _listed()
        .select_related("organisation", "profile__territory__parent__parent", "standing")
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        raise NotFound()
    return member_card(user, viewer=viewer, territories=_territories_for([user]), full=True)


def public_cv(*, user_id: int) -> dict[str, Any]:
    """What the public CV page shows; the same 404 whether absent or unpublished."""
    user = (
        _listed()
        .select_related("organisation", "profile")
        .filter(pk=user_id, profile__cv_public=True)
        .first()
    )
    if user is None:
        raise NotFound()
    return {
        "name": user.name,
        "job_title": user.job_title,
        "organisation": user.organisation.name if user.organisation else "",
        "skills": list(user.profile.skills),
        "cv": user.profile.cv,
    }


def members_by_territory(*, viewer: User) -> list[dict[str, Any]]:
    """Régions, their départements and their communes, with how many members each has."""
    users = list(_listed().select_related("organisation", "profile__territory__parent__parent"))
    territories = _territories_for(users)
    regions: dict[str, dict[str, Any]] = {}
    for user in users:
        commune = _territory_of(user, territories)
        if commune is None or commune.level != Territory.Level.COMMUNE:
            continue
        dep = commune.parent
        reg = dep.parent if dep is not None else None
        reg_key = reg.insee_code if reg else ""
        region = regions.setdefault(
            reg_key,
            {
                "code": reg_key,
                "name": reg.name if reg else _("Autre"),
                "count": 0,
                "departements": {},
            },
        )
        region["count"] += 1
        dep_key = dep.insee_code if dep else ""
        departement = region["departements"].setdefault(
            dep_key,
            {"code": dep_key, "name": dep.name if dep else _("Autre"), "count": 0, "communes": {}},
        )
        departement["count"] += 1
        entry = departement["communes"].setdefault(
            commune.insee_code, {"code": commune.insee_code, "name": commune.name, "count": 0}
        )
        entry["count"] += 1
    out = []
    for region in sorted(regions.values(), key=lambda r: r["name"]):
        deps = []
        for dep in sorted(region["departements"].values(), key=lambda d: d["code"]):
            dep["communes"] = sorted(dep["communes"].values(), key=lambda c: c["name"])
            deps.append(dep)
        region["departements"] = deps
        out.append(region)
    return out


def _clean_skills(skills: Any) -> list[str]:
    if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
        raise BadRequest(_("« skills » est une liste de chaînes."), field="skills")
    if len(skills) > SKILLS_MAX:
        raise TooLarge(_("%(n)s compétences au plus.") % {"n": SKILLS_MAX}, field="skills")
    clean: list[str] = []
    for skill in skills:
        skill = skill.strip()
        if len(skill) > SKILL_MAX:
            raise TooLarge(
                _("Une compétence fait %(n)s caractères au plus.") % {"n": SKILL_MAX},
                field="skills",
            )
        if skill and skill.lower() not in {s.lower() for s in clean}:
            clean.append(skill)
    return clean


@transaction.atomic
def member_profile_update(
    *,
    user: User,
    skills: Any = None,
    cv: Any = None,
    cv_public: Any = None,
    show_email: Any = None,
    territory: Any = None,
) -> MemberProfile:
    """Change the given fields of one's directory profile (None leaves one alone).
    ``territory``: a commune's INSEE code, or "" to follow the organisation again."""
    profile, _created = MemberProfile.objects.select_for_update().get_or_create(user=user)
    if skills is not None:
        profile.skills = _clean_skills(skills)
    if cv is not None:
        if not isinstance(cv, str):
            raise BadRequest(_("« cv » doit être une chaîne de caractères."), field="cv")
        if len(cv) > CV_MAX:
            raise TooLarge(
                _("Le CV dépasse %(n)s caractères ; il n'a pas été enregistré.") % {"n": "20 000"},
                field="cv",
            )
        profile.cv = cv
    for name, value in (("cv_public", cv_public), ("show_email", show_email)):
        if value is not None:
            if not isinstance(value, bool):
                raise BadRequest(_("« %(f)s » vaut true ou false.") % {"f": name}, field=name)
            setattr(profile, name, value)
    if territory is not None:
        if not isinstance(territory, str) or len(territory) > 5:
            raise BadRequest(_("« territory » est un code INSEE de commune."), field="territory")
        if territory.strip():
            from backend.rooms.services import territory_lookup

            try:
                profile.territory = territory_lookup(territory, Territory.Level.COMMUNE)
            except BadRequest as error:
                error.extra["field"] = "territory"
                raise
        else:
            profile.territory = None
    profile.updated_at = timezone.now()
    profile.save()
    return profile

"""REST endpoints of webinars: agenda, registration, questions, votes, moderation, exports."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictBool, StrictInt, StrictStr

from backend.common.api import AUTH, ERRORS, StrictIn, positive_id
from backend.common.errors import BadRequest

from . import exports, selectors, services

router = Router(tags=["webinaires"], auth=AUTH)


class UserRefOut(Schema):
    id: int
    name: str


class HostOut(UserRefOut):
    role: str


class WebinarOut(Schema):
    id: int
    room: int
    room_name: str
    title: str
    description: str
    starts_at: str
    ends_at: str
    state: str = Field(description="scheduled (programmé), live (en direct) or ended (terminé)")
    intake_open: bool
    anonymous_allowed: bool
    premoderation: bool
    max_length: int
    highlighted: int | None = Field(description="The question on screen")
    peak_attendance: int
    role: str | None = Field(description="The caller's host role: speaker, moderator or null")
    registered: bool
    registrations: int
    hosts: list[HostOut] | None = None


class QuestionOut(Schema):
    id: int
    webinar: int
    body: str
    asker: UserRefOut | None = Field(description="null for an anonymous question (audience)")
    anonymous: bool
    votes: int
    moderation: str
    answer_state: str
    answer: str
    answered_by: UserRefOut | None
    answered_at: str | None
    pinned: bool
    labels: list[str]
    edited: bool
    created_at: str
    dismiss_reason: str | None = Field(None, description="Hosts and the asker only")
    original_body: str | None = Field(None, description="Hosts only")
    merged_into: int | None = None
    askers: list[UserRefOut] | None = Field(None, description="Hosts only")


class QuestionListOut(Schema):
    questions: list[QuestionOut]
    voted: list[int] = Field(description="Questions the caller has upvoted")


class ActionOut(Schema):
    id: int
    webinar: int
    question: int | None
    actor: UserRefOut | None
    action: str
    reason: str
    data: dict[str, Any]
    created_at: str


class VoteOut(Schema):
    question: int
    voted: bool
    changed: bool


class MessageRefOut(Schema):
    id: int
    seq: int


def _webinar(request: HttpRequest, webinar_id: int) -> dict[str, Any]:
    return selectors.webinar_detail_for(user=request.auth, webinar_id=webinar_id)


def _question(request: HttpRequest, question_id: int) -> dict[str, Any]:
    from .access import access_question
    from .events import question_for_asker, question_for_hosts, question_public
    from .services.questions import askers_of

    question, _w, host = access_question(actor=request.auth, question_id=question_id)
    if host is not None:
        return dict(question_for_hosts(question, askers_of(question)))
    if question.author_id == request.auth.pk:
        return question_for_asker(question)
    return dict(question_public(question))


# --- webinars -------------------------------------------------------------------------------


class AgendaQuery(Schema):
    ended: bool = Field(False, description="Include ended webinars")


@router.get(
    "/webinars", response={200: list[WebinarOut], **ERRORS}, summary="Agenda des webinaires"
)
def webinar_list(request: HttpRequest, query: Query[AgendaQuery]) -> list[dict]:
    return selectors.agenda_for(user=request.auth, include_ended=query.ended)


class NewRoomIn(StrictIn):
    access: Literal["organisation", "open", "invite"] = Field(
        "organisation",
        description="invite makes a private room; organisation or open a thematic one (theme)",
    )
    theme: StrictStr | None = Field(None, description="Theme slug, required unless invite")


class WebinarIn(StrictIn):
    room: StrictInt | None = Field(None, description="An existing room the caller moderates")
    new_room: NewRoomIn | None = Field(
        None, description="Or a room to create for the webinar (named after it, caller owner)"
    )
    title: StrictStr
    starts_at: StrictStr = Field(description="ISO 8601 with a time zone")
    ends_at: StrictStr
    description: StrictStr = ""
    intake_open: StrictBool | None = None
    anonymous_allowed: StrictBool | None = None
    premoderation: StrictBool | None = None
    max_length: StrictInt | None = None


@router.post("/webinars", response={201: WebinarOut, **ERRORS}, summary="Programmer un webinaire")
def webinar_create(request: HttpRequest, payload: WebinarIn) -> Status:
    fields = payload.dict()
    room = fields.pop("room")
    room_id = None if room is None else positive_id(room, "room")
    result = services.webinar_create(actor=request.auth, room_id=room_id, **fields)
    return Status(201, _webinar(request, result.webinar.pk))


@router.get("/webinars/{webinar_id}", response={200: WebinarOut, **ERRORS}, summary="Un webinaire")
def webinar_detail(request: HttpRequest, webinar_id: int) -> dict:
    return _webinar(request, positive_id(webinar_id, "webinar_id"))


class WebinarPatch(StrictIn):
    title: StrictStr | None = None
    description: StrictStr | None = None
    starts_at: StrictStr | None = None
    ends_at: StrictStr | None = None
    intake_open: StrictBool | None = None
    anonymous_allowed: StrictBool | None = None
    premoderation: StrictBool | None = None
    max_length: StrictInt | None = None


@router.patch(
    "/webinars/{webinar_id}", response={200: WebinarOut, **ERRORS}, summary="Modifier un webinaire"
)
def webinar_update(request: HttpRequest, webinar_id: int, payload: WebinarPatch) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    fields = payload.dict(exclude_none=True)
    if not fields:
        raise BadRequest(_("Rien à modifier."))
    services.webinar_update(actor=request.auth, webinar_id=webinar_id, **fields)
    return _webinar(request, webinar_id)


class StateIn(StrictIn):
    state: Literal["live", "ended"]


@router.post(
    "/webinars/{webinar_id}/state",
    response={200: WebinarOut, **ERRORS},
    summary="Démarrer (live) ou terminer (ended)",
)
def webinar_state(request: HttpRequest, webinar_id: int, payload: StateIn) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    action = "start" if payload.state == "live" else "end"
    services.webinar_transition(actor=request.auth, webinar_id=webinar_id, action=action)
    return _webinar(request, webinar_id)


class HostIn(StrictIn):
    user: StrictInt
    role: Literal["speaker", "moderator"]


@router.post(
    "/webinars/{webinar_id}/hosts",
    response={200: WebinarOut, **ERRORS},
    summary="Ajouter un animateur",
)
def host_add(request: HttpRequest, webinar_id: int, payload: HostIn) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    services.host_set(
        actor=request.auth,
        webinar_id=webinar_id,
        user_id=positive_id(payload.user, "user"),
        role=payload.role,
    )
    return _webinar(request, webinar_id)


@router.delete(
    "/webinars/{webinar_id}/hosts/{user_id}",
    response={200: WebinarOut, **ERRORS},
    summary="Retirer un animateur",
)
def host_remove(request: HttpRequest, webinar_id: int, user_id: int) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    services.host_set(
        actor=request.auth,
        webinar_id=webinar_id,
        user_id=positive_id(user_id, "user_id"),
        role=None,
    )
    return _webinar(request, webinar_id)


@router.post(
    "/webinars/{webinar_id}/registration",
    response={200: WebinarOut, **ERRORS},
    summary="S'inscrire",
)
def register(request: HttpRequest, webinar_id: int) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    services.registration_set(actor=request.auth, webinar_id=webinar_id, registered=True)
    return _webinar(request, webinar_id)


@router.delete(
    "/webinars/{webinar_id}/registration",
    response={200: WebinarOut, **ERRORS},
    summary="Se désinscrire",
)
def unregister(request: HttpRequest, webinar_id: int) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    services.registration_set(actor=request.auth, webinar_id=webinar_id, registered=False)
    return _webinar(request, webinar_id)


class HighlightIn(StrictIn):
    question: StrictInt


@router.post(
    "/webinars/{webinar_id}/highlight",
    response={200: WebinarOut, **ERRORS},
    summary="Mettre une question à l'écran",
)
def highlight(request: HttpRequest, webinar_id: int, payload: HighlightIn) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    services.question_highlight(
        actor=request.auth,
        webinar_id=webinar_id,
        question_id=positive_id(payload.question, "question"),
    )
    return _webinar(request, webinar_id)


@router.delete(
    "/webinars/{webinar_id}/highlight",
    response={200: WebinarOut, **ERRORS},
    summary="Retirer la question de l'écran",
)
def unhighlight(request: HttpRequest, webinar_id: int) -> dict:
    webinar_id = positive_id(webinar_id, "webinar_id")
    services.question_highlight(actor=request.auth, webinar_id=webinar_id, question_id=None)
    return _webinar(request, webinar_id)


# --- questions ------------------------------------------------------------------------------


class QuestionQuery(Schema):
    sort: Literal["votes", "time"] = "votes"
    moderation: Literal["pending", "published", "dismissed"] | None = None


@router.get(
    "/webinars/{webinar_id}/questions",
    response={200: QuestionListOut, **ERRORS},
    summary="Questions (toutes pour les animateurs)",
)
def question_list(request: HttpRequest, webinar_id: int, query: Query[QuestionQuery]) -> Any:
    return selectors.questions_for(
        user=request.auth,
        webinar_id=positive_id(webinar_id, "webinar_id"),
        sort=query.sort,
        moderation=query.moderation,
    )


class AskIn(StrictIn):
    body: StrictStr
    anonymous: StrictBool = False


@router.post(
    "/webinars/{webinar_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="Poser une question",
)
def question_ask(request: HttpRequest, webinar_id: int, payload: AskIn) -> Status:
    result = services.question_ask(
        actor=request.auth,
        webinar_id=positive_id(webinar_id, "webinar_id"),
        body=payload.body,
        anonymous=payload.anonymous,
    )
    return Status(201, _question(request, result.question.pk))


class PromoteIn(StrictIn):
    from_message: StrictInt = Field(description="A message of the webinar's room")


@router.post(
    "/webinars/{webinar_id}/promote",
    response={201: QuestionOut, **ERRORS},
    summary="Faire d'un message une question",
)
def question_promote(request: HttpRequest, webinar_id: int, payload: PromoteIn) -> Status:
    result = services.question_promote(
        actor=request.auth,
        webinar_id=positive_id(webinar_id, "webinar_id"),
        message_id=positive_id(payload.from_message, "from_message"),
    )
    return Status(201, _question(request, result.question.pk))


@router.get(
    "/webinars/{webinar_id}/actions",
    response={200: list[ActionOut], **ERRORS},
    summary="Journal de modération (animateurs)",
)
def action_list(request: HttpRequest, webinar_id: int) -> list[dict]:
    return selectors.actions_for(
        user=request.auth, webinar_id=positive_id(webinar_id, "webinar_id")
    )


class ExportQuery(Schema):
    format: Literal["csv", "md"] = "csv"


@router.get(
    "/webinars/{webinar_id}/export",
    response={200: None, **ERRORS},
    summary="Exporter les questions-réponses (CSV ou Markdown)",
)
def export(request: HttpRequest, webinar_id: int, query: Query[ExportQuery]) -> HttpResponse:
    webinar, questions = selectors.export_rows_for(
        user=request.auth, webinar_id=positive_id(webinar_id, "webinar_id")
    )
    if query.format == "csv":
        body, kind = exports.to_csv(webinar, questions), "text/csv; charset=utf-8"
    else:
        body, kind = exports.to_markdown(webinar, questions), "text/markdown; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = (
        f'attachment; filename="webinaire-{webinar.pk}.{query.format}"'
    )
    return response


# --- one question ---------------------------------------------------------------------------


@router.get(
    "/questions/{question_id}", response={200: QuestionOut, **ERRORS}, summary="Une question"
)
def question_detail(request: HttpRequest, question_id: int) -> dict:
    return _question(request, positive_id(question_id, "question_id"))


@router.post("/questions/{question_id}/vote", response={200: VoteOut, **ERRORS}, summary="Voter")
def vote_add(request: HttpRequest, question_id: int) -> dict:
    result = services.question_vote(
        actor=request.auth, question_id=positive_id(question_id, "question_id"), vote=True
    )
    return {"question": result.question_id, "voted": result.voted, "changed": result.changed}


@router.delete(
    "/questions/{question_id}/vote", response={200: VoteOut, **ERRORS}, summary="Retirer son vote"
)
def vote_remove(request: HttpRequest, question_id: int) -> dict:
    result = services.question_vote(
        actor=request.auth, question_id=positive_id(question_id, "question_id"), vote=False
    )
    return {"question": result.question_id, "voted": result.voted, "changed": result.changed}


class ModerationIn(StrictIn):
    action: Literal["approve", "dismiss", "restore"]
    reason: StrictStr | None = Field(None, description="Dismissal: shown to the asker only")


@router.post(
    "/questions/{question_id}/moderation",
    response={200: QuestionOut, **ERRORS},
    summary="Approuver, écarter ou rétablir",
)
def moderate(request: HttpRequest, question_id: int, payload: ModerationIn) -> dict:
    question_id = positive_id(question_id, "question_id")
    services.question_moderate(
        actor=request.auth, question_id=question_id, action=payload.action, reason=payload.reason
    )
    return _question(request, question_id)


class AnswerStateIn(StrictIn):
    state: Literal["open", "answering", "answered"]


@router.post(
    "/questions/{question_id}/answer-state",
    response={200: QuestionOut, **ERRORS},
    summary="En cours de réponse, répondue, ou rouverte",
)
def answer_state(request: HttpRequest, question_id: int, payload: AnswerStateIn) -> dict:
    question_id = positive_id(question_id, "question_id")
    services.question_answer_state(actor=request.auth, question_id=question_id, state=payload.state)
    return _question(request, question_id)


class AnswerIn(StrictIn):
    answer: StrictStr


@router.post(
    "/questions/{question_id}/answer",
    response={200: QuestionOut, **ERRORS},
    summary="Répondre par écrit",
)
def answer(request: HttpRequest, question_id: int, payload: AnswerIn) -> dict:
    question_id = positive_id(question_id, "question_id")
    services.question_answer(actor=request.auth, question_id=question_id, answer=payload.answer)
    return _question(request, question_id)


class EditIn(StrictIn):
    body: StrictStr


@router.patch(
    "/questions/{question_id}",
    response={200: QuestionOut, **ERRORS},
    summary="Reformuler (modérateurs)",
)
def edit(request: HttpRequest, question_id: int, payload: EditIn) -> dict:
    question_id = positive_id(question_id, "question_id")
    services.question_edit(actor=request.auth, question_id=question_id, body=payload.body)
    return _question(request, question_id)


class FlagsIn(StrictIn):
    pinned: StrictBool | None = None
    labels: list[StrictStr] | None = None


@router.post(
    "/questions/{question_id}/flags",
    response={200: QuestionOut, **ERRORS},
    summary="Épingler, étiqueter",
)
def flags(request: HttpRequest, question_id: int, payload: FlagsIn) -> dict:
    question_id = positive_id(question_id, "question_id")
    services.question_flags(
        actor=request.auth, question_id=question_id, pinned=payload.pinned, labels=payload.labels
    )
    return _question(request, question_id)


class MergeIn(StrictIn):
    into: StrictInt


@router.post(
    "/questions/{question_id}/merge",
    response={200: QuestionOut, **ERRORS},
    summary="Fusionner un doublon dans une autre question",
)
def merge(request: HttpRequest, question_id: int, payload: MergeIn) -> dict:
    result = services.question_merge(
        actor=request.auth,
        question_id=positive_id(question_id, "question_id"),
        into_id=positive_id(payload.into, "into"),
    )
    return _question(request, result.question.pk)


@router.post(
    "/questions/{question_id}/to-chat",
    response={201: MessageRefOut, **ERRORS},
    summary="Envoyer la question et sa réponse dans le salon",
)
def to_chat(request: HttpRequest, question_id: int) -> Status:
    message = services.question_to_chat(
        actor=request.auth, question_id=positive_id(question_id, "question_id")
    )
    return Status(201, {"id": message.pk, "seq": message.seq})


# The calendar endpoints live in their own module, on this router.
from . import api_calendar  # noqa: E402, F401

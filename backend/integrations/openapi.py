"""``POST /hooks/<secret>`` in the OpenAPI document.

The hook is a plain Django view outside the REST API (Slack clients expect its ``200 ok`` in
plain text and know nothing of CSRF or bearer tokens), so ninja does not describe it; this
describes it by hand, next to the operations ninja generates (see ``backend.api``).
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/ErrorOut"}


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ERROR}},
        **extra,
    }


_TEXT_OBJECT = {
    "type": "object",
    "properties": {"type": {"type": "string"}, "text": {"type": "string"}},
}
_FIELD = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "value": {"type": "string"},
        "short": {"type": "boolean"},
    },
}
_ATTACHMENT = {
    "type": "object",
    "properties": {
        "fallback": {"type": "string"},
        "color": {"type": "string", "description": "good, warning, danger or #rrggbb"},
        "pretext": {"type": "string"},
        "title": {"type": "string"},
        "title_link": {"type": "string"},
        "text": {"type": "string"},
        "fields": {"type": "array", "items": _FIELD, "maxItems": 20},
        "footer": {"type": "string"},
        "image_url": {"type": "string"},
    },
}
_BLOCK = {
    "type": "object",
    "description": "header, section (text, fields), context, divider, image (shown as a "
    "link); interactive blocks are ignored",
    "properties": {
        "type": {"type": "string"},
        "text": _TEXT_OBJECT,
        "fields": {"type": "array", "items": _TEXT_OBJECT},
        "elements": {"type": "array", "items": {"type": "object"}},
        "image_url": {"type": "string"},
        "alt_text": {"type": "string"},
    },
}
SLACK_PAYLOAD = {
    "type": "object",
    "description": "A Slack incoming-webhook payload; unknown keys are ignored",
    "properties": {
        "text": {"type": "string", "description": "Slack mrkdwn: *bold*, _italic_, <url|label>"},
        "attachments": {"type": "array", "items": _ATTACHMENT, "maxItems": 20},
        "blocks": {"type": "array", "items": _BLOCK, "maxItems": 50},
        "channel": {
            "type": ["string", "integer"],
            "description": "Another room the bot may post in: its id, or its name (#name)",
        },
        "thread": {"type": "integer", "description": "Reply in the thread of this message id"},
        "thread_ts": {
            "oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]{1,18}$"}],
            "description": "Slack's name for thread: the message id, as a number or digits",
        },
        "username": {
            "type": "string",
            "description": "Shown under the bot's badge (at most 100 characters)",
        },
        "icon_url": {
            "type": "string",
            "description": "Accepted and kept in the message's meta, but not displayed",
        },
    },
}

HOOK_PATHS: dict[str, Any] = {
    "/hooks/{secret}": {
        "post": {
            "operationId": "integrations_incoming_hook",
            "summary": "Webhook entrant au format Slack (Mattermost, Rocket.Chat, Zulip)",
            "description": "Posts the payload, rendered into Préau Markdown, as the hook's bot "
            "in the hook's room (or `channel`). The secret in the path is the credential: no "
            "session, no bearer token. Body: a JSON object, or form-encoded `payload=<JSON "
            "object>`; at most 64 KiB.",
            "tags": ["robots"],
            "security": [],
            "parameters": [
                {
                    "in": "path",
                    "name": "secret",
                    "required": True,
                    "description": "The hook's secret, shown once when it was created",
                    "schema": {"type": "string", "maxLength": 200},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": SLACK_PAYLOAD},
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "payload": {
                                    "type": "string",
                                    "description": "The Slack payload as a JSON object",
                                }
                            },
                            "required": ["payload"],
                        }
                    },
                },
            },
            "responses": {
                "200": {
                    "description": "Posted; answered like Slack",
                    "content": {"text/plain": {"schema": {"type": "string", "const": "ok"}}},
                },
                "400": _error("Not a JSON object nor payload=, empty message, bad thread"),
                "403": _error("The bot may not post in that room"),
                "404": _error("No such hook (or revoked), or a channel the bot has no grant in"),
                "413": _error("Body over 64 KiB, or a rendered message over 10,000 characters"),
                "429": _error(
                    "Too many posts for this hook or this bot",
                    headers={
                        "Retry-After": {
                            "description": "Seconds to wait",
                            "schema": {"type": "integer"},
                        }
                    },
                ),
            },
        }
    }
}

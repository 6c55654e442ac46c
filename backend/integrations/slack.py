"""Slack incoming-webhook payloads rendered as Préau Markdown.

The format is Slack's (https://api.slack.com/messaging/webhooks), which Mattermost, Rocket.Chat
and Zulip accept too, so that Grafana, GitLab, Alertmanager, Apprise and scripts work unchanged.
Only presentation is kept: interactive blocks (buttons, menus, inputs) are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

MAX_ATTACHMENTS = 20
MAX_BLOCKS = 50
MAX_FIELDS = 20

_TOKEN = re.compile(r"<([^<>\n]*)>")
# *bold*, _italic_, ~strike~: a marker, no space inside the edges, the same marker, no word char
# around (so snake_case and 2*3*4 stay as they are).
_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~])(?=\S)([^*_~\n]*?\S)\1(?![\w*_~])")
_EMPHASIS_AS = {"*": "**{}**", "_": "*{}*", "~": "~~{}~~"}
_COLOURS = {"good": "🟢 ", "warning": "🟠 ", "danger": "🔴 "}
_EVERYONE = {"!channel", "!here", "!everyone"}


@dataclass
class Rendered:
    body: str
    username: str = ""
    icon_url: str = ""
    channel: str | int | None = None
    thread: Any = None
    meta: dict[str, str] = field(default_factory=dict)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _link(url: str, label: str) -> str:
    label = label.replace("[", "\\[").replace("]", "\\]")
    url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({url})"


def _token(inner: str, *, everyone: bool) -> str:
    target, _bar, label = inner.partition("|")
    target, label = _unescape(target.strip()), _unescape(label.strip())
    if target in _EVERYONE:
        return "@salon" if everyone else ""
    if target.startswith("!"):  # !date^…|fallback, !subteam^…|name
        return label
    if target.startswith(("@", "#")):  # <@U123|jeanne>, <#C123|général>
        return f"{target[0]}{label}" if label else target
    if is_web_url(target):
        return _link(target, label) if label else target
    if target.lower().startswith("mailto:"):
        return label or target[len("mailto:") :]
    return label or target


def _emphasis(text: str) -> str:
    return _EMPHASIS.sub(lambda m: _EMPHASIS_AS[m.group(1)].format(m.group(2)), text)


def mrkdwn(text: Any, *, everyone: bool) -> str:
    """Slack mrkdwn to Préau Markdown: links, emphasis, @channel, HTML entities."""
    text = _str(text)
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(_unescape(_emphasis(text[position : match.start()])))
        out.append(_token(match.group(1), everyone=everyone))
        position = match.end()
    out.append(_unescape(_emphasis(text[position:])))
    return "".join(out)


def _text_object(obj: Any, *, everyone: bool) -> str:
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text"), everyone=everyone)
    return _str(obj.get("text"))


def _fields(items: Any, render: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [line for line in (render(item) for item in items[:MAX_FIELDS]) if line]


def _block(block: Any, *, everyone: bool) -> str:
    if not isinstance(block, dict):
        return ""
    kind = block.get("type")
    if kind == "header":
        title = _text_object(block.get("text"), everyone=everyone).strip()
        return f"**{title}**" if title else ""
    if kind == "section":
        lines = [_text_object(block.get("text"), everyone=everyone)]
        lines += _fields(block.get("fields"), lambda f: _text_object(f, everyone=everyone))
        return "\n".join(line for line in lines if line)
    if kind == "context":
        elements = block.get("elements")
        parts = _fields(elements, lambda e: _text_object(e, everyone=everyone))
        return " · ".join(parts)
    if kind == "divider":
        return "---"
    if kind == "image":
        url = _str(block.get("image_url"))
        if not is_web_url(url):
            return ""
        label = _text_object(block.get("title"), everyone=False) or _str(block.get("alt_text"))
        return _link(url, label or "image")
    return ""  # actions, input and other interactive blocks


def _attachment(item: Any, *, everyone: bool) -> str:
    if not isinstance(item, dict):
        return ""
    lines = []
    pretext = mrkdwn(item.get("pretext"), everyone=everyone)
    if pretext:
        lines.append(pretext)
    title, link = _str(item.get("title")), _str(item.get("title_link"))
    colour = _COLOURS.get(_str(item.get("color")), "")
    if title:
        lines.append(colour + (f"**{_link(link, title)}**" if is_web_url(link) else f"**{title}**"))
        colour = ""
    text = mrkdwn(item.get("text"), everyone=everyone)
    if text:
        lines.append(colour + text)
        colour = ""

    def field_line(f: Any) -> str:
        if not isinstance(f, dict):
            return ""
        name, value = _str(f.get("title")), mrkdwn(f.get("value"), everyone=everyone)
        return f"**{name}** : {value}" if name else value

    lines += _fields(item.get("fields"), field_line)
    blocks = item.get("blocks")
    if isinstance(blocks, list):
        lines += [b for b in (_block(x, everyone=everyone) for x in blocks[:MAX_BLOCKS]) if b]
    footer = _str(item.get("footer"))
    if footer:
        lines.append(f"*{mrkdwn(footer, everyone=False)}*")
    if not lines:
        fallback = _str(item.get("fallback"))
        if fallback:
            lines.append(colour + fallback)
    return "\n".join(lines)


def render(payload: dict[str, Any], *, everyone: bool) -> Rendered:
    """The message a Slack payload asks for. ``everyone``: may @channel become @salon."""
    parts = []
    blocks = payload.get("blocks")
    if isinstance(blocks, list) and blocks:
        # As in Slack, ``text`` is then only the notification fallback.
        parts += [b for b in (_block(x, everyone=everyone) for x in blocks[:MAX_BLOCKS]) if b]
    if not parts:
        text = mrkdwn(payload.get("text"), everyone=everyone)
        if text:
            parts.append(text)
    attachments = payload.get("attachments")
    if isinstance(attachments, list):
        for item in attachments[:MAX_ATTACHMENTS]:
            rendered = _attachment(item, everyone=everyone)
            if rendered:
                parts.append(rendered)
    meta = {}
    username = _str(payload.get("username")).strip()[:100]
    if username:
        meta["username"] = username
    icon_url = _str(payload.get("icon_url")).strip()
    if is_web_url(icon_url) and len(icon_url) <= 2048:
        meta["icon_url"] = icon_url
    channel = payload.get("channel")
    return Rendered(
        body="\n\n".join(parts).strip(),
        username=username,
        icon_url=meta.get("icon_url", ""),
        channel=channel
        if isinstance(channel, str | int) and not isinstance(channel, bool)
        else None,
        thread=payload.get("thread"),
        meta=meta,
    )

"""Slack payloads rendered as Préau Markdown (no database)."""

from __future__ import annotations

import pytest

from backend.integrations.slack import mrkdwn, render


@pytest.mark.parametrize(
    ("slack", "preau"),
    [
        ("<https://www.insee.fr|INSEE>", "[INSEE](https://www.insee.fr)"),
        ("voir <https://www.insee.fr>", "voir https://www.insee.fr"),
        ("<javascript:alert(1)|clique>", "clique"),
        ("<ftp://exemple.fr/f|fichier>", "fichier"),
        ("<mailto:dgs@ville.fr|la DGS>", "la DGS"),
        ("*alerte* orange", "**alerte** orange"),
        ("_en cours_", "*en cours*"),
        ("~annulé~", "~~annulé~~"),
        ("snake_case_name et 2*3*4", "snake_case_name et 2*3*4"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("<https://x.fr/a_b_c|lien_ici>", "[lien_ici](https://x.fr/a_b_c)"),
        ("<https://x.fr/?a=1&amp;b=2|Q&amp;R>", "[Q&R](https://x.fr/?a=1&b=2)"),
        ("<@U123|jeanne> et <#C1|général>", "@jeanne et #général"),
        ("<!date^1392734382^{date}|19 février>", "19 février"),
    ],
)
def test_slack_markup_becomes_preau_markdown(slack, preau):
    assert mrkdwn(slack, everyone=True) == preau


def test_channel_and_here_become_salon_only_when_allowed():
    assert mrkdwn("<!channel> coupure", everyone=True) == "@salon coupure"
    assert mrkdwn("<!here> coupure", everyone=True) == "@salon coupure"
    assert mrkdwn("<!channel> coupure", everyone=False) == " coupure"


def test_attachments_render_title_link_pretext_text_fields_footer_and_colour():
    rendered = render(
        {
            "attachments": [
                {
                    "pretext": "Alerte Grafana",
                    "title": "CPU élevé",
                    "title_link": "https://grafana.example.fr/d/1",
                    "text": "Le serveur *web-1* dépasse 90 %",
                    "fields": [
                        {"title": "Hôte", "value": "web-1"},
                        {"title": "Seuil", "value": "90"},
                    ],
                    "footer": "Grafana",
                    "color": "danger",
                }
            ]
        },
        everyone=False,
    )
    assert rendered.body == (
        "Alerte Grafana\n"
        "🔴 **[CPU élevé](https://grafana.example.fr/d/1)**\n"
        "Le serveur **web-1** dépasse 90 %\n"
        "**Hôte** : web-1\n"
        "**Seuil** : 90\n"
        "*Grafana*"
    )


def test_blocks_render_and_replace_text_and_interactive_blocks_are_ignored():
    rendered = render(
        {
            "text": "repli pour les notifications",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Vigilance météo"}},
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": "Orages *forts* dans le <https://meteo.fr|Rhône>",
                    },
                    "fields": [{"type": "mrkdwn", "text": "*Niveau* : orange"}],
                    "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Ok"}},
                },
                {"type": "divider"},
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "Clic"}}
                    ],
                },
                {
                    "type": "context",
                    "elements": [
                        {"type": "mrkdwn", "text": "Météo-France"},
                        {"type": "plain_text", "text": "12 h"},
                    ],
                },
                {"type": "image", "image_url": "https://meteo.fr/carte.png", "alt_text": "Carte"},
                {"type": "image", "image_url": "javascript:alert(1)", "alt_text": "piège"},
            ],
        },
        everyone=False,
    )
    assert rendered.body == (
        "**Vigilance météo**\n\n"
        "Orages **forts** dans le [Rhône](https://meteo.fr)\n**Niveau** : orange\n\n"
        "---\n\n"
        "Météo-France · 12 h\n\n"
        "[Carte](https://meteo.fr/carte.png)"
    )
    assert "Clic" not in rendered.body and "repli" not in rendered.body


def test_username_and_icon_url_are_kept_apart_from_the_body():
    rendered = render(
        {"text": "ok", "username": "Supervision", "icon_url": "https://x.fr/i.png"}, everyone=False
    )
    assert rendered.body == "ok"
    assert rendered.meta == {"username": "Supervision", "icon_url": "https://x.fr/i.png"}
    unsafe = render({"text": "ok", "icon_url": "javascript:alert(1)"}, everyone=False)
    assert unsafe.meta == {}

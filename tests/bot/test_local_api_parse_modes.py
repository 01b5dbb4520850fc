"""The local Bot API server's parse modes and markup checks, as plain functions: the text
and entities Telegram would store, and Telegram's words when it refuses."""

from __future__ import annotations

import pytest

from bot.local_api.errors import BotApiError
from bot.local_api.formatting import format_text, message_text
from bot.local_api.markup import check_reply_markup


def entities_of(text: str, mode: str | None, **options: bool) -> list[tuple]:
    formatted = format_text(text, mode, **options)
    return [
        (e["type"], e["offset"], e["length"], e.get("url") or e.get("language"))
        for e in formatted.entities
    ]


def refusal(text: str, mode: str) -> str:
    with pytest.raises(BotApiError) as error:
        format_text(text, mode)
    assert error.value.error_code == 400
    return error.value.description


def test_html_offsets_count_utf16_units() -> None:
    formatted = format_text("🚨 <b>Help</b> — <i>now</i>", "HTML")
    assert formatted.text == "🚨 Help — now"
    assert entities_of("🚨 <b>Help</b> — <i>now</i>", "HTML") == [
        ("bold", 3, 4, None),
        ("italic", 10, 3, None),
    ]


def test_html_supports_every_telegram_tag() -> None:
    text = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><code>c</code><pre>r</pre>'
        '<pre><code class="language-python">y</code></pre>'
        '<a href="https://example.org/a?b=1&amp;c=2">l</a>'
        "<blockquote>w</blockquote><blockquote expandable>z</blockquote>"
    )
    kinds = [entity[0] for entity in entities_of(text, "HTML")]
    assert kinds == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "code", "pre", "pre",
        "text_link", "blockquote", "expandable_blockquote",
    ]  # fmt: skip
    assert ("pre", 13, 1, "python") in entities_of(text, "HTML")
    assert ("text_link", 14, 1, "https://example.org/a?b=1&c=2") in entities_of(text, "HTML")


def test_html_decodes_named_and_numeric_entities() -> None:
    formatted = format_text("&lt;b&gt; &amp; &quot;x&quot; &#38; &#x1F6A8;", "HTML")
    assert formatted.text == '<b> & "x" & 🚨'


def test_html_lone_ampersand_only_passes_when_not_strict() -> None:
    # Telegram itself shows a lone "&" as is; the strict default treats it as unescaped input.
    assert format_text("Fish & chips", "HTML", strict=False).text == "Fish & chips"
    assert "must be escaped" in refusal("Fish & chips", "HTML")


def test_html_links_become_text_links_mentions_or_nothing() -> None:
    assert entities_of('<a href="example.org">e</a>', "HTML") == [
        ("text_link", 0, 1, "http://example.org")
    ]
    mention = format_text('<a href="tg://user?id=1001">Alex</a>', "HTML").entities[0]
    assert mention["type"] == "text_mention"
    assert mention["user"]["id"] == 1001
    assert entities_of('<a href="javascript:alert(1)">x</a>', "HTML") == []


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<b =1>x</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<tg-emoji emoji-id=x>🙂</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_html_refusals_match_telegram(text: str, description: str) -> None:
    assert refusal(text, "HTML") == f"Bad Request: can't parse entities: {description}"


def test_markdown_v2_entities_and_escapes() -> None:
    text = (
        r"*b* _i_ __u__ ~s~ ||p|| `c\`` [l](https://e.org/a\)b) ```py"
        "\nx=1```"
        r" \. \- \! \#"
    )
    formatted = format_text(text, "MarkdownV2")
    assert formatted.text == "b i u s p c` l x=1 . - ! #"
    assert [e["type"] for e in formatted.entities] == [
        "bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link", "pre",
    ]  # fmt: skip
    assert formatted.entities[6]["url"] == "https://e.org/a)b"
    assert formatted.entities[7]["language"] == "py"


def test_markdown_v2_blockquote_spans_its_lines() -> None:
    formatted = format_text(">Stay together\n>Keep your phone charged\nThen go", "MarkdownV2")
    assert formatted.text == "Stay together\nKeep your phone charged\nThen go"
    [quote] = formatted.entities
    assert (quote["type"], quote["offset"]) == ("blockquote", 0)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("_open", "Can't find end of Italic entity at byte offset 0"),
        ("ok ~gone", "Can't find end of Strikethrough entity at byte offset 3"),
        ("[x](https://e.org", "Can't find end of a URL at byte offset 4"),
        ("a|b", "Character '|' is reserved and must be escaped with the preceding '\\'"),
        ("x > y", "Character '>' is reserved and must be escaped with the preceding '\\'"),
        ("{x}", "Character '{' is reserved and must be escaped with the preceding '\\'"),
    ],
)
def test_markdown_v2_refusals_match_telegram(text: str, description: str) -> None:
    assert refusal(text, "MarkdownV2") == f"Bad Request: can't parse entities: {description}"


def test_legacy_markdown_is_lenient_but_needs_closed_entities() -> None:
    formatted = format_text("*Soho* _Haven_ [map](https://e.org) `W1D`. Open!", "Markdown")
    assert formatted.text == "Soho Haven map W1D. Open!"
    assert [e["type"] for e in formatted.entities] == ["bold", "italic", "text_link", "code"]
    assert refusal("snake_case", "Markdown") == (
        "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5"
    )


def test_telegram_finds_commands_mentions_hashtags_and_urls() -> None:
    formatted = format_text("/start@NightSafeBot now, ask @alex_out #safety https://e.org/x.", None)
    assert [(e["type"], e["offset"], e["length"]) for e in formatted.entities] == [
        ("bot_command", 0, 19),
        ("mention", 29, 9),
        ("hashtag", 39, 7),
        ("url", 47, 15),
    ]
    inside_code = format_text("<code>/start</code>", "HTML")
    assert [e["type"] for e in inside_code.entities] == ["code"]


def test_found_entities_after_emoji_count_utf16_units() -> None:
    formatted = format_text(
        "🆘 <b>Now</b> 🚨 see https://e.org/x & ask @alex_out", "HTML", strict=False
    )
    assert formatted.text == "🆘 Now 🚨 see https://e.org/x & ask @alex_out"
    assert [(e["type"], e["offset"], e["length"]) for e in formatted.entities] == [
        ("bold", 3, 3),
        ("url", 14, 15),
        ("mention", 36, 9),
    ]


def test_text_is_trimmed_and_entities_follow() -> None:
    formatted = format_text("\n\n  <b>Hi</b>  \n", "HTML")
    assert formatted.text == "Hi"
    assert formatted.entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_explicit_entities_win_over_parse_mode() -> None:
    bold = [{"type": "bold", "offset": 0, "length": 3}]
    formatted = format_text("<b> stays", "HTML", bold)
    assert formatted.text == "<b> stays"
    assert formatted.entities == bold


def test_message_text_limit_is_4096_utf16_units() -> None:
    assert message_text("a" * 4096, None, None, True).length == 4096
    with pytest.raises(BotApiError, match="message is too long"):
        message_text("🙂" * 2049, None, None, True)


def test_reply_keyboards_pass_and_empty_inline_keyboards_vanish() -> None:
    reply = check_reply_markup({"keyboard": [["Share location"], [{"text": "Help"}]]})
    assert reply.inline is None
    assert reply.keyboard is not None
    assert check_reply_markup({"inline_keyboard": []}).inline is None
    assert check_reply_markup({"remove_keyboard": True}).keyboard == {}
    with pytest.raises(BotApiError, match="Wrong HTTP URL"):
        check_reply_markup({"inline_keyboard": [[{"text": "x", "url": "not a url"}]]})

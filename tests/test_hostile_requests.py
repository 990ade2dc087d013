"""Requests that are not well-formed Bot Framework activities get 400 (413, 415) with a short reason of ours:
never a 5xx, a stack trace, or a log line quoting what was sent. Unknown invokes get what Teams expects."""
from __future__ import annotations

import gzip
import json
import logging

import pytest

from bot.adapter import safe_trace
from bot.inbound import MAX_BODY_BYTES
from tests.utils.teams import message, submit

CANARY = "Zebedee-Quintrell-canary"


async def _post_raw(bot, data: bytes, content_type: str = "application/json", **headers):
    async with bot.http.post(f"{bot.url}/api/messages", data=data, headers={"Content-Type": content_type, **headers}) as resp:
        return resp.status, await resp.text()


@pytest.mark.parametrize("field,junk", [
    ("entities", 5), ("from", []), ("conversation", "x"), ("attachments", {}), ("timestamp", "yesterday"),
    ("membersAdded", "x"), ("recipient", 7), ("channelData", "x"), ("channelData", {"tenant": "x"}),
    ("localTimestamp", 12), ("entities", [5]), ("attachments", [{"contentType": 5}]), ("text", {"a": 1}),
    ("value", None), ("historyDisclosed", "yes"), ("listenFor", "x"), ("suggestedActions", {"actions": "x"}),
    ("membersAdded", [{"id": 5}]), ("channelData", {"onBehalfOf": [{"itemid": "x"}]}), ("timestamp", "2026-02-30T00:00:00Z"),
])
async def test_wrong_json_types_are_400_with_a_reason_that_does_not_quote_them(bot, caplog, field, junk):
    activity = message("help", service_url=bot.connector.url)
    activity["type"] = "conversationUpdate" if field == "membersAdded" else "message"
    activity[field] = junk
    if field == "value":
        activity.pop("value")
        activity["text"] = CANARY * 3
        activity["timestamp"] = CANARY
    with caplog.at_level(logging.DEBUG):
        async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
            status, body = resp.status, await resp.json()
    assert status == 400, (field, junk)
    assert set(body) == {"error"} and len(body["error"]) < 80 and "yesterday" not in body["error"]
    assert CANARY not in caplog.text and "yesterday" not in caplog.text and "Traceback" not in caplog.text
    assert bot.connector.sent == []


@pytest.mark.parametrize("activity,reason", [
    ({"text": "no type"}, "type: required"),
    ({"type": 5}, "type: required"),
    ({"type": "bogus"}, "type: not a Bot Framework activity type"),
    ({"type": "message"}, "serviceUrl: required"),
])
async def test_missing_fields_are_400(bot, activity, reason):
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 400 and (await resp.json())["error"] == reason


async def test_missing_ids_and_bad_service_urls_are_400(bot):
    for mutate in (lambda a: a.pop("conversation"), lambda a: a["conversation"].pop("id"),
                   lambda a: a["from"].update(id=""), lambda a: a.pop("recipient"), lambda a: a.pop("channelId"),
                   lambda a: a.update(serviceUrl="javascript:alert(1)"), lambda a: a.update(serviceUrl="x")):
        activity = message("help", service_url=bot.connector.url)
        mutate(activity)
        async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
            assert resp.status == 400, activity
    assert bot.connector.sent == []


async def test_bodies_that_are_not_json_objects(bot, caplog):
    good = json.dumps(message("help", service_url=bot.connector.url)).encode()
    cases = {
        "malformed JSON": (b'{"type": "message", ' + CANARY.encode(), "application/json", 400),
        "NaN": (good[:-1] + b', "x": NaN}', "application/json", 400),
        "a list": (b"[1, 2]", "application/json", 400),
        "a string": (b'"message"', "application/json", 400),
        "not UTF-8": (good.replace(b"help", b"h\xffelp"), "application/json", 400),
        "UTF-16": (json.dumps({"type": "message"}).encode("utf-16"), "application/json; charset=utf-16", 400),
        "an unknown charset": (good, "application/json; charset=x-martian", 400),
        "latin-1 declared": (good, "application/json; charset=iso-8859-1", 400),
        "deep nesting": (b'{"type": "message", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                         "application/json", 400),
        "moderate nesting": (good[:-1] + b', "value": {"a": ' + b'{"a": ' * 40 + b"1" + b"}" * 41 + b"}",
                             "application/json", 400),
        "an integer beyond Python's digit limit": (good[:-1] + b', "x": ' + b"9" * 5000 + b"}", "application/json", 400),
        "too large": (good[:-1] + b', "x": "' + b"a" * MAX_BODY_BYTES + b'"}', "application/json", 413),
        "plain text": (b"help", "text/plain", 415),
        "no content type": (good, "", 415),
    }
    with caplog.at_level(logging.DEBUG):
        for why, (data, content_type, expected) in cases.items():
            status, text = await _post_raw(bot, data, content_type)
            assert status == expected, why
            assert len(text) < 120 and CANARY not in text, why
    assert CANARY not in caplog.text and "Traceback" not in caplog.text


async def test_a_compressed_bomb_and_broken_compression_are_refused(bot):
    bomb = gzip.compress(b'{"type": "message", "text": "' + b"a" * (20 * MAX_BODY_BYTES) + b'"}')
    assert len(bomb) < MAX_BODY_BYTES
    assert (await _post_raw(bot, bomb, **{"Content-Encoding": "gzip"}))[0] == 413
    assert (await _post_raw(bot, b"\x1f\x8b not gzip at all", **{"Content-Encoding": "gzip"}))[0] == 400


async def test_ids_too_long_for_a_bot_connector_url_are_400(bot, caplog):
    """A 9,000-character replyToId went into the reply's URL: the connector refused the request line and the
    reply was queued for ever."""
    for path in (("replyToId",), ("id",), ("conversation", "id"), ("from", "id"), ("recipient", "id")):
        activity = submit({"action": "menu.open", "target": "help"}, service_url=bot.connector.url, reply_to_id="m-1")
        node = activity
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = CANARY + "x" * 9_000
        with caplog.at_level(logging.DEBUG):
            async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
                assert resp.status == 400 and (await resp.json())["error"] == f"{'.'.join(path)}: too long"
    assert bot.connector.sent == [] and CANARY not in caplog.text


async def test_huge_text_is_413_and_long_text_is_answered(bot):
    activity = message("x" * 50_000, service_url=bot.connector.url)
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 413
    activity = message("does the virtual school chair PEP meetings? " * 500, service_url=bot.connector.url)
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 201


async def test_unknown_invokes_get_200_and_run_nothing(bot, caplog):
    """botbuilder answered 501 (Teams shows the user an error) or 500 (a value it could not deserialise)."""
    with caplog.at_level(logging.DEBUG):
        for name, value in (("composeExtension/query", {"commandId": 5}), ("task/fetch", "x"), ("signin/verifyState", None),
                            (CANARY, {"a": [1]}), ("config/fetch", {}), ("fileConsent/invoke", {"action": []})):
            activity = message(None, service_url=bot.connector.url)
            activity.update({"type": "invoke", "name": name, "value": value})
            async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
                assert resp.status == 200, name
    assert CANARY not in caplog.text and "turn failed" not in caplog.text
    assert bot.connector.sent == []


async def test_malformed_action_execute_is_400_in_teams_error_format(bot):
    for value in (5, "x", {"action": 5}, {"action": {"type": "Action.Execute"}}, {"action": {"type": "Action.Submit"}},
                  {"action": {"type": "Action.Execute", "verb": {"x": 1}}}):
        activity = message(None, service_url=bot.connector.url)
        activity.update({"type": "invoke", "name": "adaptiveCard/action", "value": value})
        async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
            assert resp.status in (200, 400), value
            body = await resp.json()
            assert body["statusCode"] in (200, 400)


async def test_activity_kinds_the_bot_does_not_handle_are_acknowledged_and_dropped(bot, engine):
    for kind, extra in (("typing", {}), ("messageReaction", {"reactionsAdded": [{"type": "like"}]}),
                        ("event", {"name": "continueConversation"}), ("endOfConversation", {}),
                        ("messageUpdate", {"text": "edited"}), ("deleteUserData", {}), ("trace", {"value": [1]})):
        activity = message(None, service_url=bot.connector.url)
        activity.update({"type": kind, **extra})
        async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
            assert resp.status == 200, kind
    assert bot.connector.sent == []


def test_safe_trace_names_types_and_places_but_never_messages():
    try:
        try:
            raise ValueError(f"bad value {CANARY}")
        except ValueError as inner:
            raise RuntimeError(f"wrapped {CANARY}") from inner
    except RuntimeError as exc:
        trace = safe_trace(exc)
    assert "builtins.RuntimeError" in trace and "builtins.ValueError" in trace and "test_safe_trace" in trace
    assert CANARY not in trace


async def test_a_failing_turn_logs_no_user_input(bot, caplog, monkeypatch):
    """The turn-error handler logged the exception with its message, and exception messages quote input."""
    from dialogs.faq import service as faq_service

    async def explode(*_args, question: str, **_kwargs):
        raise ValueError(f"could not answer {question!r}")

    monkeypatch.setattr(faq_service, "answer", explode)
    with caplog.at_level(logging.DEBUG):
        resp = await bot.post(message(f"does the virtual school help {CANARY}?", service_url=bot.connector.url))
    assert resp.status == 201
    await bot.connector.wait_for(lambda s: any("went wrong" in x.text for x in s))
    assert "turn failed" in caplog.text and "ValueError" in caplog.text
    assert CANARY not in caplog.text

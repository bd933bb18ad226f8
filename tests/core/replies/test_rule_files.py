"""The rule files are well-formed data: known kinds, no duplicates, every row can fire, suggestions clean."""

import json
from collections import Counter

import pytest

from kesu.core.replies import SEVERITIES, check_reply, get_rules
from kesu.core.replies.rules import read_data, read_rows

KINDS = {
    "forbidden.tsv": {"phrase", "allow"},
    "rewrites.tsv": {"phrase", "allow"},
    "we_commit.tsv": {"phrase", "exempt", "allow"},
    "over_promise.tsv": {"phrase", "allow"},
    "promises.tsv": {"marker", "action", "allow"},
    "time_limits.tsv": {"unit", "suffix", "day", "period", "en_unit", "en_day"},
    "authority.tsv": {"verb", "restate"},
    "acknowledgements.tsv": {"phrase"},
    "last_steps.tsv": {"listen", "apologize", "solve", "thank"},
}
SUGGESTING = ["forbidden.tsv", "rewrites.tsv", "we_commit.tsv", "over_promise.tsv"]
FINDING_CODES = {
    "forbidden_phrase",
    "negative_expression",
    "prefer_i_over_we",
    "promise_without_time_limit",
    "promise_beyond_authority",
    "over_promise",
    "missing_acknowledgement",
    "listening_ratio_low",
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_rows_have_known_kinds_and_no_duplicates(name):
    rows = read_rows(name)
    assert rows
    assert {r.kind for r in rows} <= KINDS[name]
    duplicates = [key for key, n in Counter((r.kind, r.phrase) for r in rows).items() if n > 1]
    assert duplicates == []
    assert all(r.phrase for r in rows)


@pytest.mark.parametrize("name", SUGGESTING)
def test_every_phrase_row_has_a_suggestion(name):
    assert all(r.suggestion for r in read_rows(name) if r.kind == "phrase")


@pytest.mark.parametrize(
    ("name", "matcher"),
    [
        ("forbidden.tsv", "forbidden"),
        ("rewrites.tsv", "rewrites"),
        ("we_commit.tsv", "we_commit"),
        ("over_promise.tsv", "over_promise"),
        ("acknowledgements.tsv", "acknowledgement"),
    ],
)
def test_every_phrase_finds_itself(name, matcher):
    """A row shadowed by an allow row, or written so it can never match, is caught here."""
    phrase_set = getattr(get_rules(), matcher)
    silent = [r.phrase for r in read_rows(name) if r.kind == "phrase" and not phrase_set.search(r.phrase)]
    assert silent == []


@pytest.mark.parametrize("name", ["forbidden.tsv", "rewrites.tsv", "over_promise.tsv"])
def test_suggestions_do_not_break_the_rules_themselves(name):
    for row in read_rows(name):
        if row.kind == "phrase":
            found = {f.code for f in check_reply(row.suggestion.replace("…", "")).findings}
            assert not found & {"forbidden_phrase", "negative_expression", "over_promise"}, row


def test_messages_cover_every_code_with_a_valid_severity():
    messages = get_rules().messages
    assert {m.code for m in messages.values()} == FINDING_CODES
    assert all(m.severity in SEVERITIES for m in messages.values())
    assert messages["forbidden_phrase"].severity == "block"
    assert all(m.zh and m.en for m in messages.values())


def test_settings_and_stop_files_are_json():
    settings = json.loads(read_data("settings.json"))
    assert 0 < settings["listening_tip_below"] < settings["listening_target"] < 1
    stop = json.loads(read_data("stop.json"))
    assert set(stop["opener"]) == set(stop["labels"])

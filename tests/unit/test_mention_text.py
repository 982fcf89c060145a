"""store.mentions: Signal's U+FFFC placeholders become '@Name' (UTF-16 offsets, hostile ranges)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from signal_tui.store.mentions import PLACEHOLDER, mention_spans, with_mentions
from signal_tui.store.models import Mention

P = PLACEHOLDER


def test_names_by_recipient_id_else_what_the_mention_carries() -> None:
    body = f"{P} and {P}"
    mentions = (Mention(0, 1, 5, "+4915100000001"), Mention(6, 1, 9, "+4915100000002"))
    assert with_mentions(body, mentions, {5: "Bob"}) == "@Bob and @+4915100000002"
    assert with_mentions(body, mentions) == "@+4915100000001 and @+4915100000002"


def test_offsets_are_utf16_code_units() -> None:
    body = f"👍🏽 {P}!"  # two astral characters: four UTF-16 units before the space
    assert with_mentions(body, (Mention(5, 1, 1, "x"),), {1: "Ann"}) == "👍🏽 @Ann!"


def test_stray_placeholders_and_bad_ranges() -> None:
    body = f"{P} hi {P}"
    bad = (
        Mention(-1, 1, 1, "neg"),
        Mention(0, 0, 1, "empty"),
        Mention(99, 1, 1, "beyond"),
        Mention(0, 1, 2, "Ann"),
        Mention(0, 2, 3, "overlap"),
    )
    assert with_mentions(body, bad) == "@Ann hi @…"
    assert with_mentions(None) == "" and with_mentions("") == ""
    assert with_mentions("plain", ()) == "plain"


def test_names_are_one_line_and_bounded() -> None:
    out = with_mentions(P, (Mention(0, 1, 1, "x"),), {1: "Evil\nName\x1b[31m" + "y" * 100})
    assert "\n" not in out and "\x1b" not in out and len(out) <= 41


@given(st.text(alphabet=st.sampled_from(["a", P, "😀", "\n"]), max_size=30), st.data())
def test_never_raises_and_no_placeholder_is_left(body: str, data: st.DataObject) -> None:
    mentions = data.draw(
        st.lists(
            st.builds(
                Mention,
                st.integers(-3, 70),
                st.integers(-1, 5),
                st.one_of(st.none(), st.integers(0, 3)),
                st.text(alphabet="abc \n", max_size=5),
            ),
            max_size=6,
        )
    )
    out = with_mentions(body, mentions, {0: "Zed"})
    assert P not in out
    spans = mention_spans(body, mentions)
    assert all(a < b <= len(body) for a, b, _ in spans)
    assert all(s[1] <= t[0] for s, t in itertools.pairwise(spans))

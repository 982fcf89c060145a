"""Server failures become one plain sentence, whatever the server said."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from signal_tui.api.errors import InvalidRequest, NotFound
from signal_tui.core.errors import ActionError, explain

ACTIONS = ["add_members", "remove_members", "edit_group", "link_device", "verify", "register", ""]


@given(text=st.text(max_size=300), action=st.sampled_from(ACTIONS))
def test_any_server_text_gives_a_sentence(text: str, action: str) -> None:
    err = explain(InvalidRequest(text, status=400), action)
    assert isinstance(err, ActionError)
    assert str(err) and str(err)[0] == str(err)[0].upper()
    assert err.kind


def test_known_refusals_in_plain_words() -> None:
    not_admin = InvalidRequest(
        "Failed to update group: Not a group admin (only admins can do this)\n"
    )
    assert str(explain(not_admin, "add_members")) == "Only admins can add members to this group"
    assert explain(not_admin, "remove_members").kind == "not_admin"
    linked = InvalidRequest("Linking another device is only possible from the primary device.\n")
    assert "not the primary device" in str(explain(linked, "link_device"))
    assert explain(
        InvalidRequest("Captcha required for verification, use --captcha"), "register"
    ).kind == ("captcha_required")
    wrong = InvalidRequest(
        "Verify error: [403] Authorization failed (AuthorizationFailedException)"
    )
    assert explain(wrong, "verify").kind == "bad_code"
    gone = NotFound("No group with that id found", status=404)
    assert "no longer exists" in str(explain(gone, "group"))
    assert explain(OSError(2, "No such file or directory")).kind == "file"

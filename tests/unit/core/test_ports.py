"""core/ports.py describes the real Store and SignalClient, and covers what core calls.

Every method a port names must exist on the real class as a coroutine function with the same
parameters (name, kind, default, annotation) and return annotation; and every `self.store.X` /
`self.client.X` in a core module must be named by that module's port. Either way a port cannot
silently drift from the class it stands for.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from signal_tui.api.client import SignalClient
from signal_tui.core import ports
from signal_tui.store import Store
from signal_tui.store.models import OutboxItem

STORE_PORTS = [ports.OutboxRows, ports.OutboxStore, ports.AttachmentStore, ports.MessengerStore]
CLIENT_PORTS = [ports.OutboxClient, ports.AttachmentClient, ports.MessengerClient]
CORE = Path(ports.__file__).resolve().parent
# which ports each core module's self.store / self.client stand for
USERS = {
    "outbox.py": (ports.OutboxStore, ports.OutboxClient),
    "attachments.py": (ports.AttachmentStore, ports.AttachmentClient),
    "messenger.py": (ports.MessengerStore, ports.MessengerClient),
    "messenger_actions.py": (ports.MessengerStore, ports.MessengerClient),
}


def _is_port(cls: object) -> bool:
    return (
        inspect.isclass(cls)
        and getattr(cls, "_is_protocol", False)
        and cls.__module__ == ports.__name__
    )


def port_methods(port: type) -> dict[str, Callable[..., Any]]:
    """The methods a port names, its own and those of the ports it extends."""
    found: dict[str, Callable[..., Any]] = {}
    for cls in reversed(port.__mro__):
        if _is_port(cls):
            found.update(
                (name, fn)
                for name, fn in vars(cls).items()
                if inspect.isfunction(fn) and not name.startswith("_")
            )
    return found


def _shape(sig: inspect.Signature) -> tuple[object, ...]:
    params = [(p.name, p.kind, p.default, p.annotation) for p in sig.parameters.values()]
    return (*params, sig.return_annotation)


def mismatches(port: type, real: type) -> list[str]:
    problems = []
    for name, fn in port_methods(port).items():
        impl = getattr(real, name, None)
        if impl is None:
            problems.append(f"{real.__name__} has no {name} ({port.__name__} names it)")
            continue
        if inspect.iscoroutinefunction(fn) != inspect.iscoroutinefunction(impl):
            problems.append(f"{port.__name__}.{name} and {real.__name__}.{name}: async differs")
        want, got = inspect.signature(fn), inspect.signature(impl)
        if _shape(want) != _shape(got):
            problems.append(f"{port.__name__}.{name}{want} != {real.__name__}.{name}{got}")
    return problems


def test_every_port_is_checked() -> None:
    defined = {obj for obj in vars(ports).values() if _is_port(obj)}
    assert defined == set(STORE_PORTS + CLIENT_PORTS)
    assert set(ports.__all__) == {p.__name__ for p in defined}


@pytest.mark.parametrize("port", STORE_PORTS, ids=lambda p: p.__name__)
def test_the_real_store_provides_every_store_port(port: type) -> None:
    assert port_methods(port)
    assert mismatches(port, Store) == []


@pytest.mark.parametrize("port", CLIENT_PORTS, ids=lambda p: p.__name__)
def test_the_real_client_provides_every_client_port(port: type) -> None:
    assert port_methods(port)
    assert mismatches(port, SignalClient) == []


def _calls(path: Path, attribute: str) -> set[str]:
    """Names X in `self.<attribute>.X` anywhere in a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == attribute
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "self"
        ):
            names.add(node.attr)
    return names


@pytest.mark.parametrize("module", sorted(USERS))
def test_each_port_names_everything_its_module_calls(module: str) -> None:
    store_port, client_port = USERS[module]
    path = CORE / module
    assert _calls(path, "store") - set(port_methods(store_port)) == set()
    assert _calls(path, "client") - set(port_methods(client_port)) == set()


def test_the_check_catches_drift() -> None:
    class Drifted:  # outbox_next's parameter renamed, outbox_sent gone, typing not async
        async def outbox_next(self, now: int) -> OutboxItem | None:
            return None

        def typing(self, number: str, recipient: str, *, started: bool) -> None:
            return None

    store_problems = mismatches(ports.OutboxStore, Drifted)
    assert any(p.startswith("OutboxStore.outbox_next(") for p in store_problems)
    assert "Drifted has no outbox_sent (OutboxStore names it)" in store_problems
    client_problems = mismatches(ports.OutboxClient, Drifted)
    assert "OutboxClient.typing and Drifted.typing: async differs" in client_problems

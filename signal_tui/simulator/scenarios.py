"""Scenarios: "empty" (one registered account) and "demo" (a lived-in account with weeks of history).

History: the real server has no history API. As a DEMO-ONLY convenience the demo's history is
delivered as ordinary envelopes: queued for the first GET in normal mode, and sent to the first
WebSocket of each account in json-rpc mode (later sockets get only live traffic, like the real one).
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signal_tui.simulator import demo_data as dd
from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.demo_render import render_for
from signal_tui.simulator.state import ContactMeta, Device, Group, Person

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

ASSETS = Path(__file__).resolve().parents[2] / "assets"
DAY = 86_400_000
MIN = 60_000
STICKER_PACK = "9a32eda01a7a28574f2eb48668ae0dc4"


def asset(name: str) -> bytes:
    """A demo picture from assets/, or a generated stand-in when running from a bare wheel."""
    path = ASSETS / name
    if path.exists():
        return path.read_bytes()
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def load_scenario(sim: Simulator, name: str) -> Demo | None:
    if name == "empty":
        sim.world.host(Person(uuid=sim.world.new_uuid(), number="+15550000001", given_name="Robin"))
        return None
    if name == "demo":
        demo = Demo(sim)
        demo.build()
        return demo
    raise ValueError(f"unknown scenario {name!r} (demo or empty)")


@dataclass
class Msg:
    """One thing somebody sent, rendered later from each hosted account's point of view."""

    author: Person
    ts: int
    to: Person | Group
    dm: dict[str, Any]
    edit_of: int | None = None
    receipts: bool = True


@dataclass
class Demo:
    sim: Simulator
    people: dict[str, Person] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    msgs: list[Msg] = field(default_factory=list)
    # (timestamp, sender, content key, content): calls, stories, ... for the main account only
    extras: list[tuple[int, Person, str, dict[str, Any]]] = field(default_factory=list)

    # --- cast ---------------------------------------------------------------------------------
    def build(self) -> None:
        w = self.sim.world
        now = w.now_ms()
        me = Person(
            w.new_uuid(),
            "+15550000001",
            "Robin",
            "Quinn",
            "Trying out signal-tui",
            asset("avatar.png"),
        )
        sam = Person(w.new_uuid(), "+15550000002", "Sam", "Rivera", "☕ + 🧗")
        devices = [
            Device(1, None, now - 400 * DAY, now),
            Device(2, "Laptop", now - 90 * DAY, now - 2 * DAY),
        ]
        w.host(me, devices=devices)
        w.host(sam, devices=[Device(1, None, now - 200 * DAY, now)])
        self.people = {"me": me, "sam": sam}
        for key, number, given, family, about in dd.CONTACTS:
            person = Person(w.new_uuid(), number, given, family, about, bot=key == "echo")
            if number is None:
                person.real_number = "+15550100008"
            self.people[key] = w.add_person(person)
        self.people["farah"].username = "farah.07"  # reachable by username too
        for acct in (me.account, sam.account):
            assert acct is not None
            acct.sticker_packs.append(
                {
                    "pack_id": STICKER_PACK,
                    "url": f"https://signal.art/addstickers/#pack_id={STICKER_PACK}",
                    "installed": True,
                    "title": "Sunny faces",
                    "author": "signal-tui",
                }
            )
        me_acct, sam_acct = me.account, sam.account
        assert me_acct is not None and sam_acct is not None
        names = {
            "alice": "Alice",
            "bob": "Bob N.",
            "carla": "Mum",
            "dmitri": "Dad",
            "emma": "Emma",
            "farah": "Farah",
            "echo": "Echo",
            "sam": "Sam",
            "jules": "",
        }
        for key, local in names.items():
            me_acct.contacts[self.people[key].uuid] = ContactMeta(name=local)
        for key in ("me", "bob", "farah", "jules", "echo"):
            sam_acct.contacts[self.people[key].uuid] = ContactMeta()
        self.groups["Family"] = self._group(
            "Family", ["me", "carla", "dmitri", "emma"], "Be nice 🏡"
        )
        self.groups["Climbing crew"] = self._group(
            "Climbing crew", ["farah", "me", "sam", "bob"], "Tue + Thu, 7pm at the wall"
        )
        self._history(now)
        self._render()

    def _group(self, name: str, keys: list[str], description: str) -> Group:
        w = self.sim.world
        group = Group(
            internal_id=w.new_group_internal_id(),
            name=name,
            description=description,
            members=[self.people[k].uuid for k in keys],
            admins=[self.people[keys[0]].uuid],
            revision=3,
        )
        w.groups[group.internal_id] = group
        return group

    # --- history ------------------------------------------------------------------------------
    def _say(self, author: str, to: Person | Group, ts: int, text: str | None, **extra: Any) -> Msg:
        group = to if isinstance(to, Group) else None
        dm = ev.data_message(ts, text, **extra)
        if group is not None:
            dm["groupInfo"] = ev.group_info(group)
        msg = Msg(self.people[author], ts, to, dm)
        self.msgs.append(msg)
        return msg

    def _attach(self, name: str, filename: str, ts: int) -> dict[str, Any]:
        from signal_tui.simulator.util import image_size, sniff

        data = asset(name)
        mime, ext = sniff(data)
        att_id = self.sim.world.new_attachment_id(ext)
        self.sim.world.attachments[att_id] = data
        width, height = image_size(data)
        return ev.attachment(
            att_id, mime, len(data), filename=filename, width=width, height=height, upload_ts=ts
        )

    def _history(self, now: int) -> None:
        rng = self.sim.world.rng
        p = self.people
        start = now - 42 * DAY
        contacts = ["alice", "bob", "carla", "dmitri", "emma", "farah", "sam", "jules"]
        # direct conversations: scripted dialogues spread over six weeks
        for round_ in range(7):
            for key in contacts:
                dialogue = rng.choice(dd.DIRECT_DIALOGUES)
                ts = start + rng.randint(0, 41) * DAY + rng.randint(8 * 60, 22 * 60) * MIN + round_
                for speaker, text in dialogue:
                    ts += rng.randint(1, 9) * MIN + rng.randint(0, 59_999)
                    author = "me" if speaker == "me" else key
                    self._say(author, p[key] if author == "me" else p["me"], ts, text)
        # group chatter
        for gname, lines in dd.GROUP_LINES.items():
            group = self.groups[gname]
            for rep in range(4):
                ts = (
                    start
                    + (rep * 10 + rng.randint(0, 8)) * DAY
                    + rng.randint(9 * 60, 21 * 60) * MIN
                )
                for speaker, text in rng.sample(lines, k=10):
                    ts += rng.randint(1, 20) * MIN
                    self._say(speaker, group, ts, text)
        self.msgs.sort(key=lambda m: m.ts)
        self._highlights(now)

    def _highlights(self, now: int) -> None:
        """One of each interesting kind, recent enough to be on screen when the demo opens."""
        p, fam, crew = self.people, self.groups["Family"], self.groups["Climbing crew"]
        t = (now - 2 * DAY) // DAY * DAY + 9 * 60 * MIN  # two days ago, 09:00 UTC
        # an image with a caption, a reply to it (quote) and a reaction
        pic = self._say(
            "alice",
            p["me"],
            t,
            "Sunset from the ferry 🌅",
            attachments=[self._attach("sunset.jpg", "IMG_2041.jpg", t)],
        )
        t += 4 * MIN
        self._say(
            "me",
            p["alice"],
            t,
            "Wow, that's gorgeous",
            quote=ev.quote(pic.ts, p["alice"], p["alice"].address, "Sunset from the ferry 🌅"),
        )
        t += MIN
        self._say(
            "alice",
            p["me"],
            t,
            None,
            reaction=ev.reaction("❤️", p["me"], p["me"].address, t - MIN, False),
        )
        # Emma's cat in the family group, reactions from others
        t += 3 * 60 * MIN
        cat = self._say(
            "emma",
            fam,
            t,
            "Miso found the laundry basket",
            attachments=[self._attach("cat.jpg", "miso.jpg", t)],
        )
        for who, emoji in (("me", "😻"), ("carla", "😂")):
            t += 2 * MIN
            self._say(
                who,
                fam,
                t,
                None,
                reaction=ev.reaction(emoji, p["emma"], p["emma"].address, cat.ts, False),
            )
        # an edit (typo fixed) and a remote delete
        t += 60 * MIN
        typo = self._say("dmitri", fam, t, "Dinner is at 7, dont be late")
        t += MIN
        edit_dm = ev.data_message(t, "Dinner is at 7, don't be late!", groupInfo=ev.group_info(fam))
        self.msgs.append(Msg(p["dmitri"], t, fam, edit_dm, edit_of=typo.ts))
        t += 2 * MIN
        mine = self._say("me", fam, t, "We'll bring wine")
        t += MIN  # ... and an edit made on the phone: a sync transcript with editMessage
        mine_edit = ev.data_message(
            t, "We'll bring wine and the good cheese", groupInfo=ev.group_info(fam)
        )
        self.msgs.append(Msg(p["me"], t, fam, mine_edit, edit_of=mine.ts, receipts=False))
        t += 5 * MIN
        oops = self._say("bob", p["me"], t, "sent to the wrong chat, ignore")
        t += MIN
        self._say("bob", p["me"], t, None, remoteDelete={"timestamp": oops.ts})
        # climbing crew: group update (Jules joins), a map, a mention, styled text, sticker, poll
        t += 6 * 60 * MIN
        crew.members.append(p["jules"].uuid)
        crew.revision += 1
        upd = ev.data_message(t, None, groupInfo=ev.group_info(crew, "UPDATE"))
        self.msgs.append(Msg(p["farah"], t, crew, upd, receipts=False))
        t += 2 * MIN
        self._say(
            "farah",
            crew,
            t,
            "Meet here for the crag day",
            attachments=[self._attach("map.png", "meeting-point.png", t)],
        )
        t += 3 * MIN
        self._say(
            "farah",
            crew,
            t,
            "\ufffc are you driving?",
            mentions=[ev.mention(p["me"], p["me"].uuid, 0, 1)],
        )
        t += 2 * MIN
        self._say(
            "me",
            crew,
            t,
            "Yes! Leaving at 8 sharp, bring snacks",
            textStyles=[{"style": "BOLD", "start": 16, "length": 7}],
        )
        t += MIN
        self._say("sam", crew, t, None, sticker={"packId": STICKER_PACK, "stickerId": 3})
        t += 10 * MIN
        poll = self._say(
            "farah",
            crew,
            t,
            None,
            pollCreate={
                "question": "Which day works?",
                "allowMultiple": True,
                "options": ["Saturday", "Sunday"],
            },
        )
        for i, (who, opt) in enumerate((("bob", 0), ("jules", 1), ("sam", 0))):
            t += 4 * MIN
            vote = {
                "author": p["farah"].address,
                "authorNumber": p["farah"].number,
                "authorUuid": p["farah"].uuid,
                "targetSentTimestamp": poll.ts,
                "optionIndexes": [opt],
                "voteCount": i + 1,
            }
            self._say(who, crew, t, None, pollVote=vote)
        # a chat with Echo to show what it does, and Jules (UUID only) saying hi
        t = now - 3 * 60 * MIN
        self._say("me", p["echo"], t, "hi")
        self._say("echo", p["me"], t + 2000, "Hi there 👋 I'm Echo, I answer everything you send.")
        self._say("jules", p["me"], now - 40 * MIN, "hey, it's Jules (new number, hidden) 👋")
        self._say("alice", p["me"], now - 25 * MIN, "Are you coming to the market tomorrow?")
        self._extras(now)

    def _extras(self, now: int) -> None:
        """A missed call, a story and a disappearing-messages timer: kinds a client must show."""
        rng, p = self.sim.world.rng, self.people
        call_id = rng.getrandbits(63)
        opaque = base64.b64encode(rng.randbytes(24)).decode()
        t = now - 5 * 60 * MIN
        offer = {"offerMessage": {"id": call_id, "type": "AUDIO_CALL", "opaque": opaque}}
        self.extras.append((t, p["dmitri"], "callMessage", offer))
        hangup = {"hangupMessage": {"id": call_id, "type": "NORMAL", "deviceId": 0}}
        self.extras.append((t + 31_000, p["dmitri"], "callMessage", hangup))
        story = {
            "allowsReplies": True,
            "textAttachment": {"text": "Miso's first snow ❄️", "style": "DEFAULT"},
        }
        self.extras.append((now - 4 * 60 * MIN, p["emma"], "storyMessage", story))
        t = now - 90 * MIN
        me = p["me"].account
        assert me is not None
        me.contacts[p["farah"].uuid].expiration = 604_800  # later messages carry the timer too
        self._say("farah", p["me"], t, None, expires=604_800, is_expiration_update=True)
        self._say(
            "farah",
            p["me"],
            t + 2 * MIN,
            "Timer on, this one vanishes in a week 🫥",
            expires=604_800,
        )
        self.msgs.sort(key=lambda m: m.ts)

    # --- rendering per hosted account ---------------------------------------------------------
    def _render(self) -> None:
        for acct in self.sim.world.accounts.values():
            items = render_for(self, acct)
            frames = [
                json.dumps(ev.item(e, acct.number), ensure_ascii=False, separators=(",", ":"))
                for e in items
            ]
            if self.sim.json_rpc:
                acct.history = frames
            else:
                acct.queue.extend(frames)

    # --- life ---------------------------------------------------------------------------------
    async def trickle(self) -> None:
        """A gentle new message every 20-60 s from some contact or group, so the demo feels alive."""
        rng = self.sim.world.rng
        me = self.people["me"].account
        assert me is not None
        while True:
            await asyncio.sleep(rng.uniform(*self.sim.trickle_interval))
            text = rng.choice(dd.TRICKLE_LINES)
            if rng.random() < 0.35:
                group = rng.choice(list(self.groups.values()))
                members = [u for u in group.members if u != me.uuid]
                sender = self.sim.world.people[rng.choice(members)]
                if sender.account is None:
                    self.sim.contact_says(me, sender, text, group=group)
            else:
                key = rng.choice(["alice", "bob", "carla", "dmitri", "emma", "farah", "jules"])
                person = self.people[key]
                self.sim.contact_typing(me, person, "STARTED", None)
                await asyncio.sleep(min(1.5, self.sim.trickle_interval[0]))
                self.sim.contact_says(me, person, text)

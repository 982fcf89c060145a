"""Words for the demo: people, dialogues, trickle lines and the Echo contact's answers."""

from __future__ import annotations

import random

# (key, number, given, family, about); number None = hidden (known only by UUID)
CONTACTS = [
    ("alice", "+15550100001", "Alice", "Park", "🌻 gardening, bad puns"),
    ("bob", "+15550100002", "Bob", "Nguyen", "on the wall or on the couch"),
    ("carla", "+15550100003", "Carla", "Mendes", ""),
    ("dmitri", "+15550100004", "Dmitri", "Volkov", "coffee first"),
    ("emma", "+15550100005", "Emma", "Schulz", "🐈 Miso's human"),
    ("farah", "+15550100006", "Farah", "Haddad", "route setter"),
    ("echo", "+15550100007", "Echo", "", "I answer whatever you send me"),
    ("jules", None, "Jules", "", "number hidden"),
]

# dialogues: lists of (speaker, text); "me" is the account, "them" the contact
DIRECT_DIALOGUES = [
    [
        ("them", "Hey! Are you around this weekend?"),
        ("me", "Saturday yes, Sunday is taken"),
        ("them", "Brunch on Saturday then? 11ish?"),
        ("me", "Perfect, the usual place?"),
        ("them", "Yes 🙌"),
    ],
    [
        ("me", "Did you get home ok?"),
        ("them", "Yep, train was on time for once"),
        ("me", "A miracle"),
    ],
    [
        ("them", "Can you send me that recipe?"),
        ("me", "Which one, the lentil soup?"),
        ("them", "That one! The one with the lemon"),
        ("me", "I'll dig it out tonight"),
    ],
    [("me", "Running 10 min late, sorry!"), ("them", "No worries, I'll grab a table")],
    [
        ("them", "Happy birthday!! 🎉🎂"),
        ("me", "Thank you!! ❤️"),
        ("them", "Any plans?"),
        ("me", "Dinner with family, nothing wild"),
    ],
    [
        ("them", "Have you seen the new season yet?"),
        ("me", "Two episodes in, no spoilers please"),
        ("them", "My lips are sealed 🤐"),
    ],
    [
        ("me", "Thanks again for helping with the move"),
        ("them", "Anytime. My back disagrees though"),
        ("me", "Pizza is on me next time"),
    ],
    [
        ("them", "Quick question: do you still have my drill?"),
        ("me", "Oops, yes. I'll bring it Thursday"),
        ("them", "No rush"),
    ],
    [
        ("me", "Look outside, it's snowing!"),
        ("them", "No way, in November?"),
        ("me", "Already melting 😅"),
    ],
    [("them", "Is the meeting still at 3?"), ("me", "Moved to 3:30"), ("them", "Got it, thanks")],
    [
        ("them", "I finally fixed the bike"),
        ("me", "Nice! What was wrong?"),
        ("them", "Chain was on backwards. Don't ask"),
        ("me", "😂"),
    ],
    [
        ("me", "Book recommendation: Piranesi"),
        ("them", "Adding it to the list"),
        ("them", "Which is now 74 books long"),
    ],
]

GROUP_LINES = {
    "Family": [
        ("carla", "Sunday lunch at ours? 1pm"),
        ("me", "We'll be there"),
        ("dmitri", "Should I bring dessert?"),
        ("carla", "Yes please, the apple cake!"),
        ("emma", "Miso says hi"),
        ("dmitri", "Who's picking up grandma?"),
        ("me", "I can do it"),
        ("carla", "Thank you sweetheart"),
        ("emma", "Photos from last weekend coming"),
        ("dmitri", "Did anyone see my glasses? 👓"),
        ("carla", "On your head, as always"),
        ("me", "Happy anniversary Mum and Dad! ❤️"),
        ("emma", "Happy anniversary!!"),
        ("dmitri", "Thanks kids. 35 years, can you believe it"),
        ("carla", "Feels like 34"),
    ],
    "Climbing crew": [
        ("farah", "New routes are up in the cave section"),
        ("bob", "Tuesday session?"),
        ("sam", "I'm in"),
        ("me", "Me too, 7pm?"),
        ("farah", "7pm works"),
        ("jules", "I'll bring the new chalk"),
        ("bob", "Anyone want to split a rope?"),
        ("sam", "My shoulder says rest day"),
        ("farah", "The orange V4 is sandbagged, just saying"),
        ("me", "Flashed it. Kidding, fell 6 times"),
        ("jules", "Crag trip in spring?"),
        ("bob", "Yes! Fontainebleau?"),
        ("sam", "Saving up already"),
        ("me", "Count me in"),
        ("farah", "Great session today 💪"),
    ],
}

TRICKLE_LINES = [
    "Just saw a fox on my way home 🦊",
    "Anyone up for coffee tomorrow?",
    "This weather though ☔",
    "Made too much soup again, come over",
    "Finished the book, you were right",
    "lol",
    "Ok that's hilarious",
    "Are we still on for Friday?",
    "Good morning ☀️",
    "Running late, start without me",
    "Can someone water my plants this week?",
    "Saw this and thought of you",
    "🎶 this song is stuck in my head",
]

BOT_REPLIES = [
    "Interesting! Tell me more.",
    "Ha, I was just thinking the same.",
    "Noted 📝",
    "Sounds good to me!",
    "Oh really? 😮",
    "I'll think about it and get back to you.",
    "Love that.",
]


def bot_answer(
    rng: random.Random, text: str, has_attachment: bool, has_sticker: bool
) -> tuple[str, bool]:
    """Echo's answer to `text` and whether to quote it: questions are quoted, the rest echoed."""
    stripped = text.strip()
    if has_attachment and not stripped:
        return "Nice picture! 📷", True
    if has_sticker and not stripped:
        return "Cute sticker 😄", False
    lowered = stripped.lower()
    if lowered in ("hi", "hello", "hey", "hi!", "hello!", "hey!"):
        return "Hi there 👋 I'm Echo, I answer everything you send.", False
    if stripped.endswith("?"):
        return (
            f"Good question. {rng.choice(['I think so!', 'Probably not.', 'Ask me again tomorrow 🙂'])}",
            True,
        )
    if len(stripped) > 120:
        return "That's a lot of text! I read all of it, promise.", True
    return f"You said: “{stripped}”. {rng.choice(BOT_REPLIES)}", False

"""Note texts: a seeded pool of recruiter-like notes, mixed scripts and hostile markup.

Notes reference the pool by index so a million notes cost a few bytes each instead of a few
hundred. The special texts come first so even a tiny data set carries every hazard a
downstream template or database must survive.
"""

from __future__ import annotations

import random

# Each of these proves something downstream: escaping (HTML), storage (4-byte UTF-8, ZWJ
# sequences, combining marks), layout (RTL, very long words) or JSON handling (quotes, slashes).
SPECIAL_TEXTS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    "Great call. <b>bold</b> move to skip the phone screen.",
    "Tom &amp; Jerry Ltd. &lt;not a tag&gt; — check the entity stays as typed.",
    '<img src=x onerror="alert(2)"> said "hi" and \'bye\'',
    "Path C:\\Users\\recruiter\\notes and a tab\there",
    "面试表现非常优秀，建议进入下一轮。 東京オフィス希望。 채용 담당자 메모 🚀",
    "Candidate 👩‍💻 relocating from São Paulo to Zürich 🇨🇭 — café chat went well ☕👍",
    "مرحبا — prefers Arabic for the first call, then English.",
    "Zalgo-ish: Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇ and a very long token "
    "Supercalifragilisticexpialidocious_Supercalifragilisticexpialidocious_xyz",
    "Line one\nLine two\n\n- bullet a\n- bullet b\n\nSigned, R.",
)

_WORDS = (  # noqa: SIM905 - a word list reads better as prose
    "candidate strong backend python django postgres experience team lead remote hybrid "
    "onsite relocation salary expectations notice period interview screen loop offer "
    "references portfolio github kubernetes terraform product design mentoring hiring "
    "manager feedback follow-up availability timezone visa sponsorship contract fulltime "
    "startup enterprise fintech healthcare logistics senior junior staff principal "
    "promising excellent communication culture motivated curious pragmatic"
).split()

_FLAVOUR = (
    "café",
    "résumé",
    "naïve",
    "Kraków",
    "Ångström",
    "façade",
    "jalapeño",
    "Ærøskøbing",
    "Dvořák",
    "Łódź",
    "面试",
    "候选人",
    "非常好",
    "エンジニア",
    "東京",
    "개발자",
    "🚀",
    "👍",
    "✅",
    "🎉",
    "☕",
    "🤝",
    "👩‍💻",
    "🇫🇷",
    "&",
    "<3",
    "A&B",
    "x<y",
)

_OPENERS = (
    "Spoke with them about",
    "Follow up on",
    "Reached out regarding",
    "Phone screen:",
    "Referred by a former colleague for",
    "Not interested right now in",
    "Asked to reconnect next quarter about",
)


def build_pool(rng: random.Random, size: int) -> list[str]:
    """The special texts followed by generated ones, `size` in all (at least the specials)."""
    pool = list(SPECIAL_TEXTS)
    while len(pool) < size:
        pool.append(_note(rng))
    return pool


def _note(rng: random.Random) -> str:
    # Mostly short, as recruiters write them; a tail of long multi-paragraph notes.
    roll = rng.random()
    if roll < 0.35:
        return _phrase(rng, 2, 6)
    if roll < 0.80:
        return " ".join(_sentence(rng) for _ in range(rng.randint(1, 2)))
    if roll < 0.95:
        return "\n\n".join(_paragraph(rng, 3) for _ in range(rng.randint(2, 3)))
    return "\n\n".join(_paragraph(rng, 5) for _ in range(rng.randint(3, 4)))


def _phrase(rng: random.Random, low: int, high: int) -> str:
    words = [_word(rng) for _ in range(rng.randint(low, high))]
    return " ".join(words)


def _word(rng: random.Random) -> str:
    # About one word in eight is non-ASCII or markup-looking.
    return rng.choice(_FLAVOUR) if rng.random() < 0.125 else rng.choice(_WORDS)


def _sentence(rng: random.Random) -> str:
    body = f"{rng.choice(_OPENERS)} {_phrase(rng, 3, 12)}"
    return body + rng.choice((".", ".", "!", "?", " …"))


def _paragraph(rng: random.Random, sentences: int) -> str:
    if rng.random() < 0.25:
        return "\n".join(f"- {_phrase(rng, 2, 5)}" for _ in range(rng.randint(2, 4)))
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, sentences)))

"""The offline provider: deterministic placeholder arguments, clearly marked as such.

It needs no network and no key, so demos and tests run anywhere. The text is assembled from
generic sentences chosen by a hash of the request key, so the same request always gives the
same text, and its length follows the word range in the request parameters.
"""

from __future__ import annotations

import hashlib
import random

from arguments.types import Completion, GenerationRequest, ProviderConfig

MARKER = "[OFFLINE PLACEHOLDER: generated without a model; not a real argument]"
SENTENCES = (
    "Consider what follows if we take the claim seriously: {claim}",
    "The strongest evidence points in one direction, and it is worth weighing carefully.",
    "People who have looked closely at this question tend to reach the same conclusion.",
    "The costs of getting this wrong are larger than they first appear.",
    "A careful look at the practical consequences supports this position.",
    "Several comparable cases show how this plays out in everyday life.",
    "The main objection misses what matters most to the people affected.",
    "When the benefits and risks are set side by side, the balance is clear.",
    "This is not only a question of principle but of what works in practice.",
    "Experience from early adopters offers a useful guide here.",
    "It is reasonable to expect that the trend will continue in the coming years.",
    "Fairness, safety and cost all lead to the same answer on this question.",
)


class OfflineProvider:
    """A registered provider that writes deterministic placeholders (marked with MARKER)."""

    name = "offline"

    def __init__(self, model: str = "offline", config: ProviderConfig | None = None) -> None:
        self.model = model

    async def count_tokens(self, request: GenerationRequest) -> int:
        return len((request.system + " " + request.user).split())

    async def aclose(self) -> None:
        return None

    async def generate(self, request: GenerationRequest) -> Completion:
        return self.converse(request) if request.messages else self.write(request)

    def converse(self, request: GenerationRequest) -> Completion:
        """A placeholder reply in a conversation (pure and deterministic: the same request key
        and conversation give the same reply), at most `max_tokens` words."""
        history = "\n".join(f"{role}:{text}" for role, text in request.messages)
        digest = hashlib.sha256(f"{request.key}\n{history}".encode()).hexdigest()
        rng = random.Random(int(digest[:16], 16))
        claim = str(request.params.get("claim", "the claim"))
        turn = sum(role == "user" for role, _ in request.messages)
        words = [*MARKER.split(), *f"(reply {turn})".split()]
        target = min(request.max_tokens, rng.randint(40, 90))
        while len(words) < target:
            words += rng.choice(SENTENCES).format(claim=claim).split()
        text = " ".join(words[:target])
        prompt = request.system + " " + history
        return Completion(text, "end_turn", len(prompt.split()), target, placeholder=True)

    def write(self, request: GenerationRequest) -> Completion:
        """The placeholder for a request (pure and deterministic)."""
        seed = int(hashlib.sha256(request.key.encode()).hexdigest()[:16], 16)
        rng = random.Random(seed)
        low = int(request.params.get("words_min", 200))
        high = int(request.params.get("words_max", 300))
        target = rng.randint(low, max(low, high))
        claim = str(request.params.get("claim", "the claim"))
        words = MARKER.split()
        while len(words) < target:
            words += rng.choice(SENTENCES).format(claim=claim).split()
        text = " ".join(words[:target])
        paragraphs = [" ".join(text.split()[i : i + 80]) for i in range(0, target, 80)]
        body = "\n\n".join(paragraphs)
        return Completion(
            text=body,
            stop_reason="end_turn",
            input_tokens=len((request.system + request.user).split()),
            output_tokens=target,
            placeholder=True,
        )

"""The simulated follow-up's response model: the share of a writer's effect that remains, a
conversation's after the turns it lasted, and who answers."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from study import Study, parse_study
from surveys import FollowUpQuestion, simulate_follow_up


def conversation_study() -> Study:
    text = (resources.files("study") / "data" / "conversation.toml").read_text()
    text = text.replace('"NAME"', '"convo"').replace(
        "[simulation]\n", "[simulation]\nfollow_up_share = 0.5\nfollow_up_response = 0.6\n"
    )
    return parse_study(text)


@pytest.mark.parametrize(("writer", "turns"), [("compact-static", None), ("compact-chat", 4)])
def test_the_follow_up_keeps_the_share_of_the_items_effect(writer: str, turns: int | None) -> None:
    study = conversation_study()
    questions = [FollowUpQuestion(p, p, writer, 1, 4, turns) for p in range(20_000)]
    answers = simulate_follow_up(study, questions, seed=1)
    support = np.array([s for items in answers.values() for _, s in items])
    effect = 0.3 * (1 + 0.25 * 3) if turns else 0.3  # true_effect, turn_gain from the template
    assert support.mean() - 4 == pytest.approx(0.5 * effect, abs=0.03)
    assert len(answers) / len(questions) == pytest.approx(0.6, abs=0.02)
    again = simulate_follow_up(study, questions, seed=1)
    assert again == answers  # seeded

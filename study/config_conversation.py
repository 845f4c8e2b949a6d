"""The conversation format of a model writer: the participant rates before, converses with the
model, rates after. The limits bound what a conversation may cost and how long it may take."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from study.config_base import _Frozen

Format = Literal["static", "conversation"]
FORMATS: tuple[str, ...] = ("static", "conversation")
# a participant message is at most this many characters (counted as one token each in the
# worst-case cost of a reply)
MAX_MESSAGE_CHARS = 1500


class ConversationLimits(_Frozen):
    """Turn limits of a conversation writer. A participant turn is one message of the
    participant (each answered by one model reply). The after-rating is reachable after
    `min_turns`; no message is taken after `max_turns`, after `max_minutes`, or once the
    model's replies have used `max_conversation_tokens` output tokens."""

    min_turns: Annotated[int, Field(ge=1, le=50)] = 2
    max_turns: Annotated[int, Field(ge=1, le=50)] = 6
    max_minutes: Annotated[float, Field(gt=0, le=240)] = 15.0
    max_reply_tokens: Annotated[int, Field(ge=16, le=8000)] = 400
    max_conversation_tokens: Annotated[int, Field(ge=16, le=200_000)] = 4000

    @model_validator(mode="after")
    def _check_limits(self) -> ConversationLimits:
        if self.min_turns > self.max_turns:
            raise ValueError(
                f"min_turns ({self.min_turns}) is above max_turns ({self.max_turns}); "
                "lower min_turns or raise max_turns"
            )
        if self.max_reply_tokens > self.max_conversation_tokens:
            raise ValueError(
                f"max_reply_tokens ({self.max_reply_tokens}) is above max_conversation_tokens "
                f"({self.max_conversation_tokens}); a conversation must allow at least one reply"
            )
        return self

    def worst_input_tokens(self, system_chars: int) -> int:
        """An upper bound on one reply's prompt: the system text and every participant message
        at one token per character, and every earlier reply at its token bound."""
        replies = min(self.max_conversation_tokens, self.max_turns * self.max_reply_tokens)
        return system_chars + self.max_turns * MAX_MESSAGE_CHARS + replies

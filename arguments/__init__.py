"""Arguments: writers, prompting strategies as data, model providers behind one interface,
and generation with stable request keys (a re-run never pays twice)."""

from arguments.generate import GenerationSummary, build_request, generate_all, pending_jobs
from arguments.plan import ClaimRef, Job, plan_jobs, request_key
from arguments.providers import get_provider, split_model
from arguments.strategies import BUILTIN as STRATEGIES
from arguments.strategies import Strategy, get_strategy
from arguments.types import Completion, GenerationRequest, ModelProvider

__all__ = [
    "STRATEGIES",
    "ClaimRef",
    "Completion",
    "GenerationRequest",
    "GenerationSummary",
    "Job",
    "ModelProvider",
    "Strategy",
    "build_request",
    "generate_all",
    "get_provider",
    "get_strategy",
    "pending_jobs",
    "plan_jobs",
    "request_key",
    "split_model",
]

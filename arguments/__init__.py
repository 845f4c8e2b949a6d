"""Arguments: writers, prompting strategies and the model registry as data, model providers
behind one interface (anthropic, offline, replay), one wrapper for retries, rate limits and
cost, quality checks, human writing tasks, and generation with stable request keys (a re-run
never pays twice)."""

from arguments.cost import Estimate, PlanLine
from arguments.dispatch import Dispatcher, Limits, TokenBucket
from arguments.errors import BudgetExceeded, GenerationError, RunStopped
from arguments.generate import (
    GenerationSummary,
    NoProgress,
    Progress,
    RunOptions,
    build_request,
    generate_all,
    pending_jobs,
    run_sync,
    study_limits,
)
from arguments.human import HumanImportSummary, create_writing_tasks, import_human_arguments
from arguments.lease import LeaseHeld, LeaseLost
from arguments.ledger import Spending
from arguments.plan import HUMAN_STRATEGY, ClaimRef, Job, plan_jobs, request_key
from arguments.providers import get_provider, split_model
from arguments.quality import QualityReport, check
from arguments.registry import ModelInfo, bundled_models, model_for, registry
from arguments.replies import Replier, Reply
from arguments.reply_store import (
    MODEL_ROLE,
    PARTICIPANT_ROLE,
    end_conversation,
    limit_reached,
    reply_key,
)
from arguments.review import export_arguments, list_arguments, show_argument
from arguments.runner import spending
from arguments.strategies import Strategy, bundled_strategies, get_strategy, strategies_for
from arguments.types import (
    BatchProvider,
    Completion,
    GenerationRequest,
    ModelProvider,
    ProviderConfig,
    ProviderError,
)

__all__ = [
    "HUMAN_STRATEGY",
    "MODEL_ROLE",
    "PARTICIPANT_ROLE",
    "BatchProvider",
    "BudgetExceeded",
    "ClaimRef",
    "Completion",
    "Dispatcher",
    "Estimate",
    "GenerationError",
    "GenerationRequest",
    "GenerationSummary",
    "HumanImportSummary",
    "Job",
    "LeaseHeld",
    "LeaseLost",
    "Limits",
    "ModelInfo",
    "ModelProvider",
    "NoProgress",
    "PlanLine",
    "Progress",
    "ProviderConfig",
    "ProviderError",
    "QualityReport",
    "Replier",
    "Reply",
    "RunOptions",
    "RunStopped",
    "Spending",
    "Strategy",
    "TokenBucket",
    "build_request",
    "bundled_models",
    "bundled_strategies",
    "check",
    "create_writing_tasks",
    "end_conversation",
    "export_arguments",
    "generate_all",
    "get_provider",
    "get_strategy",
    "import_human_arguments",
    "limit_reached",
    "list_arguments",
    "model_for",
    "pending_jobs",
    "plan_jobs",
    "registry",
    "reply_key",
    "request_key",
    "run_sync",
    "show_argument",
    "spending",
    "split_model",
    "strategies_for",
    "study_limits",
]

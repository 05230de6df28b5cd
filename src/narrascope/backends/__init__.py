"""Optional remote backends (``[backends.NAME]`` sections of a pipeline config).

A backend is shared by every component that names it, so one endpoint has one client,
one cache, one set of counters and one "unreachable" warning per run.  See
:mod:`narrascope.backends.llm` and ``docs/bring-your-own-model.md``.
"""

from narrascope.backends.llm import (
    AnswerError,
    BackendUnavailable,
    LLMBackend,
    LLMConfig,
    get_backend,
    reset_backends,
)

__all__ = ["AnswerError", "BackendUnavailable", "LLMBackend", "LLMConfig", "get_backend",
           "reset_backends"]

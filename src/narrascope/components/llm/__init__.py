"""Optional LLM components (``narratives_llm``, ``roles_llm``, ``explain_llm``).

They need a ``[backends.NAME]`` section (``narrascope.backends.llm``) and work on top of
the offline layers, which they keep whenever the endpoint or an answer fails.
See ``docs/bring-your-own-model.md``.
"""

from narrascope.components.llm.explain import ExplainLLM
from narrascope.components.llm.narratives import NarrativesLLM
from narrascope.components.llm.roles import RolesLLM

__all__ = ["ExplainLLM", "NarrativesLLM", "RolesLLM"]

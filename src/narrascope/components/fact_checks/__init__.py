"""Dated fact checks: titles given to persons, checked against a knowledge base of offices.

``narrascope.components.fact_checks`` registers the ``fact_checks`` component; see
``docs/fact-checks.md``.
"""

from narrascope.components.fact_checks.component import FactChecks, build
from narrascope.components.fact_checks.kb import KBError, KnowledgeBase, load_kb

__all__ = ["FactChecks", "KBError", "KnowledgeBase", "build", "load_kb"]

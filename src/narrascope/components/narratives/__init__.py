"""Narrative classification (SemEval-2025 Task 10 subtask 2): taxonomy, data, models.

Importing this package registers the ``narratives`` pipeline component.
"""

from narrascope.components.narratives.component import NarrativesComponent
from narrascope.components.narratives.taxonomy import Taxonomy, TaxonomyError, load_taxonomy

__all__ = ["NarrativesComponent", "Taxonomy", "TaxonomyError", "load_taxonomy"]

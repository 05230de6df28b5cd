"""Persuasion techniques (SemEval-2023 Task 3), frames and narrative explanations.

Importing this package registers the ``techniques`` pipeline component.
"""

from narrascope.components.techniques.component import TechniqueDetector

__all__ = ["TechniqueDetector"]

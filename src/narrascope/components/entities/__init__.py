"""Entities: mentions, canonical entities (alias tables) and their framing roles.

Importing this package registers the ``entities`` pipeline component.
"""

from narrascope.components.entities.component import Entities

__all__ = ["Entities"]

"""Corpus analytics over the store: copies and coordination, story clusters, trends.

Each analysis is a library function over plain inputs (ids, outlets, dates, texts,
vectors) or over the :class:`narrascope.store.Store` interface, and a ``narrascope
corpus`` command (:mod:`narrascope.cli.corpus`).

* :mod:`~narrascope.corpus.copies` - copy / partial / rewrite pairs and copy groups;
* :mod:`~narrascope.corpus.network` - outlet coordination graph;
* :mod:`~narrascope.corpus.clusters` - incremental story clusters and their labels;
* :mod:`~narrascope.corpus.trends` - prevalence, framing, technique density, emerging;
* :mod:`~narrascope.corpus.profile` - outlet profile;
* :mod:`~narrascope.corpus.storage` - the same over a store (incremental, persisted);
* :mod:`~narrascope.corpus.synth` - the generated benchmark corpus.
"""

from narrascope.corpus.copies import (
    CopyDetector,
    CopyGroup,
    CopyPair,
    CopyParams,
    Item,
    copy_groups,
)

__all__ = ["CopyDetector", "CopyGroup", "CopyPair", "CopyParams", "Item", "copy_groups"]

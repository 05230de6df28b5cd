"""Training and evaluation of the entity-role classifier (outside the inference path;
``narrascope.components.entities`` only loads the shipped model)."""

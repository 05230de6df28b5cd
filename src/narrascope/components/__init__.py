"""Pipeline components, one module (or package) each, registered by name.

The order of a default pipeline: sentences -> encoder -> narratives -> entities ->
techniques -> fact_checks.  See ``narrascope.registry`` to add your own.
"""

"""Training and evaluation of the persuasion-technique sentence classifier (outside the
inference path; the component in ``narrascope.components.techniques`` only loads the
shipped weights)."""

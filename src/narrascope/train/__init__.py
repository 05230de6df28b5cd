"""Training code (outside the inference path): one subpackage per model."""

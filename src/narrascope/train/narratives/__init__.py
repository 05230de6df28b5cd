"""Training, tuning and calibration of the narratives model (``narrascope train narratives``)."""

"""Demo data for this app (filled in as the app is built)."""


def load_demo():
    """Idempotent: adds only what is missing."""
    return None

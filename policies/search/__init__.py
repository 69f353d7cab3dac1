"""Full-text search over the policy library, behind one interface (filled in
by the search work): segmentation with a domain dictionary and synonyms, an
embedded SQLite FTS5 index by default and a PostgreSQL path in production."""


def refresh_document(document):
    """Re-index a document with its articles, interpretations and items
    (called by policies.services after every change of state or content)."""


def rebuild():
    """Re-index the whole library (after a bulk import or the demo load)."""

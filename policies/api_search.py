"""JSON API for policy search and consultation (filled in by the search work)."""
from ninja import Router

router = Router()

"""JSON API under /api/v1 (filled in as the app is built)."""
from ninja import Router

router = Router()

"""The screens of 安全生产, rendered on the server through web.render."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.safety import views

router = APIRouter()
router.include_router(views.router)  # the entry point adds one router: the JSON routes and the pages

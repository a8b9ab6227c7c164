"""Synthetic people at a synthetic workstation, for tests that act as a physician, a nurse or the command line."""

from __future__ import annotations

from facetdesk.domain.users import Actor, Role

PHYSICIAN = Actor(
    username="dr.synthetic", display_name="Dr. Synthetic Signer", role=Role.PHYSICIAN, workstation="test-ws"
)
ADMIN_PHYSICIAN = PHYSICIAN.model_copy(update={"is_admin": True})
NURSE = Actor(username="rn.synthetic", display_name="RN Synthetic Nurse", role=Role.NURSE, workstation="test-ws")
COMMAND_LINE = Actor.command_line("tester", "test-ws")

# Every test account's password (synthetic; long enough for the password rules), so any of them can sign.
PASSWORD = "synthetic signing password"

"""The patient's facet pathway (facetdesk.rules.pathway), read from the records: what the pathway view shows."""

from __future__ import annotations

import builtins
from datetime import datetime

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.users import Permission
from facetdesk.rules.pathway import RegionPathway, pathways
from facetdesk.services.follow_ups import FollowUpService
from facetdesk.services.records import RecordService
from facetdesk.services.session import WorkSession


class PathwayService:
    def __init__(self, work: WorkSession, records: RecordService, follow_ups: FollowUpService, catalog: Catalog):
        self._work = work
        self._records = records
        self._follow_ups = follow_ups
        self._catalog = catalog

    def of_patient(self, patient_id: int, today: datetime | None = None) -> builtins.list[RegionPathway]:
        """Each region's steps with their verdicts and the next step's gates as of ``today`` (default: now)."""
        self._work.require(Permission.VIEW)
        patient = self._records.get_patient(patient_id)  # NotFound for an id no patient has
        procedures = self._records.procedures_of(patient_id)
        visits = self._follow_ups.of_patient(patient_id)
        return pathways(patient, procedures, visits, self._catalog, today or datetime.now())

"""Typed Cloud Monitoring time-series queries: a filter with its aggregation, a ratio of two, or PromQL.

The dashboard's charts plot them and the alert conditions threshold them, so a query is written
once and rendered to whichever the API expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Aligner = Literal["ALIGN_MEAN", "ALIGN_MAX", "ALIGN_RATE", "ALIGN_DELTA", "ALIGN_SUM"]
Reducer = Literal[
    "REDUCE_MEAN", "REDUCE_MAX", "REDUCE_SUM", "REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_95", "REDUCE_PERCENTILE_99"
]

ALIGNMENT_PERIOD = "60s"


@dataclass(frozen=True)
class FilterQuery:
    """A Cloud Monitoring filter with its aggregation."""

    filter: str
    aligner: Aligner
    reducer: Reducer
    group_by: tuple[str, ...] = ()

    def aggregation(self) -> dict[str, Any]:
        return {
            "alignmentPeriod": ALIGNMENT_PERIOD,
            "perSeriesAligner": self.aligner,
            "crossSeriesReducer": self.reducer,
            "groupByFields": list(self.group_by),
        }

    def render(self) -> dict[str, Any]:
        return {"timeSeriesFilter": {"filter": self.filter, "aggregation": self.aggregation()}}


@dataclass(frozen=True)
class RatioQuery:
    numerator: FilterQuery
    denominator: FilterQuery

    def render(self) -> dict[str, Any]:
        parts = {side: {"filter": q.filter, "aggregation": q.aggregation()} for side, q in self._sides()}
        return {"timeSeriesFilterRatio": parts}

    def _sides(self) -> tuple[tuple[str, FilterQuery], ...]:
        return (("numerator", self.numerator), ("denominator", self.denominator))


@dataclass(frozen=True)
class PromQuery:
    """PromQL over Managed Prometheus (and Cloud Monitoring metrics by their PromQL names)."""

    query: str

    def render(self) -> dict[str, Any]:
        return {"prometheusQuery": self.query}


Query = FilterQuery | RatioQuery | PromQuery

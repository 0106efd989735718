"""Outcomes: one record per partner merged from its sources, the declared indicators, the lessons.

- `merge`: `PartnerRecord`, the `Merger` that picks the answer that counts, conflicts.
- `indicators`: `compute_outcomes` → `Outcomes` (records, `IndicatorResult`s, conflicts).
- `lessons`: the expert's coding (`coding.yaml`) checked against the answers; `codingspec`,
  its format as pydantic validates it the first time a coding is read.
- `waves`: this survey compared with the earlier waves its survey.yaml names.
"""

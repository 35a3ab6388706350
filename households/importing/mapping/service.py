"""The ``mapping_import`` service: the mapped rows validated against the database and, when asked,
written in one transaction and one ``ImportBatch`` through the writers of ``households.importing.commit``."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.db import transaction
from django.utils import timezone

from households.importing.commit import _WRITERS, _suffix, batch_periods
from households.importing.mapping.spec import mapping_load
from households.importing.mapping.transform import Mapped, mapping_frames
from households.importing.masking import problems_masked
from households.importing.originals import original_save
from households.importing.reading import ImportFileError, read_table
from households.importing.validate import Problem, Validation, _count_changes, _in_scope
from households.models import ChangeLog, Household, ImportBatch, Member, SurveyPeriod, max_amount
from households.selectors import import_scope_paths
from regions.models import Region


@dataclass
class MappingResult:
    """What a mapping import found and did. ``counts``: kind → new/updated/unchanged; ``batch``: the
    committed batch (None for a dry run, a rejected file, or a file that changes nothing)."""

    period: int
    mapping: str = ""
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    checks: dict[str, float] = field(default_factory=dict)
    batch: ImportBatch | None = None

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems if p.row})

    def _total(self, status: str) -> int:
        return sum(c.get(status, 0) for c in self.counts.values())

    @property
    def new(self) -> int:
        return self._total("new")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    def report(self) -> dict:
        return {
            "kind": "household-surveys",
            "period": self.period,
            "mapping": self.mapping,
            "encoding": self.encoding,
            "counts": self.counts,
            "checks": self.checks,
            "problems": problems_masked("", [p.__dict__ for p in self.problems]),
        }


def mapping_import(
    *, data: bytes, filename: str, mapping_path: Path, period: int, user, commit: bool, sheet: str | None = None
) -> MappingResult:
    """Validate a source file through a mapping and, with ``commit``, write it in one transaction.

    Every problem is reported by row (unknown region names, non-numeric amounts, verify mismatches,
    …) and then nothing is written. The dry run (``commit=False``) writes nothing at all; a commit
    writes only new and changed rows, so a second commit of the same file writes nothing (and makes
    no batch). The batch (kind household-surveys, ``mapping`` = the YAML text) can be undone with
    ``import_undo``.

    Args:
        data, filename: the source file (CSV or XLSX; the extension picks the reader); sheet: the
            XLSX sheet (default: the first).
        mapping_path: the YAML mapping.
        period: the survey year the members' statuses and the surveys belong to.
        user: the uploader; a clerk may only write households in the regions assigned to them.

    Raises:
        MappingError: the mapping itself is wrong (the message names the key).
    """
    mapping = mapping_load(mapping_path)
    result = MappingResult(period=period, mapping=Path(mapping_path).name)
    try:
        table = read_table(data, filename=filename, sheet=sheet)
    except ImportFileError as error:
        result.problems.append(Problem.of(0, "", "", error.message))
        return result
    result.encoding = table.encoding
    for column, key in mapping.columns().items():
        if column not in table.frame.columns:
            result.problems.append(Problem(0, column, "", f"column named by {key} is not in the file"))
    if table.frame.empty:
        result.problems.append(Problem(0, "", "", "the file has no data rows"))
    regions = _scheme_regions(mapping.scheme)
    if regions.empty:
        run = f"manage.py import_regions {mapping.tree or 'TREE.csv'} --scheme {mapping.scheme}"
        message = f"scheme {mapping.scheme!r} has no regions: run `{run}` first"
        result.problems.append(Problem(0, mapping.region_column, "", message))
    if result.problems:
        return result
    limit = max_amount()
    mapped = mapping_frames(
        table.frame, row_numbers=table.row_numbers, mapping=mapping, period=period, regions=regions, max_amount=limit
    )
    result.checks = mapped.checks
    result.problems = mapped.problems
    if result.problems:
        return result
    statuses = _classify(mapped, period, user, result)
    if result.problems:
        return result
    result.counts = {
        kind: {s: int((v == s).sum()) for s in ("new", "updated", "unchanged")} for kind, v in statuses.items()
    }
    if commit and result.new + result.updated:
        _write(mapped, statuses, data=data, filename=filename, mapping=mapping, result=result, user=user)
    return result


def _scheme_regions(scheme: str) -> pd.DataFrame:
    columns = ["id", "code", "name", "province_code", "path", "parent_id"]
    regions = pd.DataFrame(list(Region.objects.filter(scheme=scheme).values(*columns)), columns=columns)
    return regions.assign(has_children=regions["code"].isin(regions["parent_id"]))


def _classify(mapped: Mapped, period: int, user, result: MappingResult) -> dict[str, pd.Series]:
    """new / updated / unchanged for every row of each kind, compared with the database."""
    households, members, surveys = mapped.households, mapped.members, mapped.surveys
    existing = pd.DataFrame(
        list(
            Household.objects.filter(registry_number__in=households["registry_number"].tolist()).values(
                "registry_number", "id", "region__path"
            )
        ),
        columns=["registry_number", "id", "region__path"],
    ).set_index("registry_number")
    old_path = existing["region__path"].reindex(households["registry_number"]).reset_index(drop=True)
    outside = ~_in_scope(households["_path"], user) | (old_path.notna() & ~_in_scope(old_path, user))
    for row, number in zip(households["_row"][outside], households["registry_number"][outside], strict=True):
        result.problems.append(Problem(int(row), "", number, "outside your assigned regions"))
    ids = existing["id"]
    statuses = {}
    for kind, rows in (("households", households), ("members", members), ("household-surveys", surveys)):
        rows = rows.assign(_household_id=rows["registry_number"].map(ids))
        known = rows[rows["_household_id"].notna()].astype({"_household_id": int})
        validation = Validation(kind=kind, period=period, rows=known if kind != "households" else rows)
        _count_changes(validation, set())
        status = pd.Series("new", index=rows.index, dtype=object)
        status.update(pd.Series(validation.status_of_row, dtype=object))
        statuses[kind] = status
    # the person id is not one of the members file's columns, so _count_changes does not compare it
    stored = pd.DataFrame(
        list(Member.objects.filter(household_id__in=ids.tolist()).values("household_id", "member_no", "source_id")),
        columns=["household_id", "member_no", "source_id"],
    ).set_index(["household_id", "member_no"])["source_id"]
    key = pd.MultiIndex.from_arrays([members["registry_number"].map(ids), members["member_no"]])
    differs = (stored.reindex(key).to_numpy() != members["source_id"].to_numpy()) & (statuses["members"] == "unchanged")
    statuses["members"] = statuses["members"].mask(differs, "updated")
    return statuses


def _write(mapped: Mapped, statuses: dict[str, pd.Series], *, data: bytes, filename: str, mapping, result, user):
    """Write the changed rows of the three kinds, one batch, in one transaction."""
    changed = {kind: status != "unchanged" for kind, status in statuses.items()}
    with transaction.atomic():
        SurveyPeriod.objects.get_or_create(year=result.period)
        sha256 = hashlib.sha256(data).hexdigest()
        batch = ImportBatch(
            kind=ImportBatch.Kind.HOUSEHOLD_SURVEYS,
            period_id=result.period,
            original_name=filename[:255],
            sha256=sha256,
            encoding=result.encoding,
            mapping=mapping.text,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            scope_paths=import_scope_paths(user),
            status=ImportBatch.Status.COMMITTED,
            rows_new=result.new,
            rows_updated=result.updated,
            rows_unchanged=result.unchanged,
        )
        original_save(batch, data, name=f"{sha256[:16]}-mapping{_suffix(filename)}")
        batch.save()
        reason = f"import batch {batch.pk}"
        if changed["households"].any():
            _WRITERS["households"](mapped.households[changed["households"]], batch, user, reason)
        ids = dict(
            Household.objects.filter(registry_number__in=mapped.households["registry_number"].tolist()).values_list(
                "registry_number", "id"
            )
        )
        members = mapped.members[changed["members"]]
        surveys = mapped.surveys[changed["household-surveys"]]
        if len(members):
            _WRITERS["members"](members.assign(_household_id=members["registry_number"].map(ids)), batch, user, reason)
        if len(surveys):
            rows = surveys.assign(_household_id=surveys["registry_number"].map(ids))
            _WRITERS["household-surveys"](rows, batch, user, reason)
        provinces = sorted(
            set(mapped.households["_province"][changed["households"]])
            | set(members["_province"])
            | set(surveys["_province"])
        )
        periods = batch_periods(batch) if provinces else []  # the households' and members' every year
        ChangeLog.objects.bulk_create(
            [
                ChangeLog(province_code=p, period_id=year, source=ChangeLog.Source.IMPORT, import_batch=batch)
                for p in provinces
                for year in periods
            ]
        )
        batch.committed_at = timezone.now()
        batch.report = result.report()
        batch.previous_rows = {"provinces": provinces, "periods": periods}
        batch.save()
    result.batch = batch

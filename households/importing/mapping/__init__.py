"""Import outside survey data (one row per person) through a mapping file: households, members, surveys.

A mapping (YAML, ``data/mappings/eusilc.yaml`` is the worked example) says which source columns make
each target field: the id columns, the region column (matched by name or code among the leaves of a
region scheme), the weight, the equivalence scale (a column, or the modified OECD rule from ages),
the members' age and sex, and for every money field of the household survey a list of source
columns with their sign and level (``person``: summed over the household's rows; ``household``:
one value per household, taken once). ``missing.values`` are the texts meaning "no value"; in a
ledger column such a value counts as 0 (``na: zero``) or makes the amount unknown, which rejects the
file (``na: missing``, the default). Columns under ``verify`` are compared with what the import
computes from the ledger as it will be stored, and never stored.

``mapping_load`` reads and checks a mapping (``MappingError`` names the key); ``mapping_frames`` is
the pure step, the source table to the rows of the three kinds (vectorised with pandas); and
``mapping_import`` validates and, when asked, writes everything in one transaction and one
``ImportBatch`` through the writers of ``households.importing.commit``.
"""

from households.importing.mapping.service import MappingResult, mapping_import
from households.importing.mapping.spec import (
    FORMAT,
    HOUSEHOLD,
    LEDGER_FIELDS,
    MODIFIED_OECD,
    PERSON,
    QUANTITIES,
    Check,
    Mapping,
    MappingError,
    Source,
    mapping_load,
    mapping_parse,
)
from households.importing.mapping.transform import Mapped, mapping_frames

__all__ = [
    "FORMAT",
    "HOUSEHOLD",
    "LEDGER_FIELDS",
    "MODIFIED_OECD",
    "PERSON",
    "QUANTITIES",
    "Check",
    "Mapped",
    "Mapping",
    "MappingError",
    "MappingResult",
    "Source",
    "mapping_frames",
    "mapping_import",
    "mapping_load",
    "mapping_parse",
]

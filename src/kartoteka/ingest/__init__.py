"""kartoteka.ingest: reading source files (CSV/TSV, XLSX, JSON, JSON Lines) into the store.

    import_file(store, "card", Path("cards.csv"), ImportOptions(mapping="ru-card"))
    import_directory(store, Path("archive/"))            # a directory with manifest.json
    export_records(store, "card", "csv", Path("out.csv"))
    store_status(store)
"""

from kartoteka.ingest.export import EXPORT_COLUMNS, export_records
from kartoteka.ingest.kinds import CLI_KINDS, store_kind
from kartoteka.ingest.manifest import import_directory, read_manifest
from kartoteka.ingest.mappings import Mapping, bundled_names, load_bundled
from kartoteka.ingest.service import ImportOptions, ImportResult, file_sha256, import_file
from kartoteka.ingest.status import store_status

__all__ = [
    "CLI_KINDS",
    "EXPORT_COLUMNS",
    "ImportOptions",
    "ImportResult",
    "Mapping",
    "bundled_names",
    "export_records",
    "file_sha256",
    "import_directory",
    "import_file",
    "load_bundled",
    "read_manifest",
    "store_kind",
    "store_status",
]

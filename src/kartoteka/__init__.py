"""kartoteka: an open records system for the Japanese internees in the Soviet Union and Mongolia after 1945."""

from kartoteka.core.errors import KartotekaError

__version__ = "0.1.0"
__all__ = ["KartotekaError", "__version__"]

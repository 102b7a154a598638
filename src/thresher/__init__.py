"""thresher: turn scraped news and web pages into a clean article corpus."""

from ._api import clean_text, clean_texts, extract, ingest
from ._forest import FOREST_PATH as forest_path
from .config import Config
from .dumps.cleaner import TextCleaner
from .errors import ExtractionError, ModelError, ThresherError
from .html.extractor import Extractor
from .html.segment import CORE_PATH as core_path
from .types import Article, Block, Kind, Removed

__all__ = [
    "extract",
    "clean_text",
    "clean_texts",
    "ingest",
    "Extractor",
    "TextCleaner",
    "Config",
    "Article",
    "Block",
    "Kind",
    "Removed",
    "ExtractionError",
    "ModelError",
    "ThresherError",
    "COMPILED",
    "core_path",
    "forest_path",
]
__version__ = "0.1.0"
#: True when the compiled segmentation walk (thresher._core) runs; ``core_path``
#: is "compiled" or "python" (set THRESHER_PURE_PYTHON=1 to force the latter),
#: and ``forest_path`` the same for the forests' inference.
COMPILED = core_path == "compiled"

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__"):
        try:
            _obj.__module__ = "thresher"
        except (AttributeError, TypeError):
            pass

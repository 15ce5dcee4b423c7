"""Reading the kit's YAML files into typed Structs, with errors that name the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

T = TypeVar("T")


class KitFileError(ValueError):
    """A mix or shape file that cannot be used; the message names the file and the field."""


def load_yaml(path: str | Path, kind: type[T]) -> T:
    path = Path(path)
    try:
        raw: Any = yaml.safe_load(path.read_text())
    except OSError as error:
        raise KitFileError(f"{path}: cannot read it ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise KitFileError(f"{path}: not YAML ({error})") from None
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as error:
        raise KitFileError(f"{path}: {error}") from None

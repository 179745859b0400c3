"""Region boundaries from a GeoJSON file (``peka report --boundaries``): each feature's region code and its polygon
rings as (longitude, latitude) pairs. Read with the json module only: no GIS library, no network."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peka.errors import InputError

DEFAULT_BOUNDARY_KEY = "desa_code"
Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Boundary:
    """One feature: its region code (as text), a name when the properties have one, and its rings (outer rings and
    holes alike: drawn with the even-odd rule)."""

    code: str
    name: str | None
    rings: list[Ring]


def _rings(geometry: object, file: str, feature: int) -> list[Ring]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates: Any = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise InputError(f"feature {feature}: geometry is {kind!r}, not Polygon or MultiPolygon", file=file)
    try:
        return [[(float(p[0]), float(p[1])) for p in ring] for polygon in polygons for ring in polygon]
    except (TypeError, ValueError, IndexError):
        raise InputError(f"feature {feature}: coordinates are not [longitude, latitude] rings", file=file) from None


def _code(value: object) -> str | None:
    """A code as text: ``1172020001`` and ``"1172020001"`` are the same region (a float ``1172020001.0`` too)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def read_boundaries(path: str | Path, key: str | None = None) -> list[Boundary]:
    """The Polygon/MultiPolygon features of a GeoJSON FeatureCollection with their ``key`` property (default
    ``desa_code``). A file that cannot be parsed, is not a FeatureCollection, or has no feature with the key is an
    InputError naming the file; features without the key are left out."""
    path = Path(path)
    key = key or DEFAULT_BOUNDARY_KEY
    try:
        collection = json.loads(path.read_bytes())
    except OSError as error:
        raise InputError(f"cannot read the boundaries: {error.strerror or error}", file=str(path)) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"the boundaries are not valid GeoJSON ({error})", file=str(path)) from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise InputError("the boundaries are not a GeoJSON FeatureCollection", file=str(path))
    boundaries = []
    for number, feature in enumerate(features, start=1):
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        code = _code(properties.get(key)) if isinstance(properties, dict) else None
        if code is None:
            continue
        name = next((str(properties[n]) for n in ("desa_name", "name", "NAMOBJ", "nama") if properties.get(n)), None)
        boundaries.append(Boundary(code, name, _rings(feature.get("geometry"), str(path), number)))
    if not boundaries:
        raise InputError(f"no feature has the property {key!r} (choose it with --boundary-key)", file=str(path))
    return boundaries

"""Regions: reference data on municipalities and places, and resolving a place's municipality."""

from services.registry.regions.pdok import DEFAULT_BASE_URL, PdokResolver, pdok_client
from services.registry.regions.pdok_cache import PdokCache
from services.registry.regions.reference import (
    Municipality,
    Place,
    PlaceLookup,
    find_municipalities,
    find_place,
    municipalities,
    municipality_by_code,
    places,
)
from services.registry.regions.resolver import (
    BundledResolver,
    ChainResolver,
    FakeResolver,
    PlaceResolver,
    Resolution,
)
from services.registry.regions.served import ServedRegion

__all__ = [
    "DEFAULT_BASE_URL",
    "BundledResolver",
    "ChainResolver",
    "FakeResolver",
    "Municipality",
    "PdokCache",
    "PdokResolver",
    "Place",
    "PlaceLookup",
    "PlaceResolver",
    "Resolution",
    "ServedRegion",
    "find_municipalities",
    "find_place",
    "municipalities",
    "municipality_by_code",
    "pdok_client",
    "places",
]

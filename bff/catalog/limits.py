"""Limits of catalogue queries, defined once: the API's validation and the index's own
clamps use the same numbers."""

NEARBY_DEFAULT_RESULTS = 50
NEARBY_MAX_RESULTS = 200
"""Most cameras one nearby query returns (list, map and JSON API)."""
NEARBY_MAX_RADIUS_M = 200_000.0
"""Largest search radius: the whole city and its surroundings."""
SEARCH_TEXT_MAX_LENGTH = 64
"""Longest name/address/code search text; longer input is refused by the API and cut by
the index."""

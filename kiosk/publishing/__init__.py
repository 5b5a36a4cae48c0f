"""The administrators' side: a TUF repository of static files that every kiosk verifies.

Only the `kiosk fleet` commands import it; what a kiosk reads of a release (target names, the catalogue
index, the checks of a pushed configuration) is in kiosk.release_format, shared by both sides.
"""

from kiosk.publishing.repository import FleetRepository, RepositoryError, RoleInfo

__all__ = ["FleetRepository", "RepositoryError", "RoleInfo"]

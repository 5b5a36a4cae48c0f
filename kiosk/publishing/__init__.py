"""The administrators' side: a TUF repository of static files that every kiosk verifies."""

from kiosk.publishing.repository import FleetRepository, RepositoryError, RoleInfo

__all__ = ["FleetRepository", "RepositoryError", "RoleInfo"]
